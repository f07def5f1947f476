/* mosaic_profile: connection profiles P = {p1, p3, p5, ...} and the exact link budgets they imply.
 *
 * A profile gives, for each distance d, the fraction p_d of possible links from a source tile to the
 * tiles at distance d. The budget of source tile s at distance d is
 *     B(s, d) = round_half_to_even(p_d * k * n_d(s))
 * links (k neurons per tile, n_d(s) tiles at distance d from s). p_d is kept as an exact decimal
 * fraction so that the rounding of ties is exact (the reference computes this in float16; we do not).
 * The routing-aware trainer and the mapper's random networks both use this one rule. */
#ifndef MOSAIC_PROFILE_H
#define MOSAIC_PROFILE_H

#include <stdint.h>

#include "mosaic_arch.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_PROFILE_MAX_D (4 * MOSAIC_MAX_SIDE)

typedef struct {
    int max_d;                             /* largest distance with p_d given (0 = empty profile) */
    double p[MOSAIC_PROFILE_MAX_D + 1];    /* p[d] in [0, 1]; 0 where not given */
    int64_t num[MOSAIC_PROFILE_MAX_D + 1]; /* p[d] = num[d] / den[d] exactly */
    int64_t den[MOSAIC_PROFILE_MAX_D + 1];
} MosaicProfile;

/* Parses "1:0.8,3:0.1" (distance:fraction pairs; distances odd and >= 1, fractions decimal in [0, 1]
 * with at most 9 decimals). Errors name `source` and the offending pair. */
MosaicStatus mosaic_profile_parse(MosaicProfile *prof, const char *text, const char *source, MosaicErr *err);

/* Formats as "1:0.8,3:0.1" into out (always NUL-terminated). */
void mosaic_profile_format(const MosaicProfile *prof, char *out, int outlen);

/* round_half_to_even(p_d * k * n) computed exactly. */
int64_t mosaic_profile_budget_for(const MosaicProfile *prof, int d, int64_t k_times_n);

/* budgets[s * (max_distance + 1) + d] = B(s, d) for every source tile s and d = 0 .. max distance of the
 * array (budgets must hold tiles * (max_distance + 1) ints; B(s, 0) = 0). Returns the total. */
int64_t mosaic_profile_budgets(const MosaicProfile *prof, const MosaicArch *arch, int *budgets);

#ifdef __cplusplus
}
#endif
#endif
