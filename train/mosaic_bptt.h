/* mosaic_bptt: forward and backward passes of the Mosaic LIF network, one piece at a time.
 *
 * Each differentiable piece (input, recurrence, LIF step with reset, readout, loss) is a
 * *_forward / *_backward pair; mosaic_bptt_sample_forward/_backward chain them over T steps for one
 * sample; mosaic_bptt_group_forward/_backward do the same for up to MOSAIC_BPTT_GROUP / _LANES samples at
 * once, bit for bit (the engine's path). Work is event-driven: the input and recurrent currents and their
 * weight gradients touch only the rows of active channels and spiking neurons; only the gradient into
 * the spikes (dz) reads every stored weight once per step.
 *
 * Exactness: in the float build a tile's current is the same sequence of float additions as
 * mosaic_lif_tile_current (input channels ascending, then spiking sources ascending) and the membrane
 * update is the expression of mosaic_lif_step, so the simulator reproduces these spikes bit for bit.
 *
 * Two builds of one source (mosaic_bptt_core.inc): mosaic_bptt_* in float with hard spikes (the engine)
 * and mosaic_bptt64_* in double with smooth spikes (gradient checks only). */
#ifndef MOSAIC_BPTT_H
#define MOSAIC_BPTT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_BPTT_GROUP 8  /* samples per group_forward call */
#define MOSAIC_BPTT_LANES 16 /* samples per group_backward call: the vector lanes of its dz kernel */
/* The reference's surrogate steepness: dz/dv = 1 / (10 |v - thr| + 1)^2 (mosaic-reference.md §4). */
#define MOSAIC_SURROGATE_REFERENCE 10.0

#define MT_REAL float
#define MT_(name) MT_CAT_(mosaic_bptt_, name)
#define MT_T(name) MT_CAT_(MosaicBptt, name)
#define MT_CAT_(a, b) a##b
#include "mosaic_bptt_api.inc"
#undef MT_REAL
#undef MT_
#undef MT_T

#define MT_REAL double
#define MT_(name) MT_CAT_(mosaic_bptt64_, name)
#define MT_T(name) MT_CAT_(MosaicBptt64, name)
#include "mosaic_bptt_api.inc"
#undef MT_REAL
#undef MT_
#undef MT_T
#undef MT_CAT_

#ifdef __cplusplus
}
#endif
#endif
