#include "mosaic_proxy.h"

#include <math.h>
#include <string.h>

#include "mosaic_mapper.h"

void mosaic_proxy_profile_of(const MosaicArch *arch, const int *gamma, MosaicProfile *prof) {
    int maxd = mosaic_arch_max_distance(arch), tiles = mosaic_arch_tiles(arch);
    int counts[MOSAIC_PROFILE_MAX_D + 1];
    int64_t pairs[MOSAIC_PROFILE_MAX_D + 1] = {0};
    for (int s = 0; s < tiles; s++) {
        mosaic_tiles_at_distance(arch, s, counts);
        for (int d = 1; d <= maxd; d++) pairs[d] += counts[d];
    }
    memset(prof, 0, sizeof *prof);
    for (int d = 0; d <= MOSAIC_PROFILE_MAX_D; d++) prof->den[d] = 1;
    for (int d = 1; d <= maxd; d++) {
        if (!pairs[d] || gamma[d] <= 0) continue;
        double p = (double)gamma[d] / ((double)arch->neurons_per_tile * (double)pairs[d]);
        if (p > 1) p = 1;
        prof->den[d] = 1000000000;
        prof->num[d] = llround(p * 1e9);
        prof->p[d] = (double)prof->num[d] / 1e9;
        prof->max_d = d;
    }
}

MosaicStatus mosaic_proxy_estimate(const MosaicArch *arch, const MosaicProfile *prof, int draws,
                                   uint64_t seed, MosaicProxyEstimate *est, MosaicErr *err) {
    memset(est, 0, sizeof *est);
    double sum = 0, sum2 = 0;
    int fits = 0;
    MosaicStatus st = MOSAIC_OK;
    for (int i = 0; i < draws && st == MOSAIC_OK; i++) {
        MosaicLinks links;
        mosaic_links_init(&links);
        MosaicMapping m;
        memset(&m, 0, sizeof m);
        st = mosaic_links_random(&links, arch, prof, seed + (uint64_t)i, err);
        if (st == MOSAIC_OK) st = mosaic_map(&m, arch, &links, NULL, MOSAIC_MAP_REPORT, err);
        if (st == MOSAIC_OK) {
            double mm = (double)m.dev_total;
            sum += mm;
            sum2 += mm * mm;
            fits += mosaic_mapping_ok(&m);
        }
        mosaic_mapping_free(&m);
        mosaic_links_free(&links);
    }
    if (st != MOSAIC_OK) return st;
    est->draws = draws;
    est->mean_m = draws ? sum / draws : NAN;
    est->sd_m = draws > 1 ? sqrt(fmax(0, (sum2 - sum * sum / draws) / (draws - 1))) : 0;
    est->p_mappable = draws ? (double)fits / draws : NAN;
    return MOSAIC_OK;
}

double mosaic_pearson(const double *x, const double *y, int n) {
    if (n < 2) return NAN;
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) mx += x[i], my += y[i];
    mx /= n, my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx <= 0 || syy <= 0) return NAN;
    return sxy / sqrt(sxx * syy);
}
