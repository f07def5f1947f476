/* mosaic_synth: small synthetic spoken-word-like datasets in the exact SHD layout, in seconds.
 *
 * Real spike data comes from the cochlea front end (minutes for a useful set) or from users (SHD). Tests,
 * demos and CI need something faster that still exercises every path: each class is a "word" of three
 * formant-like tracks (a band of units whose centre sweeps linearly over the word), each speaker shifts
 * the tracks in place and stretches them in time, each utterance jitters both, and every unit adds
 * background spikes. Two speakers are held out for the test file, as in SHD. Deterministic in `seed`.
 * This is a stand-in for spoken digits, not a model of speech: say so wherever results on it appear. */
#ifndef MOSAIC_SYNTH_H
#define MOSAIC_SYNTH_H

#include <stdint.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int classes;       /* words (default 10) */
    int speakers;      /* speakers (default 8); the last 2 are the test speakers */
    int per_speaker;   /* utterances of each word by each speaker (default 6) */
    int units;         /* channels (default 700, like SHD) */
    double duration_s; /* mean word length (default 0.8 s) */
    double rate_hz;    /* peak firing rate on a track (default 80 Hz) */
    double noise_hz;   /* background rate per unit (default 3 Hz) */
    int64_t seed;      /* default 1 */
} MosaicSynthSpec;

void mosaic_synth_default(MosaicSynthSpec *spec);

/* Writes DIR/train.h5 and DIR/test.h5 (creating DIR if needed), each atomically. */
MosaicStatus mosaic_synth_write(const char *dir, const MosaicSynthSpec *spec, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
