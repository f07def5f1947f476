/* bench_mapper: speed of the mapping check and of the incremental router, and statistics of random
 * networks against shared docs routing.md / mosaic-reference.md §3, all measured in one run.
 * Targets (issue 2): full check 5x5 at p1 0.8 / p3 0.1 < 1 ms, 8x8 < 5 ms; one incremental add or
 * remove < 1 us. Reference peer (not runnable here): about 5 s per check with JAX, 0.15 s with NumPy. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_options.h"
#include "mosaic_clock.h"
#include "mosaic_mapper.h"
#include "mosaic_rng.h"

static int cmp_double_(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die_(const char *what, const MosaicErr *err) {
    fprintf(stderr, "bench_mapper: %s: %s\n", what, err->msg);
    exit(3);
}

static void draw_(MosaicLinks *l, const MosaicArch *a, const char *profile, uint64_t seed) {
    MosaicProfile p;
    MosaicErr err;
    mosaic_links_init(l);
    if (mosaic_profile_parse(&p, profile, "bench", &err) != MOSAIC_OK) die_("profile", &err);
    if (mosaic_links_random(l, a, &p, seed, &err) != MOSAIC_OK) die_("random network", &err);
}

/* Median seconds per mosaic_map call over `reps` timed calls (after one warm-up). */
static double time_map_(const MosaicArch *a, const MosaicLinks *l, unsigned flags, int reps) {
    double *t = malloc(sizeof(double) * (size_t)reps);
    MosaicMapping m;
    MosaicErr err;
    for (int r = -1; r < reps; r++) {
        const double t0 = mosaic_now_s();
        if (mosaic_map(&m, a, l, NULL, flags, &err) != MOSAIC_OK) die_("map", &err);
        const double t1 = mosaic_now_s();
        mosaic_mapping_free(&m);
        if (r >= 0) t[r] = t1 - t0;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double_);
    const double med = t[reps / 2];
    free(t);
    return med;
}

static const char usage_[] =
    "usage: bench_mapper [--quick]\n"
    "  The full mapping check (5x5, 8x8) and the incremental router, with the ratio of an incremental\n"
    "  add to a full re-route measured in the same run; then device counts and mappable fractions of\n"
    "  random networks against the reference figures.\n"
    "  --quick  fewer repetitions and seeds (a smoke run; the figures are then rough)\n";

