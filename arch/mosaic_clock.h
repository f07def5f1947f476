/* mosaic_clock: the two clocks every progress line, summary and benchmark reads.
 * Wall time is monotonic (immune to clock changes); CPU time is the whole process's user + system
 * time, the figure to quote on a shared machine where wall time says little. */
#ifndef MOSAIC_CLOCK_H
#define MOSAIC_CLOCK_H

#include <time.h>

static inline double mosaic_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double mosaic_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
