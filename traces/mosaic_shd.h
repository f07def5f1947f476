/* mosaic_shd: spike datasets in the layout of the Spiking Heidelberg Digits (SHD).
 *
 * Layout (mosaic-reference.md §7; docs/formats.md has the full schema):
 *   /spikes/times  (N) variable-length arrays of spike times in seconds (official files: float16)
 *   /spikes/units  (N) variable-length arrays of channel ids, same lengths as times (official: uint16)
 *   /labels        (N) class index per sample, < number of classes
 *   /extra/speaker (N) speaker id per sample
 *   /extra/keys    (classes) class names, fixed- or variable-length strings; never assume an order
 *   /extra/meta_info/...  per-speaker information (read by nobody here; kept by the writer)
 *
 * The reader opens plain `.h5` files and gzip-compressed `.h5.gz` files; a `.gz` file is inflated with
 * zlib into memory and opened as an HDF5 file image, never through a temporary file. Labels, speakers
 * and class names are read once at open; spikes are read one sample at a time (a hyperslab of one
 * element), so a plain `.h5` larger than memory streams. Times come out as float whatever the stored
 * float type, units/labels/speakers as native integers whatever their stored integer width.
 *
 * Every reader error is one sentence naming the file, the dataset and, for spikes, the sample index. */
#ifndef MOSAIC_SHD_H
#define MOSAIC_SHD_H

#include <stddef.h>
#include <stdint.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_SHD_UNITS 700 /* SHD's cochlea channels: units are checked against this by default */

/* One sample's spikes. A reusable buffer: mosaic_shd_read_sample grows it as needed, so a loop over
 * samples allocates only a handful of times. Zero-initialise before first use; free with
 * mosaic_spikes_free. */
typedef struct {
    float *times;   /* (n) seconds, finite, >= 0, in file order */
    int32_t *units; /* (n) channel ids in [0, n_units) */
    int64_t n;      /* spikes in the sample */
    int64_t cap;    /* allocated length of both arrays */
} MosaicSpikes;

void mosaic_spikes_free(MosaicSpikes *spikes); /* accepts a zeroed or freed buffer */

/* ---- reader ---- */

typedef struct MosaicShd MosaicShd;

/* Opens `path` (".gz" suffix: gzip, inflated into memory and kept there until mosaic_shd_close), checks the
 * structure (every dataset above present with the right class of type; times/units/labels/speaker of equal
 * length N; every label in [0, classes); speakers >= 0) and reads labels, speakers and class names. Units are
 * checked against the root attribute "n_units" if the file has one (our writer stores it), else
 * MOSAIC_SHD_UNITS. On error *out is NULL and nothing stays open. Close with mosaic_shd_close. */
MosaicStatus mosaic_shd_open(const char *path, MosaicShd **out, MosaicErr *err);
void mosaic_shd_close(MosaicShd *shd); /* accepts NULL */

/* Opens a gzip-compressed dataset held in memory (data[0..n), not retained); `name` stands for the
 * file in messages. Inflating past max_inflated bytes is an error (a guard for untrusted input such as
 * the fuzz target's; SIZE_MAX for none). */
MosaicStatus mosaic_shd_open_gz_memory(const char *name, const void *data, size_t n, size_t max_inflated,
                                       MosaicShd **out, MosaicErr *err);

const char *mosaic_shd_path(const MosaicShd *shd);
int64_t mosaic_shd_num_samples(const MosaicShd *shd);
int mosaic_shd_num_classes(const MosaicShd *shd);
int mosaic_shd_num_units(const MosaicShd *shd);                   /* channels: 700 for SHD */
const char *mosaic_shd_class_name(const MosaicShd *shd, int cls); /* from /extra/keys */
int32_t mosaic_shd_label(const MosaicShd *shd, int64_t sample);
int32_t mosaic_shd_speaker(const MosaicShd *shd, int64_t sample);
/* The stored type of /spikes/times, e.g. "float16", "float32", "float64" (for `dataset info`). */
const char *mosaic_shd_times_type(const MosaicShd *shd);

