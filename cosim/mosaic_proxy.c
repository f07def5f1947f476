#include "mosaic_proxy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_mapper.h"
#include "mosaic_rng.h"

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

typedef struct {
    int tile;
    double gap; /* exact share minus budget */
} ProxyGap_;

static int by_gap_desc_(const void *a, const void *b) {
    const ProxyGap_ *x = a, *y = b;
    return x->gap != y->gap ? (x->gap < y->gap ? 1 : -1) : x->tile - y->tile;
}

void mosaic_proxy_budgets(const MosaicArch *arch, const int *gamma, int *budgets) {
    const int maxd = mosaic_arch_max_distance(arch), tiles = mosaic_arch_tiles(arch),
              k = arch->neurons_per_tile;
    MosaicProfile prof;
    mosaic_proxy_profile_of(arch, gamma, &prof);
    mosaic_profile_budgets(&prof, arch, budgets);
    /* pairs[s * (maxd + 1) + d] = k * n_d(s), once per tile (each count costs a pass over the tiles) */
    int *pairs = malloc(sizeof(int) * (size_t)tiles * ((size_t)maxd + 1));
    ProxyGap_ *cand = malloc(sizeof(ProxyGap_) * (size_t)tiles);
    if (!pairs || !cand) { /* keep the rule's budgets: close to gamma already */
        free(pairs), free(cand);
        return;
    }
    int counts[MOSAIC_PROFILE_MAX_D + 1];
    for (int s = 0; s < tiles; s++) {
        mosaic_tiles_at_distance(arch, s, counts);
        for (int d = 0; d <= maxd; d++) pairs[s * (maxd + 1) + d] = k * counts[d];
    }
    for (int d = 1; d <= maxd; d++) {
        int64_t total = 0;
        for (int s = 0; s < tiles; s++) total += budgets[s * (maxd + 1) + d];
        /* largest remainder: one link more at the tiles the rounding took the most from (or one less
         * where it gave the most), in passes of at most one link per tile */
        while (total != gamma[d]) {
            const int up = total < gamma[d];
            int n = 0;
            for (int s = 0; s < tiles; s++) {
                const int b = budgets[s * (maxd + 1) + d], p = pairs[s * (maxd + 1) + d];
                if (up ? b >= p : b <= 0) continue;
                cand[n].tile = s;
                cand[n].gap = (up ? 1 : -1) * (prof.p[d] * p - b);
                n++;
            }
            if (n == 0) break; /* gamma beyond what the array holds: keep what fits */
            qsort(cand, (size_t)n, sizeof *cand, by_gap_desc_);
            const int64_t need = up ? gamma[d] - total : total - gamma[d];
            const int take = need < n ? (int)need : n;
            for (int i = 0; i < take; i++) budgets[cand[i].tile * (maxd + 1) + d] += up ? 1 : -1;
            total += up ? take : -take;
        }
    }
    free(pairs), free(cand);
}

uint64_t mosaic_proxy_draw_seed(uint64_t seed, int i) {
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, (uint64_t)i);
    return mosaic_rng_u64(&rng);
}

MosaicStatus mosaic_proxy_estimate(const MosaicArch *arch, const int *gamma, int draws, uint64_t seed,
                                   MosaicProxyEstimate *est, MosaicErr *err) {
    memset(est, 0, sizeof *est);
    const int maxd = mosaic_arch_max_distance(arch), tiles = mosaic_arch_tiles(arch);
    int *budgets = malloc(sizeof(int) * (size_t)tiles * ((size_t)maxd + 1));
    if (!budgets) return mosaic_err(err, MOSAIC_ERR_NOMEM, "proxy: out of memory");
    mosaic_proxy_budgets(arch, gamma, budgets);
    double sum = 0, sum2 = 0;
    int fits = 0;
    MosaicStatus st = MOSAIC_OK;
    for (int i = 0; i < draws && st == MOSAIC_OK; i++) {
        MosaicLinks links;
        mosaic_links_init(&links);
        MosaicMapping m;
        memset(&m, 0, sizeof m);
        st = mosaic_links_random_budgets(&links, arch, budgets, mosaic_proxy_draw_seed(seed, i), err);
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
    free(budgets);
    if (st != MOSAIC_OK) return st;
    est->draws = draws;
    est->mean_m = draws ? sum / draws : NAN;
    est->sd_m = draws > 1 ? sqrt(fmax(0, (sum2 - sum * sum / draws) / (draws - 1))) : 0;
    est->p_mappable = draws ? (double)fits / draws : NAN;
    return MOSAIC_OK;
}

void mosaic_proxy_confusion(const int *proxy_fits, const int *exact_fits, int n, int c[2][2]) {
    c[0][0] = c[0][1] = c[1][0] = c[1][1] = 0;
    for (int i = 0; i < n; i++) c[proxy_fits[i] != 0][exact_fits[i] != 0]++;
}

double mosaic_quantile_sorted(const double *x, int n, double q) {
    const double pos = q * (n - 1);
    const int lo = (int)pos;
    return lo + 1 < n ? x[lo] + (pos - lo) * (x[lo + 1] - x[lo]) : x[n - 1];
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
