/* The engine's float forward pass gives exactly the membranes and spikes of the shared kernel
 * (mosaic_lif_tile_current + mosaic_lif_step) on random networks and inputs: the contract the
 * ideal-device simulator relies on. */
#include <stdlib.h>
#include <string.h>

#include "mosaic_infer.h"
#include "mosaic_lif.h"
#include "mosaic_rng.h"
#include "mosaic_test.h"

/* The simulator's view of one run: per tile, current from the kernel, then the kernel's step. */
static void reference_run_(const MosaicNetwork *net, int steps, const uint8_t *x, uint8_t *spikes,
                           float *vout) {
    MosaicInbound in;
    MosaicErr err;
    int st = mosaic_inbound_build(&in, net, &err);
    (void)st;
    const int k = net->arch.neurons_per_tile, tiles = mosaic_arch_tiles(&net->arch), n = tiles * k;
    float *v = calloc((size_t)n, sizeof(float)), cur[MOSAIC_MAX_K];
    uint8_t *z = calloc((size_t)n, 1);
    int32_t *spiked = malloc(sizeof(int32_t) * (size_t)n);
    int nspiked = 0;
    for (int t = 0; t < steps; t++) {
        for (int tile = 0; tile < tiles; tile++) {
            mosaic_lif_tile_current(net, &in, tile, x + (size_t)t * net->n_inputs, spiked, nspiked, cur);
            mosaic_lif_step(k, net->alpha, net->threshold, v + tile * k, z + tile * k, cur);
        }
        nspiked = 0;
        for (int i = 0; i < n; i++)
            if (z[i]) spiked[nspiked++] = i;
        memcpy(spikes + (size_t)t * n, z, (size_t)n);
        memcpy(vout + (size_t)t * n, v, sizeof(float) * (size_t)n);
    }
    free(v), free(z), free(spiked);
    mosaic_inbound_free(&in);
}

