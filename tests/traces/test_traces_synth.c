/* Synthetic SHD-layout datasets: readable by our SHD reader, deterministic, split by speaker, and
 * learnable (a nearest-centroid classifier on per-unit-band spike counts beats chance clearly). */
#include "mosaic_shd.h"
#include "mosaic_synth.h"
#include "mosaic_test.h"

#define BANDS 35

static void features_(MosaicShd *shd, int64_t s, double *f, MosaicErr *err) {
    MosaicSpikes sp = {0};
    memset(f, 0, sizeof(double) * BANDS);
    if (mosaic_shd_read_sample(shd, s, &sp, err) != MOSAIC_OK) return;
    for (int64_t i = 0; i < sp.n; i++) f[sp.units[i] * BANDS / 700] += 1;
    mosaic_spikes_free(&sp);
}

int main(void) {
    MosaicSynthSpec spec;
    mosaic_synth_default(&spec);
    spec.per_speaker = 3;
    MosaicErr err;
    TEST("WritesReadableSplitsDeterministically") {
        CHECK(mosaic_synth_write("synth_a", &spec, &err) == MOSAIC_OK);
        CHECK(mosaic_synth_write("synth_b", &spec, &err) == MOSAIC_OK);
        MosaicShd *a = NULL, *b = NULL, *t = NULL;
        CHECK(mosaic_shd_open("synth_a/train.h5", &a, &err) == MOSAIC_OK);
        CHECK(mosaic_shd_open("synth_b/train.h5", &b, &err) == MOSAIC_OK);
        CHECK(mosaic_shd_open("synth_a/test.h5", &t, &err) == MOSAIC_OK);
        if (a && b && t) {
            CHECK_EQ_INT(mosaic_shd_num_samples(a), 10 * 6 * 3);
            CHECK_EQ_INT(mosaic_shd_num_samples(t), 10 * 2 * 3);
            CHECK_EQ_INT(mosaic_shd_num_classes(a), 10);
            CHECK_EQ_INT(mosaic_shd_num_units(a), 700);
            for (int64_t s = 0; s < mosaic_shd_num_samples(t); s++) CHECK(mosaic_shd_speaker(t, s) >= 6);
            MosaicSpikes x = {0}, y = {0};
            CHECK(mosaic_shd_read_sample(a, 17, &x, &err) == MOSAIC_OK);
            CHECK(mosaic_shd_read_sample(b, 17, &y, &err) == MOSAIC_OK);
            CHECK(x.n == y.n && x.n > 500);
            CHECK(x.n == y.n && !memcmp(x.times, y.times, sizeof(float) * (size_t)x.n));
            mosaic_spikes_free(&x);
            mosaic_spikes_free(&y);
        }
        mosaic_shd_close(a), mosaic_shd_close(b), mosaic_shd_close(t);
    }
    TEST("NearestCentroidOnHeldOutSpeakersBeatsChance") {
        MosaicShd *tr = NULL, *te = NULL;
        CHECK(mosaic_shd_open("synth_a/train.h5", &tr, &err) == MOSAIC_OK);
        CHECK(mosaic_shd_open("synth_a/test.h5", &te, &err) == MOSAIC_OK);
        if (tr && te) {
            double cen[10][BANDS] = {{0}}, f[BANDS];
            int cnt[10] = {0};
            for (int64_t s = 0; s < mosaic_shd_num_samples(tr); s++) {
                int c = mosaic_shd_label(tr, s);
                features_(tr, s, f, &err);
                for (int b = 0; b < BANDS; b++) cen[c][b] += f[b];
                cnt[c]++;
            }
            int correct = 0, n = (int)mosaic_shd_num_samples(te);
            for (int s = 0; s < n; s++) {
                features_(te, s, f, &err);
                int best = 0;
                double bd = 1e300;
                for (int c = 0; c < 10; c++) {
                    double d = 0;
                    for (int b = 0; b < BANDS; b++)
                        d += (f[b] - cen[c][b] / cnt[c]) * (f[b] - cen[c][b] / cnt[c]);
                    if (d < bd) bd = d, best = c;
                }
                correct += best == mosaic_shd_label(te, s);
            }
            printf("  nearest centroid on held-out speakers: %d / %d\n", correct, n);
            CHECK(correct > n / 4); /* chance is n / 10 */
        }
        mosaic_shd_close(tr), mosaic_shd_close(te);
    }
    TEST("BadSpecIsRefused") {
        MosaicSynthSpec bad = spec;
        bad.speakers = 2;
        CHECK(mosaic_synth_write("synth_c", &bad, &err) == MOSAIC_ERR_INPUT);
    }
    return mosaic_test_finish();
}