int main(int argc, char **argv) {
    int quick = 0;
    if (bench_wants_help(argc, argv)) bench_usage_exit(usage_, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else
            bench_unknown(argv, i, usage_);
    }
    MosaicArch a5, a8;
    mosaic_arch_default(&a5);
    a8 = a5;
    a8.rows = a8.cols = 8;
    MosaicErr err;

    /* ---- full mapping check ---- */
    MosaicLinks l5, l8;
    draw_(&l5, &a5, "1:0.8,3:0.1", 1);
    draw_(&l8, &a8, "1:0.8,3:0.1", 1);
    const int reps = quick ? 50 : 500;
    const double full5 = time_map_(&a5, &l5, MOSAIC_MAP_REPORT, reps);
    const double cfg5 = time_map_(&a5, &l5, MOSAIC_MAP_CONFIG, reps);
    const double full8 = time_map_(&a8, &l8, MOSAIC_MAP_REPORT, reps);
    const double cfg8 = time_map_(&a8, &l8, MOSAIC_MAP_CONFIG, reps);
    printf("full mapping check (median of %d, p1 0.8 / p3 0.1):\n", reps);
    printf("  5x5 (%d links): %8.1f us report, %8.1f us with line assignment + crossbars   target < 1000 us: "
           "%s\n",
           l5.n, full5 * 1e6, cfg5 * 1e6, full5 < 1e-3 && cfg5 < 1e-3 ? "met" : "MISSED");
    printf("  8x8 (%d links): %8.1f us report, %8.1f us with line assignment + crossbars   target < 5000 us: "
           "%s\n",
           l8.n, full8 * 1e6, cfg8 * 1e6, full8 < 5e-3 && cfg8 < 5e-3 ? "met" : "MISSED");
    printf("  vs the reference peer's published 5 s (JAX) / 0.15 s (NumPy) per 5x5 check: %.0fx / %.0fx "
           "faster\n",
           5.0 / full5, 0.15 / full5);

    /* ---- incremental add / remove ---- */
    MosaicRouter *r;
    if (mosaic_router_create(&r, &a5, NULL, &err) != MOSAIC_OK) die_("router", &err);
    if (mosaic_router_add_all(r, &l5, &err) != MOSAIC_OK) die_("router add_all", &err);
    enum { NOPS = 4096 };
    int32_t src[NOPS], dst[NOPS];
    MosaicRng rng;
    mosaic_rng_seed(&rng, 7);
    for (int i = 0; i < NOPS; i++) { /* absent links at a mix of distances */
        do {
            src[i] = (int32_t)mosaic_rng_below(&rng, 800);
            dst[i] = (int32_t)mosaic_rng_below(&rng, 25);
        } while (dst[i] == src[i] / 32 || mosaic_router_has(r, src[i], dst[i]));
        /* keep the draw set free of duplicates */
        for (int j = 0; j < i; j++)
            if (src[j] == src[i] && dst[j] == dst[i]) {
                i--;
                break;
            }
    }
    const int rounds = quick ? 20 : 200;
    /* medians over the rounds, like the full check they are compared with */
    double *t_fit = malloc(sizeof(double) * (size_t)rounds), *t_add = malloc(sizeof(double) * (size_t)rounds),
           *t_rm = malloc(sizeof(double) * (size_t)rounds);
    if (!t_fit || !t_add || !t_rm) return 3;
    volatile int sink = 0;
    for (int round = 0; round < rounds; round++) {
        double t0 = mosaic_now_s();
        for (int i = 0; i < NOPS; i++) sink += mosaic_router_fits(r, src[i], dst[i]);
        double t1 = mosaic_now_s();
        for (int i = 0; i < NOPS; i++) mosaic_router_add(r, src[i], dst[i], &err);
        double t2 = mosaic_now_s();
        for (int i = 0; i < NOPS; i++) mosaic_router_remove(r, src[i], dst[i], &err);
        double t3 = mosaic_now_s();
        t_fit[round] = (t1 - t0) / NOPS;
        t_add[round] = (t2 - t1) / NOPS;
        t_rm[round] = (t3 - t2) / NOPS;
    }
    (void)sink;
    qsort(t_fit, (size_t)rounds, sizeof *t_fit, cmp_double_);
    qsort(t_add, (size_t)rounds, sizeof *t_add, cmp_double_);
    qsort(t_rm, (size_t)rounds, sizeof *t_rm, cmp_double_);
    const double best_fit = t_fit[rounds / 2], best_add = t_add[rounds / 2], best_rm = t_rm[rounds / 2];
    free(t_fit), free(t_add), free(t_rm);
    printf("incremental router (5x5 network loaded, %d random absent links, median of %d rounds):\n", NOPS,
           rounds);
    printf("  fits query %6.1f ns, add %6.1f ns, remove %6.1f ns per link   target < 1000 ns: %s\n",
           best_fit * 1e9, best_add * 1e9, best_rm * 1e9,
           best_add < 1e-6 && best_rm < 1e-6 ? "met" : "MISSED");
    printf("  ratio incremental add / full re-route (5x5 report): 1 : %.0f\n", full5 / best_add);
    mosaic_router_free(r);

    /* ---- statistics of random 5x5 networks vs the reference ---- */
    static const struct {
        const char *profile;
        double nt, r1, r0, m; /* mosaic-reference.md §3, means of 10 seeds */
    } means[] = {{"1:0.8,3:0", 3699, 4096, 0, 0.34e6},
                 {"1:0.8,3:0.1", 4160, 8840, 1811, 0.70e6},
                 {"1:0.8,3:0.2", 4675, 16022, 5624, 1.28e6},
                 {"1:0.95,3:0.29", 5523, 26361, 10293, 2.09e6}};
    printf("mean device counts of random 5x5 networks, 10 seeds (reference mean in brackets):\n");
    for (size_t p = 0; p < sizeof means / sizeof means[0]; p++) {
        double nt = 0, r1 = 0, r0 = 0, m = 0;
        for (int s = 1; s <= 10; s++) {
            MosaicLinks l;
            MosaicMapping mm;
            draw_(&l, &a5, means[p].profile, (uint64_t)s);
            if (mosaic_map(&mm, &a5, &l, NULL, 0, &err) != MOSAIC_OK) die_("map", &err);
            nt += (double)mm.dev_nt / 10, r1 += (double)mm.dev_r1 / 10, r0 += (double)mm.dev_r0 / 10;
            m += (double)mm.dev_total / 10;
            mosaic_mapping_free(&mm);
            mosaic_links_free(&l);
        }
        printf("  %-14s NT %5.0f [%5.0f]  R1 %6.0f [%6.0f]  R0 %6.0f [%6.0f]  M %.2f M [%.2f M]\n",
               means[p].profile, nt, means[p].nt, r1, means[p].r1, r0, means[p].r0, m / 1e6,
               means[p].m / 1e6);
    }
    static const struct {
        const char *profile;
        double ref; /* routing.md, fraction mappable on 32/32/8 */
    } frac[] = {{"1:0.8,3:0.01", 0.99},
                {"1:0.8,3:0.05", 0.24},
                {"1:0.8,3:0.08", 0.0},
                {"1:0.8,3:0.1", 0.0},
                {"1:0.95,3:0.01", 0.02}};
    const int seeds = quick ? 50 : 500;
    printf("mappable fraction of random 5x5 networks on 32/32/8, %d seeds (routing.md figure in brackets):\n",
           seeds);
    for (size_t p = 0; p < sizeof frac / sizeof frac[0]; p++) {
        int ok = 0;
        for (int s = 1; s <= seeds; s++) {
            MosaicLinks l;
            MosaicMapping mm;
            draw_(&l, &a5, frac[p].profile, (uint64_t)s);
            if (mosaic_map(&mm, &a5, &l, NULL, 0, &err) != MOSAIC_OK) die_("map", &err);
            ok += mm.n_violations == 0;
            mosaic_mapping_free(&mm);
            mosaic_links_free(&l);
        }
        printf("  %-14s %5.1f %% [%4.0f %%]\n", frac[p].profile, 100.0 * ok / seeds, 100.0 * frac[p].ref);
    }
    mosaic_links_free(&l5);
    mosaic_links_free(&l8);
    return 0;
}
