/* mosaic_gz: gzip streams in memory, for `.h5.gz` datasets opened as HDF5 file images (no temporary
 * file) and for writing `.gz` outputs. Internal to traces (also used by its tests and fuzz target). */
#ifndef MOSAIC_GZ_H
#define MOSAIC_GZ_H

#include <stddef.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Inflates the gzip stream in[0..n) (several concatenated members allowed, as gzip(1) makes them)
 * into a malloc'd buffer *out of *out_len bytes (the caller frees). Fails with MOSAIC_ERR_INPUT on a
 * damaged or truncated stream or when the output would exceed max_out bytes (a guard against
 * decompression bombs; pass SIZE_MAX for none). `name` appears in messages. */
MosaicStatus mosaic_gz_inflate(const char *name, const void *in, size_t n, size_t max_out,
                               unsigned char **out, size_t *out_len, MosaicErr *err);

/* Same, streaming from the file `path` so only the output is held in memory. */
MosaicStatus mosaic_gz_inflate_file(const char *path, size_t max_out, unsigned char **out, size_t *out_len,
                                    MosaicErr *err);

/* Compresses the file `src` into the gzip file `dst` (level 6). */
MosaicStatus mosaic_gz_compress_file(const char *src, const char *dst, MosaicErr *err);

/* True if `path` ends in ".gz". */
int mosaic_gz_is_gz_path(const char *path);

#ifdef __cplusplus
}
#endif
#endif
