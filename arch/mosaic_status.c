#include "mosaic_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

MosaicStatus mosaic_err(MosaicErr *err, MosaicStatus status, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

void mosaic_err_prefix(MosaicErr *err, const char *fmt, ...) {
    if (!err) return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable: the message is for humans and the start carries the context. */
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3) n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t m = strlen(old);
    if (m > room) m = room;
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = 0;
}

const char *mosaic_strstatus(MosaicStatus status) {
    switch (status) {
    case MOSAIC_OK: return "ok";
    case MOSAIC_ERR_INPUT: return "bad input";
    case MOSAIC_ERR_IO: return "I/O error";
    case MOSAIC_ERR_NOMEM: return "out of memory";
    case MOSAIC_ERR_UNMAPPABLE: return "network does not fit the array";
    case MOSAIC_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

int mosaic_status_exit_code(MosaicStatus status) {
    switch (status) {
    case MOSAIC_OK: return 0;
    case MOSAIC_ERR_UNMAPPABLE: return 1;
    case MOSAIC_ERR_INPUT: return 2;
    default: return 3;
    }
}
