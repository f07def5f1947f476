/* mosaic_cochlea_dataset: spoken-digit spike datasets in the SHD layout, made with the cochlea front end.
 *
 * Two sources:
 *  - synthetic digits 0-9 in English and German spoken by espeak-ng (run as a separate program), with
 *    voice variants as speakers (two held out for the test split, like SHD), random pitch, speed and
 *    level, background noise and a random position of the word in its frame;
 *  - a folder of recordings with a CSV of labels (e.g. the Free Spoken Digit Dataset).
 * Output: DIR/train.h5 and DIR/test.h5 (traces/mosaic_shd.h writer: /spikes, /labels, /extra/keys,
 * /extra/speaker; /extra/meta_info/sample_seed holds each sample's fibre seed) and DIR/dataset.txt
 * (parameters and their hash, which decides whether a cached dataset is current). */
#ifndef MOSAIC_COCHLEA_DATASET_H
#define MOSAIC_COCHLEA_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "mosaic_cochlea.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called after each converted file (done of total); `name` is the file or word just done; `work` is the
 * fraction of the whole job done, by audio length (recordings run shortest first, so a count would
 * underestimate the time left). */
typedef void (*MosaicDatasetProgress)(void *ctx, size_t done, size_t total, double work, const char *name);

typedef struct {
    size_t train, test;    /* samples written */
    size_t spikes;         /* total spikes */
    double audio_seconds;  /* total audio converted */
    int skipped;           /* 1: an up-to-date dataset was already there (nothing done) */
    size_t resampled;      /* inputs not at the working rate, resampled to it (libsoxr) */
    double resampled_from; /* the rate of the last such input, Hz */
} MosaicDatasetSummary;

typedef struct {
    int english, german; /* languages; classes 0-9 English and 10-19 German when both, like SHD */
    int per_class;       /* utterances per class, spread over the speakers */
    uint64_t seed;       /* master seed: voices, noise and each sample's fibre seed derive from it */
    double frame;        /* seconds per utterance (fixed, so one filter table serves the corpus) */
    double snr_db_min, snr_db_max; /* background noise, relative to the word's RMS */
    const char *espeak;            /* program to run ("espeak-ng") */
    MosaicCochleaParams cochlea;
    size_t cache_bytes; /* filter-cache budget (default MOSAIC_COCHLEA_CACHE_DEFAULT_BYTES) */
    MosaicDatasetProgress progress;
    void *progress_ctx;
} MosaicSynthOptions;

void mosaic_synth_options_default(MosaicSynthOptions *o);

/* Digest of everything that changes the synthetic dataset (not threads or callbacks). */
uint64_t mosaic_synth_options_hash(const MosaicSynthOptions *o);

/* The speaker (voice variant) names and which are held out for test; for reports and docs. */
int mosaic_synth_speakers(const char *const **names, const int **is_test);

/* Makes the synthetic dataset in out_dir (created if missing). If out_dir/dataset.txt records the same
 * hash and both files exist, nothing is done and summary->skipped = 1 unless force. Files are written
 * under temporary names and renamed. MOSAIC_ERR_IO if espeak-ng cannot be run. */
MosaicStatus mosaic_cochlea_synth_digits(const MosaicSynthOptions *o, const char *out_dir, int force,
                                         MosaicDatasetSummary *summary, MosaicErr *err);

typedef struct {
    const char *dir;        /* folder the CSV's file names are relative to */
    const char *labels_csv; /* lines "file,label[,speaker[,split]]"; '#' comments and a header allowed;
                               label: integer class; split: train or test (default train) */
    const char *keys;       /* comma-separated class names, or NULL for "0", "1", ... */
    int downmix;            /* average multi-channel files instead of rejecting them */
    uint64_t seed;
    MosaicCochleaParams cochlea;
    size_t cache_bytes; /* filter-cache budget (default MOSAIC_COCHLEA_CACHE_DEFAULT_BYTES) */
    MosaicDatasetProgress progress;
    void *progress_ctx;
} MosaicFromWavOptions;

void mosaic_from_wav_options_default(MosaicFromWavOptions *o);

/* Converts the listed recordings into out_dir/train.h5 and out_dir/test.h5 (each only if some row goes to
 * it; one left there by an earlier run is removed). Files are processed in order of length (the fixed-length
 * variant's filter tables are then built once each) and written in CSV order. */
MosaicStatus mosaic_cochlea_from_wav(const MosaicFromWavOptions *o, const char *out_dir,
                                     MosaicDatasetSummary *summary, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
