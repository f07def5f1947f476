/* The training view: binning rules against hand-computed values and a brute-force reference, the
 * channel reduction, preloaded == streamed, shuffles and speaker splits. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "mosaic_bins.h"
#include "mosaic_test.h"
#include "shd_fixture.h"

/* Writes `n` recordings of at most max_spikes spikes over n_units units; speakers 10, 20, ... 50. */
static int make_dataset_(const char *path, uint64_t seed, int n, int n_units, int max_spikes) {
    MosaicRng rng;
    mosaic_rng_seed(&rng, seed);
    MosaicErr err;
    MosaicShdWriter *w;
    float *t = malloc(sizeof(float) * (size_t)max_spikes);
    int32_t *u = malloc(sizeof(int32_t) * (size_t)max_spikes);
    int ok = mosaic_shd_writer_begin(path, fixture_classes_, 4, n_units, &w, &err) == MOSAIC_OK;
    for (int i = 0; ok && i < n; i++) {
        int64_t k = fixture_sample(&rng, max_spikes, n_units, t, u);
        ok = mosaic_shd_writer_add(w, t, u, k, i % 4, 10 * (1 + i % 5), &err) == MOSAIC_OK;
    }
    if (ok)
        ok = mosaic_shd_writer_finish(w, &err) == MOSAIC_OK;
    else
        mosaic_shd_writer_abort(w);
    if (!ok) fprintf(stderr, "%s\n", err.msg);
    free(t);
    free(u);
    return ok;
}

/* Brute force: the digitize rule straight from its definition, all offsets of all recordings. */
static int brute_step_(const MosaicBinSpec *spec, float t) {
    if (spec->rule == MOSAIC_BIN_UNIFORM) {
        for (int s = 0; s < spec->steps; s++)
            if ((double)t < (s + 1) * spec->window / spec->steps) return s;
        return -1;
    }
    int count = 0;
    for (int j = 0; j < spec->steps; j++) {
        double e = j == spec->steps - 1 ? spec->window : (double)j * (spec->window / (spec->steps - 1));
        if (e <= (double)t) count++;
    }
    return count < spec->steps ? count : -1;
}

static int views_match_brute_force_(MosaicShd *shd, const MosaicBinSpec *spec, int preload) {
    MosaicErr err;
    MosaicBins *b;
    if (mosaic_bins_create(shd, spec, &b, &err) != MOSAIC_OK) return fprintf(stderr, "%s\n", err.msg), 0;
    if (preload && mosaic_bins_preload(b, NULL, NULL, &err) != MOSAIC_OK)
        return fprintf(stderr, "%s\n", err.msg), 0;
    int T = mosaic_bins_steps(b), C = mosaic_bins_channels(b), S = mosaic_bins_offsets(b);
    int U = mosaic_shd_num_units(shd);
    uint8_t *got = malloc((size_t)T * C), *want = malloc((size_t)T * C);
    MosaicSpikes sp = {0};
    int bad = 0;
    for (int64_t v = 0; v < mosaic_bins_count(b); v++) {
        int64_t r = v / S;
        int o = (int)(v % S);
        if (mosaic_bins_sample(b, v, got, &err) != MOSAIC_OK ||
            mosaic_shd_read_sample(shd, r, &sp, &err) != MOSAIC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            bad++;
            continue;
        }
        memset(want, 0, (size_t)T * C);
        for (int64_t k = 0; k < sp.n; k++) {
            int s = brute_step_(spec, sp.times[k]);
            for (int c = 0; c < C; c++)
                if (s >= 0 &&
                    (spec->channels == 0 ? c == sp.units[k] : o + S * c == sp.units[k] && o + S * c < U)) {
                    uint8_t *cell = &want[s * C + c];
                    *cell = spec->binary ? 1 : (uint8_t)(*cell < 255 ? *cell + 1 : 255);
                }
        }
        if (memcmp(got, want, (size_t)T * C) != 0) bad++;
        if (mosaic_bins_label(b, v) != mosaic_shd_label(shd, r)) bad++;
    }
    mosaic_spikes_free(&sp);
    free(got);
    free(want);
    mosaic_bins_free(b);
    return bad == 0;
}

