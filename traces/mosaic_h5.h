/* mosaic_h5: the small HDF5 toolkit behind every result file we write (networks, mappings, simulation
 * results, training state), so each module writes its file without repeating HDF5 boilerplate and
 * every file follows the same conventions (docs/formats.md):
 *   - written to "<path>.tmp-<pid>" and renamed on commit: a crash never leaves a half file;
 *   - root attributes program, version, git_hash, created (UTC, ISO 8601), seed, and "config" holding
 *     the resolved configuration YAML (mosaic_h5_write_provenance);
 *   - every dataset carries "units" and "description" string attributes, so h5py users need no code.
 * Readers check rank, dimensions and type class and fail with one sentence naming the file, the
 * dataset and the expected shape.
 *
 * Names are paths inside the file ("method/adam_m"); missing intermediate groups are created on
 * write. HDF5's automatic error printing is switched off by every entry point (libraries never print). */
#ifndef MOSAIC_H5_H
#define MOSAIC_H5_H

#include <hdf5.h>
#include <stdbool.h>
#include <stdint.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_H5_MAX_RANK 8

/* The root 'format' of a simulation result file: sim/mosaic_sim_result.h writes it, the co-simulation
 * (cosim/, which does not link the simulator) reads it back. */
#define MOSAIC_SIM_FORMAT "mosaic-sim"

typedef enum { MOSAIC_H5_I32 = 0, MOSAIC_H5_I64, MOSAIC_H5_F32, MOSAIC_H5_F64, MOSAIC_H5_U8 } MosaicH5Type;

typedef struct MosaicH5File MosaicH5File;

/* Who wrote a file and with what. Strings may be NULL (written as ""). */
typedef struct {
    const char *program;  /* e.g. "mosaic train" */
    const char *version;  /* MOSAIC_VERSION */
    const char *git_hash; /* MOSAIC_GIT_HASH */
    int64_t seed;
    const char *config; /* resolved configuration YAML */
} MosaicProvenance;

/* ---- files ---- */

/* Creates "<path>.tmp-<pid>" for writing. Finish with mosaic_h5_commit or mosaic_h5_abort. */
MosaicStatus mosaic_h5_create(const char *path, MosaicH5File **out, MosaicErr *err);

/* Flushes, closes and renames the temporary file to its real path; frees `f` in every case (on error
 * the temporary file is removed). */
MosaicStatus mosaic_h5_commit(MosaicH5File *f, MosaicErr *err);

/* mosaic_h5_commit in two halves, for outputs that must replace their files together: close_tmp
 * flushes and closes the temporary file (on error it is removed; finish `f` with mosaic_h5_abort),
 * publish renames it to the real path and frees `f` in every case. */
MosaicStatus mosaic_h5_close_tmp(MosaicH5File *f, MosaicErr *err);
MosaicStatus mosaic_h5_publish(MosaicH5File *f, MosaicErr *err);

/* Closes and removes the temporary file of a file being written, or just closes a file opened for
 * reading; frees `f`. Accepts NULL. */
void mosaic_h5_abort(MosaicH5File *f);

/* Opens an existing file read-only. Close with mosaic_h5_close. */
MosaicStatus mosaic_h5_open(const char *path, MosaicH5File **out, MosaicErr *err);
void mosaic_h5_close(MosaicH5File *f); /* accepts NULL; same as mosaic_h5_abort for a read file */

/* The real path (not the temporary name), for messages. */
const char *mosaic_h5_path(const MosaicH5File *f);

/* The HDF5 file id, for what these helpers do not cover. Do not close it. */
hid_t mosaic_h5_id(const MosaicH5File *f);

/* True if `name` (dataset or group) exists. */
bool mosaic_h5_exists(const MosaicH5File *f, const char *name);

/* The same below any HDF5 location (a missing intermediate group is "false", not an error). */
bool mosaic_h5_exists_at(hid_t loc, const char *name);

/* ---- datasets ---- */

/* Writes dataset `name` of `type` with shape dims[0..rank) (rank 0: a scalar) from `data` (C order),
 * with string attributes "units" and "description" (either may be NULL: not written). Datasets with
 * more than 4096 elements are chunked and deflate-compressed. Fails if `name` already exists. */
MosaicStatus mosaic_h5_write(MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                             const int64_t *dims, const void *data, const char *units,
                             const char *description, MosaicErr *err);

/* Reads dataset `name` into a malloc'd buffer (*data, caller frees) converted to `type`. `dims` has
 * `rank` entries: on input the expected size of each dimension or -1 for "any"; on output the actual
 * sizes. Fails, naming file, dataset and expected shape, if the rank or a fixed dimension differs or
 * the stored type class differs (integer vs float). */
MosaicStatus mosaic_h5_read(const MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                            int64_t *dims, void **data, MosaicErr *err);

/* Same into a caller buffer of exactly the shape dims[0..rank) (every dimension fixed). */
MosaicStatus mosaic_h5_read_into(const MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                                 const int64_t *dims, void *buf, MosaicErr *err);

/* Names of the direct members of group `group` ("/" for the root), in HDF5's name order; *names is a
 * malloc'd array of malloc'd strings; free with mosaic_h5_free_names. */
MosaicStatus mosaic_h5_list(const MosaicH5File *f, const char *group, char ***names, int *n, MosaicErr *err);
void mosaic_h5_free_names(char **names, int n);

/* Creates group `name` (and its parents) if missing. */
MosaicStatus mosaic_h5_group(MosaicH5File *f, const char *name, MosaicErr *err);

/* ---- attributes (on object `obj`: "/" for the root, or a group or dataset path) ---- */

/* Strings are written fixed-length (stored in the object header, never in the global heap) up to
 * this many bytes with the terminator, the room one header message leaves for them; longer ones
 * variable-length. */
#define MOSAIC_H5_FIXED_STRING_MAX 60000
MosaicStatus mosaic_h5_attr_write_string(MosaicH5File *f, const char *obj, const char *name,
                                         const char *value, MosaicErr *err);
MosaicStatus mosaic_h5_attr_write_int64(MosaicH5File *f, const char *obj, const char *name, int64_t value,
                                        MosaicErr *err);
MosaicStatus mosaic_h5_attr_write_double(MosaicH5File *f, const char *obj, const char *name, double value,
                                         MosaicErr *err);
/* *value is malloc'd; the caller frees it. Reads fixed- and variable-length strings. */
MosaicStatus mosaic_h5_attr_read_string(const MosaicH5File *f, const char *obj, const char *name,
                                        char **value, MosaicErr *err);
MosaicStatus mosaic_h5_attr_read_int64(const MosaicH5File *f, const char *obj, const char *name,
                                       int64_t *value, MosaicErr *err);
MosaicStatus mosaic_h5_attr_read_double(const MosaicH5File *f, const char *obj, const char *name,
                                        double *value, MosaicErr *err);

/* Root attributes program, version, git_hash, created (now, UTC), seed, config. */
MosaicStatus mosaic_h5_write_provenance(MosaicH5File *f, const MosaicProvenance *prov, MosaicErr *err);

/* Switches off HDF5's automatic error-stack printing and its shutdown at exit for this process
 * (idempotent). Every entry point of traces calls it; a program calls it first (before any HDF5 call),
 * and code that calls HDF5 directly calls it too. */
void mosaic_h5_quiet(void);

#ifdef __cplusplus
}
#endif
#endif
