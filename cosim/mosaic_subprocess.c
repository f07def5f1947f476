#define _POSIX_C_SOURCE 200809L
#include "mosaic_subprocess.h"
#include "mosaic_clock.h"
#include "mosaic_files.h"

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The process groups of running children, for the signal handler (async-signal-safe: plain stores and
 * kill). A child leads its own group, so that killing it also kills what it started (a wrapper script's
 * own children). */
enum { MAX_CHILDREN_ = 8 };
static volatile sig_atomic_t groups_[MAX_CHILDREN_];

static void remember_(pid_t pid) {
    for (int i = 0; i < MAX_CHILDREN_; i++)
        if (!groups_[i]) {
            groups_[i] = (sig_atomic_t)pid;
            return;
        }
}

static void forget_(pid_t pid) {
    for (int i = 0; i < MAX_CHILDREN_; i++)
        if (groups_[i] == (sig_atomic_t)pid) groups_[i] = 0;
}

static void kill_group_(pid_t pid) {
    kill(-pid, SIGKILL); /* the child's group: it and whatever it started */
    kill(pid, SIGKILL);  /* in case it had not yet made its group */
}

static void kill_all_(void) {
    for (int i = 0; i < MAX_CHILDREN_; i++)
        if (groups_[i]) kill(-(pid_t)groups_[i], SIGKILL), kill((pid_t)groups_[i], SIGKILL);
}

void mosaic_proc_kill_children_on_signals(void) {
    mosaic_on_interrupt(kill_all_);
    mosaic_interrupt_install();
}

MosaicStatus mosaic_proc_start(MosaicProc *proc, char *const argv[], const char *log_path, double timeout_s,
                               MosaicErr *err) {
    memset(proc, 0, sizeof *proc);
    int log_fd = -1;
    if (log_path) {
        log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0)
            return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open log: %s", log_path, strerror(errno));
    }
    /* A pipe that closes on exec tells the parent whether exec itself failed. */
    int pfd[2];
    if (pipe(pfd) != 0) {
        if (log_fd >= 0) close(log_fd);
        return mosaic_err(err, MOSAIC_ERR_IO, "cannot create a pipe: %s", strerror(errno));
    }
    fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
    const pid_t parent = getpid();
    /* The interrupt signals wait until the child is known (remember_) and has its own handlers: in
     * between, the parent's handler would run in the child (removing the parent's temporary files), or
     * miss the child. */
    sigset_t interrupts, saved;
    sigemptyset(&interrupts);
    sigaddset(&interrupts, SIGINT), sigaddset(&interrupts, SIGTERM), sigaddset(&interrupts, SIGHUP);
    sigprocmask(SIG_BLOCK, &interrupts, &saved);
    pid_t pid = fork();
    if (pid < 0) {
        const int e = errno;
        sigprocmask(SIG_SETMASK, &saved, NULL);
        close(pfd[0]), close(pfd[1]);
        if (log_fd >= 0) close(log_fd);
        return mosaic_err(err, MOSAIC_ERR_IO, "cannot fork: %s", strerror(e));
    }
    if (pid == 0) {
        close(pfd[0]);
        /* the default for the signals the parent catches; ignored ones (nohup) stay ignored */
        const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
        for (int i = 0; i < 3; i++) {
            struct sigaction cur;
            if (sigaction(sigs[i], NULL, &cur) == 0 && cur.sa_handler != SIG_IGN) signal(sigs[i], SIG_DFL);
        }
        sigprocmask(SIG_SETMASK, &saved, NULL);
        /* Its own process group (killed as a whole), and killed when the parent dies however it dies,
         * even by SIGKILL: a simulator must not outlive the run that owns it. */
        setpgid(0, 0);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (getppid() != parent) _exit(127); /* the parent died before the line above */
        if (log_fd >= 0) {
            dup2(log_fd, STDOUT_FILENO);
            dup2(log_fd, STDERR_FILENO);
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(pfd[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    setpgid(pid, pid); /* also here: whichever of the two runs first makes the group */
    remember_(pid);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    close(pfd[1]);
    if (log_fd >= 0) close(log_fd);
    int child_errno = 0;
    ssize_t n = read(pfd[0], &child_errno, sizeof child_errno);
    close(pfd[0]);
    if (n == (ssize_t)sizeof child_errno) {
        waitpid(pid, NULL, 0);
        forget_(pid);
        return mosaic_err(err, MOSAIC_ERR_IO, "cannot start '%s': %s", argv[0], strerror(child_errno));
    }
    proc->pid = pid;
    proc->start_s = mosaic_now_s();
    proc->timeout_s = timeout_s;
    proc->state = MOSAIC_PROC_RUNNING;
    return MOSAIC_OK;
}

/* Reaps the ended child. Its group (what it started and left running) is killed first, while the
 * unreaped child still holds the process and group id, so that no other process can have taken them. */
static int reap_(pid_t pid) {
    kill(-pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    forget_(pid);
    return status;
}

static void record_(MosaicProc *proc, int status) {
    proc->elapsed_s = mosaic_now_s() - proc->start_s;
    if (proc->state == MOSAIC_PROC_TIMEOUT) return; /* we killed it: keep the reason */
    if (WIFEXITED(status)) {
        proc->state = MOSAIC_PROC_EXITED;
        proc->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        proc->state = MOSAIC_PROC_SIGNALED;
        proc->signal = WTERMSIG(status);
    }
}

MosaicProcState mosaic_proc_poll(MosaicProc *proc) {
    if (proc->state != MOSAIC_PROC_RUNNING) return proc->state;
    /* has it ended? (WNOWAIT: leave it unreaped, so that reap_ can still kill its group safely) */
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)proc->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == proc->pid) {
        record_(proc, reap_(proc->pid));
        return proc->state;
    }
    proc->elapsed_s = mosaic_now_s() - proc->start_s;
    if (proc->timeout_s > 0 && proc->elapsed_s > proc->timeout_s) {
        proc->state = MOSAIC_PROC_TIMEOUT;
        kill_group_(proc->pid);
        record_(proc, reap_(proc->pid));
    }
    return proc->state;
}

MosaicProcState mosaic_proc_wait(MosaicProc *proc) {
    while (mosaic_proc_poll(proc) == MOSAIC_PROC_RUNNING) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return proc->state;
}

void mosaic_proc_kill(MosaicProc *proc) {
    if (proc->state != MOSAIC_PROC_RUNNING) return;
    kill_group_(proc->pid);
    record_(proc, reap_(proc->pid));
}

void mosaic_proc_describe(const MosaicProc *proc, char *out, int outlen) {
    switch (proc->state) {
    case MOSAIC_PROC_RUNNING: snprintf(out, (size_t)outlen, "running for %.0f s", proc->elapsed_s); break;
    case MOSAIC_PROC_EXITED: snprintf(out, (size_t)outlen, "exited %d", proc->exit_code); break;
    case MOSAIC_PROC_SIGNALED:
        snprintf(out, (size_t)outlen, "killed by signal %d (%s)", proc->signal, strsignal(proc->signal));
        break;
    case MOSAIC_PROC_TIMEOUT: snprintf(out, (size_t)outlen, "timed out after %.0f s", proc->timeout_s); break;
    }
}
