#define _POSIX_C_SOURCE 200809L
#include "mosaic_files.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- interruption: plain static storage, so that the handler only reads memory and calls unlink ---- */

enum { TMP_SLOTS_ = 32, TMP_PATH_ = 4096, ON_INTERRUPT_ = 4 };
static char tmp_paths_[TMP_SLOTS_][TMP_PATH_];
static volatile sig_atomic_t tmp_used_[TMP_SLOTS_];
static void (*volatile on_interrupt_[ON_INTERRUPT_])(void);

enum { TMP_FILE_ = 1, TMP_DIR_ = 2 }; /* tmp_used_ values */

static int track_(const char *path, int kind) {
    const size_t n = strlen(path);
    if (n >= TMP_PATH_) return -1;
    for (int i = 0; i < TMP_SLOTS_; i++)
        if (!tmp_used_[i]) {
            memcpy(tmp_paths_[i], path, n + 1);
            tmp_used_[i] = kind; /* published after the path is complete */
            return i;
        }
    return -1;
}

int mosaic_tmp_track(const char *path) { return track_(path, TMP_FILE_); }
int mosaic_tmp_track_dir(const char *path) { return track_(path, TMP_DIR_); }

void mosaic_tmp_untrack(int handle) {
    if (handle >= 0 && handle < TMP_SLOTS_) tmp_used_[handle] = 0;
}

void mosaic_on_interrupt(void (*fn)(void)) {
    for (int i = 0; i < ON_INTERRUPT_; i++) {
        if (on_interrupt_[i] == fn) return;
        if (!on_interrupt_[i]) {
            on_interrupt_[i] = fn;
            return;
        }
    }
}

static void on_signal_(int sig) {
    for (int i = 0; i < TMP_SLOTS_; i++)
        if (tmp_used_[i] == TMP_FILE_) unlink(tmp_paths_[i]);
    for (int i = 0; i < TMP_SLOTS_; i++)
        if (tmp_used_[i] == TMP_DIR_) rmdir(tmp_paths_[i]);
    for (int i = 0; i < ON_INTERRUPT_; i++)
        if (on_interrupt_[i]) on_interrupt_[i]();
    signal(sig, SIG_DFL);
    raise(sig);
}

void mosaic_interrupt_install(void) {
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal_;
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue; /* nohup */
        sigaction(sigs[i], &sa, NULL);
    }
}

int mosaic_tmp_name_of(const char *path, const char *tag, long pid, char *buf, size_t n) {
    const int len = snprintf(buf, n, "%s.%s-%ld", path, tag, pid);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* Removes "<base>.<tag>-<pid>" in `dir` for every pid that names no process here (kill says ESRCH; a
 * process of another user answers EPERM and is left alone) and that nobody has written for 10 minutes:
 * a writer in another pid namespace or on another host sharing the folder also looks dead to kill, but
 * it is writing its file. */
static void remove_stale_(const char *dir, const char *base, const char *tag) {
    DIR *d = opendir(dir);
    if (!d) return;
    const size_t nb = strlen(base), nt = strlen(tag);
    const long self = (long)getpid();
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *s = e->d_name;
        if (strncmp(s, base, nb) != 0 || s[nb] != '.' || strncmp(s + nb + 1, tag, nt) != 0 ||
            s[nb + 1 + nt] != '-')
            continue;
        const char *digits = s + nb + 2 + nt;
        char *end = NULL;
        errno = 0;
        const long pid = strtol(digits, &end, 10);
        if (!isdigit((unsigned char)digits[0]) || *end || errno || pid <= 0 || pid == self) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char full[4096];
        struct stat sb;
        if (snprintf(full, sizeof full, "%s/%s", dir, s) < (int)sizeof full && lstat(full, &sb) == 0 &&
            S_ISREG(sb.st_mode) && time(NULL) - sb.st_mtime > 600)
            unlink(full);
    }
    closedir(d);
}

int mosaic_tmp_name(const char *path, const char *tag, char *buf, size_t n) {
    if (mosaic_tmp_name_of(path, tag, (long)getpid(), buf, n) != 0) return -1;
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        remove_stale_(".", path, tag);
    else if (slash == path)
        remove_stale_("/", slash + 1, tag);
    else if ((size_t)(slash - path) < sizeof dir) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = 0;
        remove_stale_(dir, slash + 1, tag);
    }
    return 0;
}

MosaicStatus mosaic_write_file_atomic(const char *path, const void *data, size_t len, MosaicErr *err) {
    char tmp[4096];
    if (mosaic_tmp_name(path, "tmp", tmp, sizeof tmp) != 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: path too long", path);
    const int tracked = mosaic_tmp_track(tmp);
    FILE *fp = fopen(tmp, "wb");
    if (!fp) {
        mosaic_tmp_untrack(tracked);
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    int ok = fwrite(data, 1, len, fp) == len;
    int saved = ok ? 0 : errno; /* an errno from before is not this write's reason */
    errno = 0;
    ok &= fflush(fp) == 0;
    if (!ok && !saved) saved = errno;
    errno = 0;
    ok &= fclose(fp) == 0;
    if (ok && rename(tmp, path) == 0) {
        mosaic_tmp_untrack(tracked);
        return MOSAIC_OK;
    }
    if (!saved) saved = errno;
    unlink(tmp);
    mosaic_tmp_untrack(tracked);
    return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write: %s", path, strerror(saved));
}

MosaicStatus mosaic_write_text_atomic(const char *path, const char *text, MosaicErr *err) {
    return mosaic_write_file_atomic(path, text, strlen(text), err);
}

MosaicStatus mosaic_mkdirs(const char *path, MosaicErr *err) {
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "'%s': not a usable directory name", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
        buf[i] = c;
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: exists and is not a directory", path);
    return MOSAIC_OK;
}
