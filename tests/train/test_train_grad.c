/* Finite-difference checks of every backward piece and of the whole network, in the double build whose
 * smooth spikes have the surrogate as their exact derivative. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_bptt.h"
#include "mosaic_rng.h"
#include "mosaic_test.h"

#define K 4
#define TILES 4
#define N (K * TILES)
#define NIN 6
#define NIT 2
#define C 3
#define T 6
#define EPS 1e-6
#define TOL 1e-6

static MosaicRng rng_;
static double w_in_[NIT * K * K], w_intra_[N * K], link_w_[64 * K];
static int32_t link_dst_[64], out_start_[N + 1];
static uint8_t recurrent_[TILES] = {0, 0, 1, 0}; /* tiles 0, 1 input; tile 3 output */

static double rnd_(double s) { return s * (2 * mosaic_rng_uniform(&rng_) - 1); }

/* A random network: each neuron gets 0..2 links to other tiles, ascending by source. */
static MosaicBptt64View make_view_(void) {
    int nl = 0;
    out_start_[0] = 0;
    for (int i = 0; i < N; i++) {
        for (int t = 0; t < TILES; t++)
            if (t != i / K && mosaic_rng_uniform(&rng_) < 0.5 && nl < 64) link_dst_[nl++] = t;
        out_start_[i + 1] = nl;
    }
    for (int i = 0; i < NIT * K * K; i++) w_in_[i] = rnd_(1.5);
    for (int i = 0; i < N * K; i++) w_intra_[i] = rnd_(0.6);
    for (int i = 0; i < nl * K; i++) link_w_[i] = rnd_(0.6);
    MosaicBptt64View p = {N,    K,    TILES, T,        NIN,        NIT,     C,         exp(-1.0 / 45),
                          1.0,  10.0, w_in_, w_intra_, recurrent_, link_w_, link_dst_, out_start_,
                          NULL, NULL};
    return p;
}

