/* mosaic_sim_device: the device model of the NT crossbars (mosaic-reference.md §8).
 *
 * A weight is a differential pair of conductances (G+, G-), one of them programmed to |w|, each device
 * having `levels` conductance levels between 0 and Gmax (dev->gmax, or max |w| of the network when 0;
 * 0 levels = continuous), by the level rule of arch/mosaic_arch.h (mosaic_device_level).
 * Programming adds Gaussian noise of sigma programming_noise * Gmax to each programmed device; a
 * fraction of devices is stuck at 0 (the weight vanishes) or at Gmax (the pair reads +-Gmax).
 * Zero weights, and weights quantised to level 0, are unprogrammed pairs and stay exactly zero. Read noise is
 * per read and is applied by the neuron tile (mosaic_device_read_sigma). Ideal devices leave every weight
 * bit-identical. */
#ifndef MOSAIC_SIM_DEVICE_H
#define MOSAIC_SIM_DEVICE_H

#include "mosaic_network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills `eff` (uninitialised) with a copy of `net` whose NT weights (w_in, w_intra, link_w) are the
 * conductances actually programmed under `dev`. Deterministic in dev->seed. */
MosaicStatus mosaic_device_program(MosaicNetwork *eff, const MosaicNetwork *net, const MosaicDeviceModel *dev,
                                   MosaicErr *err);

/* Gmax: the largest |w| of the network's NT weights (0 for an all-zero network). */
float mosaic_device_gmax(const MosaicNetwork *net);

#ifdef __cplusplus
}
#endif
#endif
