/* The checking build of mosaic_bptt: double, smooth spikes whose derivative is the surrogate, so that
 * finite differences of the forward pass test the backward pass. Used by the gradient tests only. */
#include "mosaic_bptt.h"

#define MT_REAL double
#define MT_(name) mosaic_bptt64_##name
#define MT_T(name) MosaicBptt64##name
#define MT_F32 0
#define MT_SMOOTH 1
#include "mosaic_bptt_core.inc"