static double dot_(const double *a, const double *b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* Central difference of f at *x. */
#define FD(x, expr)                                                                                          \
    ({                                                                                                       \
        double x0_ = (x);                                                                                    \
        (x) = x0_ + EPS;                                                                                     \
        double fp_ = (expr);                                                                                 \
        (x) = x0_ - EPS;                                                                                     \
        double fm_ = (expr);                                                                                 \
        (x) = x0_;                                                                                           \
        (fp_ - fm_) / (2 * EPS);                                                                             \
    })

static double r_[N];
static int32_t chan_[] = {0, 3, 4, 5};
static int32_t ev_idx_[N];
static double ev_val_[N];
static int nev_;

static double input_loss_(const MosaicBptt64View *p) {
    double cur[N] = {0};
    mosaic_bptt64_input_forward(p, chan_, 4, cur);
    return dot_(cur, r_, N);
}

static double rec_loss_(const MosaicBptt64View *p) {
    double cur[N] = {0};
    mosaic_bptt64_rec_forward(p, ev_idx_, ev_val_, nev_, cur);
    return dot_(cur, r_, N);
}

static double vp_[N], zp_[N], cu_[N], a_[N], b_[N], sg_ = 10;
static double lif_loss_(void) {
    double v[N], z[N];
    mosaic_bptt64_lif_forward(N, 0.9, 1.0, sg_, vp_, zp_, cu_, v, z);
    return dot_(v, a_, N) + dot_(z, b_, N);
}

static double counts_[C], rc_[C];
static double readout_loss_(void) {
    double logp[C];
    mosaic_bptt64_readout_forward(C, counts_, logp);
    return dot_(logp, rc_, C);
}

/* The whole network on one sample: CE + firing-rate term over its T*N spikes. */
static int32_t xs_[T + 1], xc_[T * NIN];
static double net_loss_(const MosaicBptt64View *p, int label, double lambda, double target) {
    static double v_all[T * N];
    double counts[C], logp[C], zsum;
    MosaicBptt64Work *w = mosaic_bptt64_work_create(N);
    mosaic_bptt64_sample_forward(p, xs_, xc_, v_all, counts, &zsum, w);
    mosaic_bptt64_work_free(w);
    mosaic_bptt64_readout_forward(C, counts, logp);
    return mosaic_bptt64_ce_forward(logp, label) +
           mosaic_bptt64_fr_forward(zsum, (double)T * N, lambda, target);
}

/* The same with the per-neuron rate term instead of the population one. */
static double net_loss_neuron_(const MosaicBptt64View *p, int label, double lambda, double target) {
    static double v_all[T * N];
    double counts[C], logp[C], zsum, zn[N] = {0};
    MosaicBptt64Work *w = mosaic_bptt64_work_create(N);
    mosaic_bptt64_sample_forward(p, xs_, xc_, v_all, counts, &zsum, w);
    mosaic_bptt64_work_free(w);
    mosaic_bptt64_spike_sums(p, v_all, zn);
    mosaic_bptt64_readout_forward(C, counts, logp);
    return mosaic_bptt64_ce_forward(logp, label) + mosaic_bptt64_frn_forward(N, zn, T, lambda, target);
}

int main(int argc, char **argv) {
    uint64_t seed = mosaic_test_seed(argc, argv, 7);
    mosaic_rng_seed(&rng_, seed);
    MosaicBptt64View p = make_view_();
    for (int i = 0; i < N; i++) r_[i] = rnd_(1);

    TEST("InputBackwardMatchesFiniteDifferences") {
        static double g_in[NIT * K * K];
        MosaicBptt64Grads g = {g_in, NULL, NULL};
        mosaic_bptt64_input_backward(&p, chan_, 4, r_, &g);
        for (int i = 0; i < NIT * K * K; i++) CHECK_NEAR(g_in[i], FD(w_in_[i], input_loss_(&p)), TOL);
    }

    TEST("RecurrenceBackwardMatchesFiniteDifferences") {
        nev_ = 0;
        for (int i = 0; i < N; i++)
            if (mosaic_rng_uniform(&rng_) < 0.6) ev_idx_[nev_] = i, ev_val_[nev_++] = rnd_(1);
        static double g_intra[N * K], g_link[64 * K];
        double dz[N] = {0};
        MosaicBptt64Grads g = {NULL, g_intra, g_link};
        mosaic_bptt64_rec_backward_dw(&p, ev_idx_, ev_val_, nev_, r_, &g);
        mosaic_bptt64_rec_backward_dz(&p, r_, dz);
        /* The transposed path gives the same gradient into the spikes. */
        MosaicBptt64Transposed tp = {0};
        CHECK(mosaic_bptt64_transpose_build(&tp, &p) == 0);
        MosaicBptt64View pt = p;
        pt.tr = &tp;
        double dz2[N] = {0};
        mosaic_bptt64_rec_backward_dz(&pt, r_, dz2);
        for (int i = 0; i < N; i++) CHECK_NEAR(dz2[i], dz[i], 1e-12);
        mosaic_bptt64_transpose_free(&tp);
        for (int i = 0; i < N * K; i++) CHECK_NEAR(g_intra[i], FD(w_intra_[i], rec_loss_(&p)), TOL);
        for (int i = 0; i < out_start_[N] * K; i++) CHECK_NEAR(g_link[i], FD(link_w_[i], rec_loss_(&p)), TOL);
        for (int e = 0; e < nev_; e++) CHECK_NEAR(dz[ev_idx_[e]], FD(ev_val_[e], rec_loss_(&p)), TOL);
        CHECK(out_start_[N] > 0);
    }

    TEST("LifStepBackwardMatchesFiniteDifferences") {
        for (int wide = 0; wide < 2; wide++) { /* the reference surrogate and a wider one */
            sg_ = wide ? 2 : MOSAIC_SURROGATE_REFERENCE;
            for (int i = 0; i < N; i++) {
                vp_[i] = rnd_(2), zp_[i] = mosaic_rng_uniform(&rng_), cu_[i] = rnd_(1);
                a_[i] = rnd_(1), b_[i] = rnd_(1);
            }
            double dv[N], dvp[N], dzp[N], v[N], z[N];
            mosaic_bptt64_lif_forward(N, 0.9, 1.0, sg_, vp_, zp_, cu_, v, z);
            mosaic_bptt64_lif_backward(N, 0.9, 1.0, sg_, v, b_, a_, dv, dvp, dzp);
            for (int i = 0; i < N; i++) {
                CHECK_NEAR(dv[i], FD(cu_[i], lif_loss_()), TOL);
                CHECK_NEAR(dvp[i], FD(vp_[i], lif_loss_()), TOL);
                CHECK_NEAR(dzp[i], FD(zp_[i], lif_loss_()), TOL);
            }
        }
    }

    TEST("SurrogateIsTheReferenceShape") {
        const float s = (float)MOSAIC_SURROGATE_REFERENCE;
        CHECK_NEAR(mosaic_bptt_surrogate(1.0f, 1.0f, s), 1.0, 0);
        CHECK_NEAR(mosaic_bptt_surrogate(1.1f, 1.0f, s), 0.25, 1e-6);
        CHECK_NEAR(mosaic_bptt_surrogate(0.7f, 1.0f, s), 1.0 / 16, 1e-6);
        CHECK_NEAR(mosaic_bptt_surrogate(0.5f, 1.0f, 2.0f), 0.25, 1e-6); /* a wider one */
        CHECK(mosaic_bptt_spike(1.0f, 1.0f, s) == 0.0f && mosaic_bptt_spike(1.0001f, 1.0f, s) == 1.0f);
    }

    TEST("ReadoutBackwardMatchesFiniteDifferences") {
        for (int c = 0; c < C; c++) counts_[c] = 10 * mosaic_rng_uniform(&rng_), rc_[c] = rnd_(1);
        double logp[C], dc[C] = {0};
        mosaic_bptt64_readout_forward(C, counts_, logp);
        mosaic_bptt64_readout_backward(C, logp, rc_, dc);
        for (int c = 0; c < C; c++) CHECK_NEAR(dc[c], FD(counts_[c], readout_loss_()), TOL);
    }

    TEST("LossBackwardMatchesFiniteDifferences") {
        double logp[C] = {-1.2, -0.5, -2.0}, dl[C] = {0};
        mosaic_bptt64_ce_backward(C, 1, 1.0, dl);
        CHECK_NEAR(dl[1], FD(logp[1], mosaic_bptt64_ce_forward(logp, 1)), TOL);
        CHECK_NEAR(dl[0], 0, 0);
        double zs = 37.0;
        CHECK_NEAR(mosaic_bptt64_fr_backward(zs, 200, 10, 5),
                   FD(zs, mosaic_bptt64_fr_forward(zs, 200, 10, 5)), TOL);
    }

    TEST("WholeNetworkBackwardMatchesFiniteDifferences") {
        xs_[0] = 0;
        int m = 0;
        for (int t = 0; t < T; t++) {
            for (int c = 0; c < NIN; c++)
                if (mosaic_rng_uniform(&rng_) < 0.4) xc_[m++] = c;
            xs_[t + 1] = m;
        }
        const int label = 2;
        const double lambda = 0.3, target = 4.0;
        static double v_all[T * N], g_in[NIT * K * K], g_intra[N * K], g_link[64 * K];
        double counts[C], logp[C], dlogp[C] = {0}, dcounts[C] = {0}, zsum;
        MosaicBptt64Work *w = mosaic_bptt64_work_create(N);
        mosaic_bptt64_sample_forward(&p, xs_, xc_, v_all, counts, &zsum, w);
        mosaic_bptt64_readout_forward(C, counts, logp);
        mosaic_bptt64_ce_backward(C, label, 1.0, dlogp);
        mosaic_bptt64_readout_backward(C, logp, dlogp, dcounts);
        double dz_all = mosaic_bptt64_fr_backward(zsum, (double)T * N, lambda, target);
        MosaicBptt64Grads g = {g_in, g_intra, g_link};
        MosaicBptt64Transposed tp = {0};
        CHECK(mosaic_bptt64_transpose_build(&tp, &p) == 0);
        MosaicBptt64View pt = p; /* the engine's path: spikes' gradient through the transposed weights */
        pt.tr = &tp;
        mosaic_bptt64_sample_backward(&pt, xs_, xc_, v_all, dcounts, dz_all, &g, w);
        mosaic_bptt64_transpose_free(&tp);
        mosaic_bptt64_work_free(w);
        double worst = 0, gmax = 0;
        for (int i = 0; i < NIT * K * K; i++) {
            double fd = FD(w_in_[i], net_loss_(&p, label, lambda, target));
            CHECK_NEAR(g_in[i], fd, 1e-5);
            worst = fmax(worst, fabs(g_in[i] - fd)), gmax = fmax(gmax, fabs(fd));
        }
        for (int i = 0; i < N * K; i++) {
            if (!recurrent_[i / (K * K)]) continue;
            double fd = FD(w_intra_[i], net_loss_(&p, label, lambda, target));
            CHECK_NEAR(g_intra[i], fd, 1e-5);
            worst = fmax(worst, fabs(g_intra[i] - fd)), gmax = fmax(gmax, fabs(fd));
        }
        for (int i = 0; i < out_start_[N] * K; i++) {
            double fd = FD(link_w_[i], net_loss_(&p, label, lambda, target));
            CHECK_NEAR(g_link[i], fd, 1e-5);
            worst = fmax(worst, fabs(g_link[i] - fd)), gmax = fmax(gmax, fabs(fd));
        }
        printf("whole network: largest |gradient| %.3g, largest |backward - finite difference| %.3g\n", gmax,
               worst);
        CHECK(gmax > 1e-3); /* the check is not vacuous */
    }

    TEST("PerNeuronRateTermBackwardMatchesFiniteDifferences") {
        /* xs_/xc_ hold the previous test's input */
        const int label = 1;
        const double lambda = 0.3, target = 2.0;
        static double v_all[T * N], g_in[NIT * K * K], g_intra[N * K], g_link[64 * K];
        double counts[C], logp[C], dlogp[C] = {0}, dcounts[C] = {0}, zsum, zn[N] = {0}, dzn[N];
        memset(g_in, 0, sizeof g_in), memset(g_intra, 0, sizeof g_intra), memset(g_link, 0, sizeof g_link);
        MosaicBptt64Work *w = mosaic_bptt64_work_create(N);
        mosaic_bptt64_sample_forward(&p, xs_, xc_, v_all, counts, &zsum, w);
        mosaic_bptt64_spike_sums(&p, v_all, zn);
        mosaic_bptt64_frn_backward(N, zn, T, lambda, target, dzn);
        mosaic_bptt64_readout_forward(C, counts, logp);
        mosaic_bptt64_ce_backward(C, label, 1.0, dlogp);
        mosaic_bptt64_readout_backward(C, logp, dlogp, dcounts);
        MosaicBptt64Grads g = {g_in, g_intra, g_link};
        MosaicBptt64View pn = p;
        pn.dz_neuron = dzn;
        mosaic_bptt64_sample_backward(&pn, xs_, xc_, v_all, dcounts, 0.0, &g, w);
        mosaic_bptt64_work_free(w);
        double gmax = 0;
        for (int i = 0; i < out_start_[N] * K; i++) {
            double fd = FD(link_w_[i], net_loss_neuron_(&p, label, lambda, target));
            CHECK_NEAR(g_link[i], fd, 1e-5);
            gmax = fmax(gmax, fabs(fd));
        }
        for (int i = 0; i < NIT * K * K; i++)
            CHECK_NEAR(g_in[i], FD(w_in_[i], net_loss_neuron_(&p, label, lambda, target)), 1e-5);
        CHECK(gmax > 1e-3);
        /* the rate term alone: each neuron's own error, not the population's */
        double zq[N] = {0}, dq[N];
        zq[0] = 3 * T; /* neuron 0 fires at 3x the target's rate, the rest are silent */
        mosaic_bptt64_frn_backward(N, zq, T, 1.0, 1.0, dq);
        CHECK(dq[0] > 0 && dq[1] < 0);
    }

    TEST("GroupPathsEqualSamplePathsInTheSmoothBuild") {
        /* The engine's group forward and backward against the checked per-sample pieces, with smooth
         * spikes (every neuron an event, spike values != 1) and k = 20: whole vector chunks plus a rest. */
        enum { GK = 20, GT = 4, GN = GK * GT, GS = 3, GSTEPS = 9, GIN = 30, GC = 4 };
        static double gw_in[2 * GK * GK], gw_intra[GN * GK], glink_w[GN * GT * GK];
        static int32_t gdst[GN * GT], gout[GN + 1];
        static const uint8_t grec[GT] = {1, 0, 1, 1};
        int nl = 0;
        gout[0] = 0;
        for (int i = 0; i < GN; i++) {
            for (int t = 0; t < GT; t++)
                if (t != i / GK && mosaic_rng_uniform(&rng_) < 0.5) gdst[nl++] = t;
            gout[i + 1] = nl;
        }
        for (int i = 0; i < 2 * GK * GK; i++) gw_in[i] = rnd_(1.5);
        for (int i = 0; i < GN * GK; i++) gw_intra[i] = rnd_(0.3);
        for (int i = 0; i < nl * GK; i++) glink_w[i] = rnd_(0.3);
        MosaicBptt64View gp = {GN,  GK,    GT,       GSTEPS, GIN,     2,    GC,   0.9,  1.0,
                               3.0, gw_in, gw_intra, grec,   glink_w, gdst, gout, NULL, NULL};
        MosaicBptt64Transposed tp = {0};
        CHECK(mosaic_bptt64_transpose_build(&tp, &gp) == 0);
        gp.tr = &tp;
        static double gdzn[GN]; /* a per-neuron rate term too: both paths must add it alike */
        for (int i = 0; i < GN; i++) gdzn[i] = rnd_(0.01);
        gp.dz_neuron = gdzn;
        static int32_t xs[GS][GSTEPS + 1], xc[GS][GSTEPS * GIN];
        static double v1[GS][GSTEPS * GN], v2[GS][GSTEPS * GN], c1[GS][GC], c2[GS][GC], dc[GS][GC];
        double zs1[GS], zs2[GS];
        MosaicBptt64Work *w[MOSAIC_BPTT_GROUP];
        for (int q = 0; q < MOSAIC_BPTT_GROUP; q++) w[q] = mosaic_bptt64_work_create(GN);
        for (int s = 0; s < GS; s++) {
            int m = 0;
            xs[s][0] = 0;
            for (int t = 0; t < GSTEPS; t++) {
                for (int c = 0; c < GIN; c++)
                    if (mosaic_rng_uniform(&rng_) < 0.3) xc[s][m++] = c;
                xs[s][t + 1] = m;
            }
            mosaic_bptt64_sample_forward(&gp, xs[s], xc[s], v1[s], c1[s], &zs1[s], w[0]);
            for (int c = 0; c < GC; c++) dc[s][c] = rnd_(1);
        }
        const int32_t *pxs[GS] = {xs[0], xs[1], xs[2]}, *pxc[GS] = {xc[0], xc[1], xc[2]};
        double *pv[GS] = {v2[0], v2[1], v2[2]}, *pc[GS] = {c2[0], c2[1], c2[2]};
        double *store = malloc(sizeof(double) * mosaic_bptt64_group_store_len(GN, GSTEPS, GN + nl));
        static uint64_t zb[GS][GN];
        uint64_t *pz[GS] = {zb[0], zb[1], zb[2]};
        CHECK(mosaic_bptt64_zbits_len(GN, GSTEPS) == GN);
        mosaic_bptt64_group_forward(&gp, GS, pxs, pxc, pv, pc, zs2, w, store, pz);
        CHECK(memcmp(v1, v2, sizeof v1) == 0);
        CHECK(memcmp(c1, c2, sizeof c1) == 0);
        CHECK(memcmp(zs1, zs2, sizeof zs1) == 0);
        static double ga[3][GN * GT * GK], gb[3][GN * GT * GK];
        MosaicBptt64Grads g1 = {ga[0], ga[1], ga[2]}, g2 = {gb[0], gb[1], gb[2]};
        for (int s = 0; s < GS; s++)
            mosaic_bptt64_sample_backward(&gp, xs[s], xc[s], v1[s], dc[s], 0.01, &g1, w[0]);
        const double *pvc[GS] = {v1[0], v1[1], v1[2]}, *pdc[GS] = {dc[0], dc[1], dc[2]};
        const uint64_t *pzc[GS] = {zb[0], zb[1], zb[2]};
        MosaicBptt64Grads *pg[GS] = {&g2, &g2, &g2};
        mosaic_bptt64_group_backward(&gp, GS, pxs, pxc, pvc, pdc, 0.01, pg, w[0], store, pzc);
        double gmax = 0;
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < GN * GT * GK; i++) {
                CHECK_NEAR(gb[q][i], ga[q][i], 1e-12);
                gmax = fmax(gmax, fabs(ga[q][i]));
            }
        CHECK(gmax > 1e-3);
        free(store);
        for (int q = 0; q < MOSAIC_BPTT_GROUP; q++) mosaic_bptt64_work_free(w[q]);
        mosaic_bptt64_transpose_free(&tp);
    }
    return mosaic_test_finish();
}
