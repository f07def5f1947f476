/* mosaic_subprocess: runs the simulator as a separate process beside training.
 *
 * The co-simulation starts `mosaic sim ...` on the second core and keeps training; it polls the child
 * between batches (never blocks), kills it when it exceeds its time limit, and reports how it ended:
 * success, a non-zero exit, a signal (crash), or a timeout. The child's stdout and stderr go to a log
 * file so a crash report can quote them. */
#ifndef MOSAIC_SUBPROCESS_H
#define MOSAIC_SUBPROCESS_H

#include <sys/types.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MOSAIC_PROC_RUNNING = 0,
    MOSAIC_PROC_EXITED,   /* exit_code holds the status */
    MOSAIC_PROC_SIGNALED, /* signal holds the signal that ended it (a crash or an outside kill) */
    MOSAIC_PROC_TIMEOUT   /* killed by us after its time limit */
} MosaicProcState;

typedef struct {
    pid_t pid;
    double start_s;   /* monotonic start time */
    double timeout_s; /* 0 = none */
    MosaicProcState state;
    int exit_code;
    int signal;
    double elapsed_s; /* wall time until it ended (or until the last poll) */
} MosaicProc;

/* Starts argv[0] (searched in PATH if it has no slash) with stdout+stderr appended to log_path (or
 * inherited if NULL), in a process group of its own that is killed as a whole (timeout, kill) and, on
 * Linux, killed when this process dies. Fails with MOSAIC_ERR_IO if the program cannot be started. */
MosaicStatus mosaic_proc_start(MosaicProc *proc, char *const argv[], const char *log_path, double timeout_s,
                               MosaicErr *err);

/* Makes SIGINT, SIGTERM and SIGHUP (unless ignored) kill every running child's group before this
 * process dies of them, so that no child outlives an interrupted run. Call once, before starting any. */
void mosaic_proc_kill_children_on_signals(void);

/* Non-blocking: updates proc->state; kills the child (SIGKILL) when its time limit has passed.
 * Returns the state. */
MosaicProcState mosaic_proc_poll(MosaicProc *proc);

/* Blocks until the child ends (still honouring the timeout). */
MosaicProcState mosaic_proc_wait(MosaicProc *proc);

/* Kills a running child and reaps it (state becomes SIGNALED). Safe on an ended child. */
void mosaic_proc_kill(MosaicProc *proc);

/* "exited 0", "exited 3", "killed by signal 11 (Segmentation fault)", "timed out after 60 s". */
void mosaic_proc_describe(const MosaicProc *proc, char *out, int outlen);

#ifdef __cplusplus
}
#endif
#endif