/* Writes `path` with one recording (label 3, speaker 1) and opens the reference view of it. */
static MosaicBins *one_sample_view_(const char *path, const float *t, const int32_t *u, int n,
                                    MosaicShd **h) {
    MosaicErr err;
    MosaicShdWriter *w;
    MosaicBins *b = NULL;
    *h = NULL;
    CHECK(mosaic_shd_writer_begin(path, fixture_classes_, 4, 700, &w, &err) == MOSAIC_OK);
    CHECK(mosaic_shd_writer_add(w, t, u, n, 3, 1, &err) == MOSAIC_OK);
    CHECK(mosaic_shd_writer_finish(w, &err) == MOSAIC_OK);
    CHECK(mosaic_shd_open(path, h, &err) == MOSAIC_OK);
    MosaicBinSpec spec;
    mosaic_bin_spec_default(&spec);
    CHECK(mosaic_bins_create(*h, &spec, &b, &err) == MOSAIC_OK);
    return b;
}

int main(int argc, char **argv) {
    uint64_t seed = mosaic_test_seed(argc, argv, 7);
    char path[512], hand[512];
    fixture_path(path, sizeof path, "bins.h5");
    fixture_path(hand, sizeof hand, "hand.h5");
    CHECK(make_dataset_(path, seed, 25, 700, 400));
    MosaicErr err;
    MosaicShd *shd = NULL;
    CHECK(mosaic_shd_open(path, &shd, &err) == MOSAIC_OK);
    if (!shd) return mosaic_test_finish();

    TEST("ReferenceRuleMatchesHandComputedDigitize") {
        /* numpy.digitize(t, numpy.linspace(0, 1.4, 100)): edges every 1.4/99 = 14.14 ms, step 0 unused. */
        const float t[6] = {
            0.0f,       0.0140991211f /* < 1.4/99 */, 0.0141601562f /* > 1.4/99 */, 1.38867188f, 1.39941406f,
            1.40039062f};
        const int32_t u[6] = {0, 6, 12, 699, 5, 1};
        MosaicShd *h;
        MosaicBins *b = one_sample_view_(hand, t, u, 6, &h);
        CHECK_EQ_INT(mosaic_bins_offsets(b), 6);
        CHECK_EQ_INT(mosaic_bins_channels(b), 128);
        CHECK_EQ_INT(mosaic_bins_count(b), 6);
        uint8_t m[6][100 * 128];
        for (int o = 0; o < 6; o++) CHECK(mosaic_bins_sample(b, o, m[o], &err) == MOSAIC_OK);
        int ones[6] = {0};
        for (int o = 0; o < 6; o++)
            for (int i = 0; i < 100 * 128; i++) ones[o] += m[o][i];
        /* offset 0: units 0, 6, 12 -> channels 0, 1, 2 at steps 1, 1, 2 */
        CHECK(m[0][1 * 128 + 0] == 1 && m[0][1 * 128 + 1] == 1 && m[0][2 * 128 + 2] == 1);
        CHECK_EQ_INT(ones[0], 3);
        /* offset 3: unit 699 = 3 + 6*116 -> channel 116 at step 99 (1.3886 >= 98*1.4/99 = 1.3859) */
        CHECK(m[3][99 * 128 + 116] == 1);
        CHECK_EQ_INT(ones[3], 1);
        /* offset 5: unit 5 -> channel 0 at step 99 (1.3994 < 1.4) */
        CHECK(m[5][99 * 128 + 0] == 1);
        CHECK_EQ_INT(ones[5], 1);
        /* offset 1: unit 1 at 1.4004 s is past the window: dropped, counted */
        CHECK_EQ_INT(ones[1], 0);
        CHECK_EQ_INT(mosaic_bins_dropped(b), 1);
        CHECK_EQ_INT(mosaic_bins_spikes(b), 6);
        CHECK(mosaic_bins_check_window(b, "k", &err) == MOSAIC_OK);
        /* channels 117..127 are the reference's zero padding */
        mosaic_bins_free(b);
        mosaic_shd_close(h);
    }

    TEST("TimesInMillisecondsAreRefusedNamingTheWindow") {
        /* 1 spike in 100 inside the window passes (a short window may cut that much); 1 in 101 does
         * not, on the streaming path and after preloading. */
        for (int late = 99; late <= 100; late++) {
            float t[101];
            int32_t u[101];
            for (int k = 0; k <= late; k++) t[k] = k == 0 ? 0.5f : 1.5f + (float)k, u[k] = k % 700;
            for (int preload = 0; preload <= 1; preload++) {
                MosaicShd *h;
                MosaicBins *b = one_sample_view_(hand, t, u, late + 1, &h);
                CHECK(mosaic_bins_check_window(b, "k", &err) == MOSAIC_OK); /* nothing read yet */
                uint8_t m[100 * 128];
                if (preload) CHECK(mosaic_bins_preload(b, NULL, NULL, &err) == MOSAIC_OK);
                CHECK(mosaic_bins_sample(b, 0, m, &err) == MOSAIC_OK);
                CHECK_EQ_INT(mosaic_bins_spikes(b), late + 1);
                CHECK_EQ_INT(mosaic_bins_dropped(b), late);
                MosaicStatus st = mosaic_bins_check_window(b, "train.data.window_s", &err);
                CHECK(st == (late == 99 ? MOSAIC_OK : MOSAIC_ERR_INPUT));
                if (st != MOSAIC_OK) {
                    CHECK(strstr(err.msg, hand) && strstr(err.msg, "/spikes/times"));
                    CHECK(strstr(err.msg, "1.4 s window (train.data.window_s)"));
                    CHECK(strstr(err.msg, "milliseconds"));
                }
                mosaic_bins_free(b);
                mosaic_shd_close(h);
            }
        }
    }

    TEST("ViewsMatchBruteForceForEveryRuleAndMode") {
        MosaicBinSpec spec;
        mosaic_bin_spec_default(&spec);
        CHECK(views_match_brute_force_(shd, &spec, 0));
        CHECK(views_match_brute_force_(shd, &spec, 1));
        spec.binary = 0;
        spec.steps = 7; /* coarse bins: many spikes per cell, counts matter */
        CHECK(views_match_brute_force_(shd, &spec, 0));
        CHECK(views_match_brute_force_(shd, &spec, 1));
        spec.rule = MOSAIC_BIN_UNIFORM;
        spec.window = 1.0;
        CHECK(views_match_brute_force_(shd, &spec, 1));
        spec.channels = 0; /* no reduction: all 700 units, one view per recording */
        CHECK(views_match_brute_force_(shd, &spec, 0));
        spec.channels = 300; /* stride 3, no padding needed beyond 700/3 */
        spec.binary = 1;
        CHECK(views_match_brute_force_(shd, &spec, 1));
    }

    TEST("NoReductionModeHasOneViewPerRecording") {
        MosaicBinSpec spec;
        mosaic_bin_spec_default(&spec);
        spec.channels = 0;
        MosaicBins *b;
        CHECK(mosaic_bins_create(shd, &spec, &b, &err) == MOSAIC_OK);
        CHECK_EQ_INT(mosaic_bins_offsets(b), 1);
        CHECK_EQ_INT(mosaic_bins_channels(b), 700);
        CHECK_EQ_INT(mosaic_bins_count(b), 25);
        mosaic_bins_free(b);
    }

    TEST("BadSpecsAreRejected") {
        MosaicBinSpec spec;
        MosaicBins *b;
        mosaic_bin_spec_default(&spec);
        spec.steps = 1;
        CHECK(mosaic_bins_create(shd, &spec, &b, &err) == MOSAIC_ERR_INPUT);
        mosaic_bin_spec_default(&spec);
        spec.window = 0;
        CHECK(mosaic_bins_create(shd, &spec, &b, &err) == MOSAIC_ERR_INPUT);
        mosaic_bin_spec_default(&spec);
        spec.channels = 701;
        CHECK(mosaic_bins_create(shd, &spec, &b, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "bins.h5") != NULL);
    }

    TEST("BatchesCarryLabels") {
        MosaicBinSpec spec;
        mosaic_bin_spec_default(&spec);
        MosaicBins *b;
        CHECK(mosaic_bins_create(shd, &spec, &b, &err) == MOSAIC_OK);
        int64_t views[3] = {149, 0, 77};
        uint8_t *batch = malloc(3 * 100 * 128), one[100 * 128];
        int32_t labels[3];
        CHECK(mosaic_bins_batch(b, views, 3, batch, labels, &err) == MOSAIC_OK);
        for (int i = 0; i < 3; i++) {
            CHECK(mosaic_bins_sample(b, views[i], one, &err) == MOSAIC_OK);
            CHECK(memcmp(one, batch + i * 100 * 128, sizeof one) == 0);
            CHECK_EQ_INT(labels[i], (views[i] / 6) % 4);
        }
        CHECK(mosaic_bins_sample(b, 150, one, &err) == MOSAIC_ERR_INPUT);
        free(batch);
        mosaic_bins_free(b);
    }

    TEST("ShuffleIsASeededPermutation") {
        enum { N = 1000 };
        int64_t a[N], c[N], d[N];
        for (int i = 0; i < N; i++) a[i] = c[i] = d[i] = i;
        mosaic_bins_shuffle(a, N, seed, 3);
        mosaic_bins_shuffle(c, N, seed, 3);
        mosaic_bins_shuffle(d, N, seed, 4);
        CHECK(memcmp(a, c, sizeof a) == 0);
        CHECK(memcmp(a, d, sizeof a) != 0);
        int seen[N] = {0}, moved = 0;
        for (int i = 0; i < N; i++) {
            seen[a[i]]++;
            moved += a[i] != i;
        }
        int perm = 1;
        for (int i = 0; i < N; i++) perm &= seen[i] == 1;
        CHECK(perm);
        CHECK(moved > N / 2);
    }

    TEST("SplitBySpeakerKeepsRecordingsTogether") {
        MosaicBinSpec spec;
        mosaic_bin_spec_default(&spec);
        MosaicBins *b;
        CHECK(mosaic_bins_create(shd, &spec, &b, &err) == MOSAIC_OK);
        int32_t *spk, picked[2];
        int ns;
        CHECK(mosaic_shd_speakers(shd, &spk, &ns, &err) == MOSAIC_OK);
        CHECK_EQ_INT(ns, 5);
        CHECK(spk[0] == 10 && spk[4] == 50);
        free(spk);
        CHECK(mosaic_shd_pick_speakers(shd, seed, 2, picked, &err) == MOSAIC_OK);
        CHECK(picked[0] < picked[1] && picked[0] % 10 == 0 && picked[1] % 10 == 0);
        CHECK(mosaic_shd_pick_speakers(shd, seed, 5, picked, &err) == MOSAIC_ERR_INPUT);
        int64_t *tr, *va, nt, nv;
        CHECK(mosaic_bins_split_by_speaker(b, picked, 2, &tr, &nt, &va, &nv, &err) == MOSAIC_OK);
        CHECK_EQ_INT(nt + nv, 150);
        CHECK_EQ_INT(nv, 2 * 5 * 6); /* 25 recordings, 5 per speaker, 6 views each */
        int wrong = 0;
        for (int64_t i = 0; i < nv; i++) {
            int32_t s = mosaic_bins_speaker(b, va[i]);
            wrong += s != picked[0] && s != picked[1];
        }
        for (int64_t i = 0; i < nt; i++) {
            int32_t s = mosaic_bins_speaker(b, tr[i]);
            wrong += s == picked[0] || s == picked[1];
        }
        CHECK_EQ_INT(wrong, 0);
        free(tr);
        free(va);
        int32_t ghost = 99;
        CHECK(mosaic_bins_split_by_speaker(b, &ghost, 1, &tr, &nt, &va, &nv, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "99") != NULL);
        mosaic_bins_free(b);
    }

    mosaic_shd_close(shd);
    fixture_cleanup();
    return mosaic_test_finish();
}
