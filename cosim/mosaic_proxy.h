/* mosaic_proxy: what the training-time proxy predicts, so it can be checked against exact mapping.
 *
 * Routing-aware training constrains only gamma_d, the number of links at each distance d; it never
 * routes. The proxy's prediction for a network is therefore that of a random network with the same
 * per-distance densities p_d = gamma_d / (k * P_d), P_d being the ordered tile pairs at distance d:
 * its expected routing memory M and its probability of fitting the hardware. We estimate both by
 * drawing `draws` random networks at that profile with the reference budget rule and mapping each
 * exactly (a mapping check costs well under a millisecond). The network's own exact mapping is then
 * the truth the proxy is judged against. */
#ifndef MOSAIC_PROXY_H
#define MOSAIC_PROXY_H

#include <stdint.h>

#include "mosaic_arch.h"
#include "mosaic_profile.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double mean_m, sd_m; /* devices M over the draws */
    double p_mappable;   /* fraction of draws that fit the capacities */
    int draws;
} MosaicProxyEstimate;

/* The profile whose budgets reproduce gamma (gamma[d] for d = 0 .. max distance): p_d = gamma_d /
 * (k * P_d), rounded to 9 decimals. */
void mosaic_proxy_profile_of(const MosaicArch *arch, const int *gamma, MosaicProfile *prof);

/* Estimates M and mappability for profile `prof` from `draws` random networks (streams seed, seed+1, ...). */
MosaicStatus mosaic_proxy_estimate(const MosaicArch *arch, const MosaicProfile *prof, int draws,
                                   uint64_t seed, MosaicProxyEstimate *est, MosaicErr *err);

/* Pearson correlation of x and y (n >= 2; NaN when either is constant). */
double mosaic_pearson(const double *x, const double *y, int n);

#ifdef __cplusplus
}
#endif
#endif
