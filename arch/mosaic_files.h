/* mosaic_files: writing result files so that a crash never leaves half a file under the real name.
 * HDF5 files go through traces/mosaic_h5.h; text files (YAML, CSV, HTML) through here. */
#ifndef MOSAIC_FILES_H
#define MOSAIC_FILES_H

#include <stddef.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes `len` bytes to "<path>.tmp-<pid>", then renames it to `path`. On failure the temporary file
 * is removed, `path` is untouched, and err names the path and the OS reason. */
MosaicStatus mosaic_write_file_atomic(const char *path, const void *data, size_t len, MosaicErr *err);

/* The same for a NUL-terminated text. */
MosaicStatus mosaic_write_text_atomic(const char *path, const char *text, MosaicErr *err);

/* Creates a directory and its missing parents (like mkdir -p). An existing directory is fine. */
MosaicStatus mosaic_mkdirs(const char *path, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