int main(int argc, char **argv) {
    uint64_t seed = mosaic_test_seed(argc, argv, 11);
    MosaicRng rng;
    mosaic_rng_seed(&rng, seed);
    TEST("EngineForwardEqualsKernelBitForBit") {
        long total_spikes = 0;
        for (int trial = 0; trial < 12; trial++) {
            MosaicArch arch;
            mosaic_arch_default(&arch);
            arch.rows = 2 + (int)mosaic_rng_below(&rng, 3);
            arch.cols = 2 + (int)mosaic_rng_below(&rng, 3);
            arch.neurons_per_tile = trial % 3 == 0 ? 32 : 5 + (int)mosaic_rng_below(&rng, 12);
            const int k = arch.neurons_per_tile, tiles = arch.rows * arch.cols, n = tiles * k;
            const int n_in = k * (1 + (int)mosaic_rng_below(&rng, (uint64_t)(tiles - 1))) - (trial & 1);
            const int classes = 1 + (int)mosaic_rng_below(&rng, (uint64_t)k);
            MosaicNetwork net;
            MosaicErr err;
            CHECK(mosaic_network_create(&net, &arch, n_in, classes, 16, &err) == MOSAIC_OK);
            net.output_recurrent = trial % 4 == 1;
            net.alpha = (float)(0.5 + 0.5 * mosaic_rng_uniform(&rng));
            for (int i = 0; i < net.n_input_tiles * k * k; i++)
                net.w_in[i] = (float)(mosaic_rng_normal(&rng) * 0.6);
            for (int t = 0; t < tiles; t++)
                if (mosaic_network_block_kind(&net, t) == MOSAIC_BLOCK_RECURRENT)
                    for (int i = 0; i < k * k; i++)
                        net.w_intra[t * k * k + i] = (float)(mosaic_rng_normal(&rng) * 0.3);
            float wl[MOSAIC_MAX_K];
            for (int s = 0; s < n; s++)
                for (int d = 0; d < tiles; d++)
                    if (d != s / k && mosaic_rng_uniform(&rng) < 0.3) {
                        for (int j = 0; j < k; j++) wl[j] = (float)(mosaic_rng_normal(&rng) * 0.3);
                        CHECK(mosaic_network_add_link(&net, s, d, wl) >= 0);
                    }
            CHECK(mosaic_network_canonicalize(&net, &err) == MOSAIC_OK);
            const int steps = 40;
            uint8_t *x = malloc((size_t)steps * n_in), *s1 = malloc((size_t)steps * n),
                    *s2 = malloc((size_t)steps * n);
            float *v1 = malloc(sizeof(float) * steps * n), *v2 = malloc(sizeof(float) * steps * n);
            for (int i = 0; i < steps * n_in; i++) x[i] = mosaic_rng_uniform(&rng) < 0.2;
            CHECK(mosaic_infer_sample(&net, steps, x, s1, v1, &err) == MOSAIC_OK);
            reference_run_(&net, steps, x, s2, v2);
            CHECK(memcmp(s1, s2, (size_t)steps * n) == 0);
            CHECK(memcmp(v1, v2, sizeof(float) * steps * n) == 0);
            for (int i = 0; i < steps * n; i++) total_spikes += s1[i];
            free(x), free(s1), free(s2), free(v1), free(v2);
            mosaic_network_free(&net);
        }
        printf("%ld spikes compared\n", total_spikes);
        CHECK(total_spikes > 1000);
    }
    /* k 20: blocks of 16 rows plus a remainder, and the generic list building; k 32 and 8: the powers of
     * two of the AVX-512 list building (where the machine has it). */
    for (int variant = 0; variant < 3; variant++) TEST("GroupBackwardEqualsSampleBackwardBitForBit") {
            const int k = variant == 0 ? 20 : variant == 1 ? 32 : 8;
            printf("k %d\n", k);
            MosaicArch arch;
            mosaic_arch_default(&arch);
            arch.rows = 3, arch.cols = 3, arch.neurons_per_tile = k;
            const int tiles = 9, n = tiles * k, steps = 30, n_in = 40, C = 5;
            MosaicNetwork net;
            MosaicErr err;
            CHECK(mosaic_network_create(&net, &arch, n_in, C, 16, &err) == MOSAIC_OK);
            for (int i = 0; i < net.n_input_tiles * k * k; i++)
                net.w_in[i] = (float)(mosaic_rng_normal(&rng) * 0.8);
            for (int i = 0; i < tiles * k * k; i++) net.w_intra[i] = (float)(mosaic_rng_normal(&rng) * 0.3);
            float wl[MOSAIC_MAX_K];
            for (int s = 0; s < n; s++)
                for (int d = 0; d < tiles; d++)
                    if (d != s / k && mosaic_rng_uniform(&rng) < 0.4) {
                        for (int j = 0; j < k; j++) wl[j] = (float)(mosaic_rng_normal(&rng) * 0.3);
                        mosaic_network_add_link(&net, s, d, wl);
                    }
            CHECK(mosaic_network_canonicalize(&net, &err) == MOSAIC_OK);
            MosaicBpttView view;
            MosaicViewIndex idx;
            CHECK(mosaic_view_build(&view, &idx, &net, steps, &err) == MOSAIC_OK);
            MosaicBpttTransposed tp = {0};
            CHECK(mosaic_bptt_transpose_build(&tp, &view) == 0);
            view.tr = &tp;
            float *dzn = malloc(sizeof(float) * n); /* a per-neuron rate term: both paths must add it alike */
            for (int i = 0; i < n; i++) dzn[i] = (float)(mosaic_rng_normal(&rng) * 0.01);
            view.dz_neuron = dzn;
            enum {
                S = MOSAIC_BPTT_LANES + 5
            }; /* forward: two full groups and a short one; backward: a full group and a short one */
            int32_t xs[S][31], xc[S][30 * 40];
            float *v = malloc(sizeof(float) * S * steps * n), dcounts[S][5], c1[S][5];
            double zs1[S];
            MosaicBpttWork *w[MOSAIC_BPTT_GROUP];
            for (int q = 0; q < MOSAIC_BPTT_GROUP; q++) w[q] = mosaic_bptt_work_create(n);
            for (int s = 0; s < S; s++) {
                int m = 0;
                xs[s][0] = 0;
                for (int t = 0; t < steps; t++) {
                    for (int c = 0; c < n_in; c++)
                        if (mosaic_rng_uniform(&rng) < 0.3) xc[s][m++] = c;
                    xs[s][t + 1] = m;
                }
                mosaic_bptt_sample_forward(&view, xs[s], xc[s], v + (size_t)s * steps * n, c1[s], &zs1[s],
                                           w[0]);
                for (int c = 0; c < C; c++) dcounts[s][c] = (float)mosaic_rng_normal(&rng);
            }
            float *store = malloc(sizeof(float) * mosaic_bptt_group_store_len(n, steps, n + net.n_links));
            uint64_t *zbits = NULL;
            /* The group forward gives every sample's membranes, counts and spike sum bit for bit. */
            {
                float *v2 = malloc(sizeof(float) * S * steps * n), c2[S][5];
                const size_t zl = mosaic_bptt_zbits_len(n, steps);
                zbits = malloc(sizeof(uint64_t) * zl * S);
                double zs2[S];
                for (int s0 = 0; s0 < S; s0 += MOSAIC_BPTT_GROUP) {
                    int grp = S - s0 < MOSAIC_BPTT_GROUP ? S - s0 : MOSAIC_BPTT_GROUP;
                    const int32_t *pxs[MOSAIC_BPTT_GROUP], *pxc[MOSAIC_BPTT_GROUP];
                    float *pv[MOSAIC_BPTT_GROUP], *pc[MOSAIC_BPTT_GROUP];
                    uint64_t *pz[MOSAIC_BPTT_GROUP];
                    for (int q = 0; q < grp; q++)
                        pxs[q] = xs[s0 + q], pxc[q] = xc[s0 + q], pv[q] = v2 + (size_t)(s0 + q) * steps * n,
                        pc[q] = c2[s0 + q], pz[q] = zbits + zl * (s0 + q);
                    mosaic_bptt_group_forward(&view, grp, pxs, pxc, pv, pc, zs2 + s0, w, store, pz);
                }
                CHECK(memcmp(v, v2, sizeof(float) * S * steps * n) == 0);
                CHECK(memcmp(c1, c2, sizeof c1) == 0);
                CHECK(memcmp(zs1, zs2, sizeof zs1) == 0);
                long spikes = 0;
                for (int s = 0; s < S; s++) spikes += (long)zs1[s];
                printf("%ld spikes in the group forward\n", spikes);
                CHECK(spikes > 100);
                free(v2);
            }
            const size_t sizes[3] = {(size_t)net.n_input_tiles * k * k, (size_t)tiles * k * k,
                                     (size_t)net.n_links * k};
            /* Two gradient sums, as the trainer's chunks of a batch: samples 0 .. 10 into the first, 11 ..
             * 20 into the second, each in sample order; the group calls mix them in their lanes. */
            enum { SPLIT = 11 };
            float *ga[6], *gb[6];
            for (int q = 0; q < 6; q++)
                ga[q] = calloc(sizes[q % 3], sizeof(float)), gb[q] = calloc(sizes[q % 3], sizeof(float));
            MosaicBpttGrads g1[2] = {{ga[0], ga[1], ga[2]}, {ga[3], ga[4], ga[5]}},
                            g2[2] = {{gb[0], gb[1], gb[2]}, {gb[3], gb[4], gb[5]}};
            for (int s = 0; s < S; s++)
                mosaic_bptt_sample_backward(&view, xs[s], xc[s], v + (size_t)s * steps * n, dcounts[s], 0.01f,
                                            &g1[s >= SPLIT], w[0]);
            const int calls[2][MOSAIC_BPTT_LANES + 1] = {
                {16, 0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17, 18}, {5, 8, 9, 10, 19, 20}};
            for (int c = 0; c < 2; c++) {
                const int grp = calls[c][0];
                const int32_t *pxs[MOSAIC_BPTT_LANES], *pxc[MOSAIC_BPTT_LANES];
                const float *pv[MOSAIC_BPTT_LANES], *pd[MOSAIC_BPTT_LANES];
                const uint64_t *pz[MOSAIC_BPTT_LANES];
                MosaicBpttGrads *pg[MOSAIC_BPTT_LANES];
                for (int q = 0; q < grp; q++) {
                    const int s = calls[c][q + 1];
                    pxs[q] = xs[s], pxc[q] = xc[s], pv[q] = v + (size_t)s * steps * n, pd[q] = dcounts[s];
                    pz[q] = zbits + mosaic_bptt_zbits_len(n, steps) * s, pg[q] = &g2[s >= SPLIT];
                }
                /* The first group reads the forward's spike bits, the second computes them. */
                mosaic_bptt_group_backward(&view, grp, pxs, pxc, pv, pd, 0.01f, pg, w[0], store,
                                           c ? NULL : pz);
            }
            for (int q = 0; q < 6; q++) CHECK(memcmp(ga[q], gb[q], sizeof(float) * sizes[q % 3]) == 0);
            double gmax = 0;
            for (size_t i = 0; i < sizes[2]; i++) gmax = fmax(gmax, fabs(ga[5][i]));
            CHECK(gmax > 0);
            for (int q = 0; q < 6; q++) free(ga[q]), free(gb[q]);
            for (int q = 0; q < MOSAIC_BPTT_GROUP; q++) mosaic_bptt_work_free(w[q]);
            free(v), free(store), free(zbits);
            mosaic_bptt_transpose_free(&tp);
            free(dzn);
            mosaic_view_index_free(&idx);
            mosaic_network_free(&net);
        }
    TEST("UnsortedLinksAreRejected") {
        MosaicArch arch;
        mosaic_arch_default(&arch);
        MosaicNetwork net;
        MosaicErr err;
        CHECK(mosaic_network_create(&net, &arch, 128, 20, 4, &err) == MOSAIC_OK);
        mosaic_network_add_link(&net, 40, 0, NULL);
        mosaic_network_add_link(&net, 3, 2, NULL);
        uint8_t x[128] = {0}, s[800];
        CHECK(mosaic_infer_sample(&net, 1, x, s, NULL, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "sorted") != NULL);
        mosaic_network_free(&net);
    }
    return mosaic_test_finish();
}
