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

/* ---- temporary names ----
 * Every result is written under "<path>.<tag>-<pid>" (tag "tmp", or "h5tmp" for the uncompressed stage
 * of a .h5.gz) and renamed when complete. mosaic_tmp_name_of formats the name process `pid` uses.
 * mosaic_tmp_name formats this process's name and first removes the files "<path>.<tag>-<digits>" of
 * processes that no longer exist on this machine and that were last written over 10 minutes ago: a
 * process killed by SIGKILL (or a power cut) cannot remove its own, and a later write of the same
 * result cleans up after it. It returns -1 when the
 * name does not fit in `n` bytes, 0 otherwise. */
int mosaic_tmp_name_of(const char *path, const char *tag, long pid, char *buf, size_t n);
int mosaic_tmp_name(const char *path, const char *tag, char *buf, size_t n);

/* ---- interruption ----
 * A temporary file being written is tracked from its creation to its rename or removal, so that an
 * interrupted program (SIGINT, SIGTERM, SIGHUP) removes it instead of leaving "<path>.tmp-<pid>"
 * behind. Untracked files (more than 32 at once, paths over 4 KB) are only left behind. */
int mosaic_tmp_track(const char *path); /* a handle for mosaic_tmp_untrack, or -1 */
void mosaic_tmp_untrack(int handle);    /* accepts -1 */
/* A scratch folder, removed (rmdir) after the tracked files when interrupted: track the files made in
 * it too, so that it is empty by then. */
int mosaic_tmp_track_dir(const char *path);

/* Adds a function run by the interrupt handler after the temporary files are removed (at most 4;
 * it must be async-signal-safe, e.g. kill()). */
void mosaic_on_interrupt(void (*fn)(void));

/* Installs the handler for SIGINT, SIGTERM and SIGHUP (those not ignored): it removes the tracked
 * temporary files, runs the mosaic_on_interrupt functions, then dies of the signal as it would have. */
void mosaic_interrupt_install(void);

#ifdef __cplusplus
}
#endif
#endif
