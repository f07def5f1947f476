/* mosaic_proxy: what the training-time proxy predicts, so it can be checked against exact mapping.
 *
 * Routing-aware training constrains only gamma_d, the number of links at each distance d; it never
 * routes. The proxy's prediction for a network is therefore that of a random network with the same
 * per-distance densities p_d = gamma_d / (k * P_d), P_d being the ordered tile pairs at distance d:
 * its expected routing memory M and its probability of fitting the hardware. We estimate both by
 * drawing `draws` random networks at that profile with the reference budget rule and mapping each
 * exactly (a mapping check costs well under a millisecond). The rule rounds per source tile, so its
 * totals can miss gamma_d by a few links (a trained network below its budgets: 195 links at d = 3 drew
 * 192); the budgets are then corrected by largest remainder so that every draw has exactly gamma_d
 * links at each distance. The network's own exact mapping is the truth the proxy is judged against. */
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

/* Per-tile budgets (laid out as mosaic_profile_budgets) of random networks with exactly gamma[d] links at
 * each distance: the reference rule at the profile of gamma, then one link more (or less) at the tiles
 * whose exact share p_d * k * n_d(s) was rounded down (up) the most, until the totals are gamma_d. */
void mosaic_proxy_budgets(const MosaicArch *arch, const int *gamma, int *budgets);

/* Estimates M and mappability of networks with gamma[d] links at distance d (d = 0 .. max distance) from
 * `draws` random networks with those budgets, draw i seeded by mosaic_proxy_draw_seed(seed, i). */
MosaicStatus mosaic_proxy_estimate(const MosaicArch *arch, const int *gamma, int draws, uint64_t seed,
                                   MosaicProxyEstimate *est, MosaicErr *err);

/* Draws per estimate where nobody asks for another number (proxy-check's --draws, the co-simulation's
 * hardware records): the mean of 8 leaves a spread of a few per cent on a 5x5 array. */
#define MOSAIC_PROXY_DRAWS 8

/* The seed of draw i of an estimate at `seed`: a hash of both, so that estimates at nearby seeds (the
 * consecutive networks of proxy-check) share no draws, as seed + i made them do. */
uint64_t mosaic_proxy_draw_seed(uint64_t seed, int i);

/* The proxy's verdict: a network fits when at least half of its draws fit. */
static inline int mosaic_proxy_predicts_fit(const MosaicProxyEstimate *est) { return est->p_mappable >= 0.5; }

/* The mappability confusion matrix c[proxy fits][exact fits] of n verdicts (nonzero = fits). */
void mosaic_proxy_confusion(const int *proxy_fits, const int *exact_fits, int n, int c[2][2]);

/* The q-quantile of sorted x[0..n) (n >= 1) with linear interpolation between neighbours (numpy's
 * default), so that the median and the 90th percentile agree for any n. */
double mosaic_quantile_sorted(const double *x, int n, double q);

/* Pearson correlation of x and y (n >= 2; NaN when either is constant). */
double mosaic_pearson(const double *x, const double *y, int n);

#ifdef __cplusplus
}
#endif
#endif
