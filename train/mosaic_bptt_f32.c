/* The engine build of mosaic_bptt: float, hard spikes, surrogate gradient. */
#include "mosaic_bptt.h"

#define MT_REAL float
#define MT_(name) mosaic_bptt_##name
#define MT_T(name) MosaicBptt##name
#define MT_F32 1
#define MT_SMOOTH 0
#include "mosaic_bptt_core.inc"
