/* mosaic_status: status codes and the error message carried out of every fallible call.
 *
 * Libraries never print and never exit. A fallible function returns a MosaicStatus and, on failure,
 * fills a MosaicErr with one human-readable sentence that names the file, the field and what was
 * expected. Only main() prints it and chooses the exit code (mosaic_status_exit_code). */
#ifndef MOSAIC_STATUS_H
#define MOSAIC_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MOSAIC_OK = 0,
    MOSAIC_ERR_INPUT = 1,      /* bad input: file content, config key, shape, range */
    MOSAIC_ERR_IO = 2,         /* the OS refused: open, read, write, rename */
    MOSAIC_ERR_NOMEM = 3,      /* allocation failed */
    MOSAIC_ERR_UNMAPPABLE = 4, /* a network that does not fit the array */
    MOSAIC_ERR_INTERNAL = 5    /* a bug: an invariant did not hold */
} MosaicStatus;

typedef struct {
    char msg[1024];
} MosaicErr;

/* Sets err->msg (printf-style) and returns status, so callers can write
 * `return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: key '%s': ...", ...)`. err may be NULL. */
MosaicStatus mosaic_err(MosaicErr *err, MosaicStatus status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to an existing message (adds context as an error travels up). */
void mosaic_err_prefix(MosaicErr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *mosaic_strstatus(MosaicStatus status);

/* Process exit codes used by every subcommand: 0 ok, 1 "answer is no" (not mappable), 2 bad input,
 * 3 I/O or internal failure. */
int mosaic_status_exit_code(MosaicStatus status);

/* Returns the status of `expr` from the enclosing function if it is not MOSAIC_OK. */
#define MOSAIC_TRY(expr)                                                                                     \
    do {                                                                                                     \
        MosaicStatus mosaic_try_status_ = (expr);                                                            \
        if (mosaic_try_status_ != MOSAIC_OK) return mosaic_try_status_;                                      \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif
