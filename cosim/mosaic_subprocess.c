#define _POSIX_C_SOURCE 200809L
#include "mosaic_subprocess.h"
#include "mosaic_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]), close(pfd[1]);
        if (log_fd >= 0) close(log_fd);
        return mosaic_err(err, MOSAIC_ERR_IO, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(pfd[0]);
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
    close(pfd[1]);
    if (log_fd >= 0) close(log_fd);
    int child_errno = 0;
    ssize_t n = read(pfd[0], &child_errno, sizeof child_errno);
    close(pfd[0]);
    if (n == (ssize_t)sizeof child_errno) {
        waitpid(pid, NULL, 0);
        return mosaic_err(err, MOSAIC_ERR_IO, "cannot start '%s': %s", argv[0], strerror(child_errno));
    }
    proc->pid = pid;
    proc->start_s = mosaic_now_s();
    proc->timeout_s = timeout_s;
    proc->state = MOSAIC_PROC_RUNNING;
    return MOSAIC_OK;
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
    int status = 0;
    pid_t r = waitpid(proc->pid, &status, WNOHANG);
    if (r == proc->pid) {
        record_(proc, status);
        return proc->state;
    }
    proc->elapsed_s = mosaic_now_s() - proc->start_s;
    if (proc->timeout_s > 0 && proc->elapsed_s > proc->timeout_s) {
        proc->state = MOSAIC_PROC_TIMEOUT;
        kill(proc->pid, SIGKILL);
        waitpid(proc->pid, &status, 0);
        record_(proc, status);
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
    kill(proc->pid, SIGKILL);
    int status = 0;
    waitpid(proc->pid, &status, 0);
    record_(proc, status);
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
