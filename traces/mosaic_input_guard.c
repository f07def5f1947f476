/* mosaic_input_guard: crash reports for damaged input files (see mosaic_input_guard.h). */
#define _XOPEN_SOURCE 700

#include "mosaic_input_guard.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static const char *volatile current_;
static const char *program_ = "mosaic";

const char *mosaic_input_enter(const char *path) {
    const char *enclosing = current_;
    current_ = path;
    return enclosing;
}

void mosaic_input_leave(const char *enclosing) { current_ = enclosing; }

static void put_(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

/* Only async-signal-safe calls: write and _exit. */
static void on_crash_(int sig) {
    const char *path = current_;
    if (!path) return; /* not while reading a file: the fault recurs, now under the default action */
    char num[4] = {(char)('0' + sig / 10 % 10), (char)('0' + sig % 10), 0, 0};
    put_(program_);
    put_(": error: ");
    put_(path);
    put_(": libhdf5 crashed reading it (signal ");
    put_(sig >= 10 ? num : num + 1);
    put_("): the file is damaged in a way HDF5 1.10 does not check (expected an intact HDF5 file)\n");
    _exit(2);
}

void mosaic_input_guard_install(const char *program) {
    static int installed;
    if (installed) return;
    installed = 1;
    program_ = program;
    /* an own stack, so that a crash by stack overflow still reports */
    static uint8_t alt[1 << 16];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash_;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}