/* Reads sample `sample` into `out` (grown as needed) and validates it: equal ragged lengths, units in
 * [0, n_units), times finite and >= 0. On error `out` keeps its buffers but its content is undefined.
 * Not thread-safe on one handle (HDF5 serial): open one handle per thread. */
MosaicStatus mosaic_shd_read_sample(MosaicShd *shd, int64_t sample, MosaicSpikes *out, MosaicErr *err);

/* Distinct speakers of the dataset in increasing order (malloc'd into *speakers, count in *n). */
MosaicStatus mosaic_shd_speakers(const MosaicShd *shd, int32_t **speakers, int *n, MosaicErr *err);

/* Chooses `n_pick` distinct speakers at random (seeded) from the dataset's speakers, in increasing
 * order, into picked[0..n_pick). Fails if the dataset has fewer than n_pick + 1 speakers (a split must
 * leave at least one speaker for training). */
MosaicStatus mosaic_shd_pick_speakers(const MosaicShd *shd, uint64_t seed, int n_pick, int32_t *picked,
                                      MosaicErr *err);

/* ---- writer ---- */

typedef struct MosaicShdWriter MosaicShdWriter;

/* Starts a dataset at `path` with `n_classes` class names (written to /extra/keys as fixed-length
 * strings, like the official files) and `n_units` channels (root attribute "n_units"). Everything is
 * written to "<path>.tmp-<pid>" and renamed by mosaic_shd_writer_finish, so a crash never leaves a
 * half file under the real name. A path ending ".gz" produces a gzip-compressed file.
 * Datasets are chunked and deflate-compressed; times are stored as IEEE float16 (round to nearest even,
 * as numpy's float16 conversion that produced the official files), units as uint16, labels and
 * speakers as uint16 (so values must be < 65536). */
MosaicStatus mosaic_shd_writer_begin(const char *path, const char *const *class_names, int n_classes,
                                     int n_units, MosaicShdWriter **out, MosaicErr *err);

/* Appends one sample of n spikes (times in seconds, finite, >= 0 and < 65504; units in [0, n_units)),
 * its label in [0, n_classes) and its speaker in [0, 65535]. Bad input leaves the writer usable. */
MosaicStatus mosaic_shd_writer_add(MosaicShdWriter *w, const float *times, const int32_t *units, int64_t n,
                                   int32_t label, int32_t speaker, MosaicErr *err);

/* Writes /extra/meta_info/<name> as a float64 array (e.g. "age", "body_height" per speaker). */
MosaicStatus mosaic_shd_writer_meta(MosaicShdWriter *w, const char *name, const double *values, int64_t n,
                                    MosaicErr *err);

/* Closes, compresses if ".gz", renames to the real path and frees the writer (also on error, in which
 * case the temporary file is removed). */
MosaicStatus mosaic_shd_writer_finish(MosaicShdWriter *w, MosaicErr *err);

/* mosaic_shd_writer_finish in two halves, for datasets that must replace their files together (a
 * train.h5 and its test.h5): close leaves the complete file under its temporary name (on error it
 * frees the writer, as finish does); then publish renames it and frees the writer, or abort
 * discards it. */
MosaicStatus mosaic_shd_writer_close(MosaicShdWriter *w, MosaicErr *err);
MosaicStatus mosaic_shd_writer_publish(MosaicShdWriter *w, MosaicErr *err);

/* Discards the temporary file (also a closed one) and frees the writer. Accepts NULL. */
void mosaic_shd_writer_abort(MosaicShdWriter *w);

/* ---- float16 (exposed for tests and for writers of other float16 data) ---- */

/* IEEE binary16 <-> float, round to nearest even, overflow to infinity, NaN kept. */
uint16_t mosaic_f16_from_float(float x);
float mosaic_f16_to_float(uint16_t h);

#ifdef __cplusplus
}
#endif
#endif
