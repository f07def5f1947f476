/* The chain's intermediate signals and properties that need only short signals or few channels
 * (cochlea-model.md §10, §11.3-5, §11.8-10). */
#include "cochlea_test_signals.h"
#include "mosaic_cochlea.h"
#include "mosaic_test.h"

#define FS_ 48000.0
#define RATE_ 24000.0

static double rms_(const float *u, const size_t a, const size_t b) {
    double e = 0;
    for (size_t i = a; i < b; i++) e += (double)u[i] * u[i];
    return sqrt(e / (double)(b - a));
}

static size_t argmax_abs_(const float *u, const size_t m) {
    size_t best = 0;
    for (size_t i = 0; i < m; i++)
        if (fabsf(u[i]) > fabsf(u[best])) best = i;
    return best;
}

static int same_spikes_(const MosaicCochleaSpikes *a, const MosaicCochleaSpikes *b) {
    if (a->count != b->count) return 0;
    return !memcmp(a->sample, b->sample, a->count * sizeof *a->sample) &&
           !memcmp(a->unit, b->unit, a->count * sizeof *a->unit);
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 7);
    MosaicErr err;
    MosaicCochleaParams p;
    mosaic_cochlea_params_default(&p);
    const size_t n = 48000, m = n / 2 + 1;
    float *u = malloc(m * sizeof *u);
    double *prob = malloc(m * sizeof *prob);

    TEST("OneKilohertzToneDrivesUnit400AsThePrototype") {
        float *x = ts_tone(n, FS_, 1000, 0.25, 0.75);
        double *s2 = ts_stage1(x, n, 0.3);
        const int units[] = {400, 300, 500};
        const double want[] = {70, 19, 0};
        for (int i = 0; i < 3; i++) {
            CHECK(mosaic_cochlea_trace_channel(s2, n, &p, units[i], seed, u, prob, NULL, &err) == MOSAIC_OK);
            const double r = rms_(u, (size_t)(0.4 * RATE_), (size_t)(0.6 * RATE_));
            printf("  unit %d: u RMS %.1f over 0.4-0.6 s (doc %.0f)\n", units[i], r, want[i]);
            CHECK(fabs(r - want[i]) < 0.1 * want[i] + 1.0);
            if (units[i] == 400) {
                double peak = 0, mean_p = 0, max_p = 0;
                for (size_t k = (size_t)(0.4 * RATE_); k < (size_t)(0.6 * RATE_); k++)
                    peak = fmax(peak, fabs(u[k]));
                for (size_t k = (size_t)(0.4 * RATE_); k < (size_t)(0.6 * RATE_); k++) mean_p += prob[k];
                mean_p /= 0.2 * RATE_;
                for (size_t k = 0; k < m; k++) max_p = fmax(max_p, prob[k]);
                printf(
                    "  unit 400: u peak %.1f (doc ~102), mean P %.4f (doc 0.0039), max P %.4f (doc ~0.022)\n",
                    peak, mean_p, max_p);
                CHECK(fabs(peak - 102) < 10);
                CHECK(fabs(mean_p - 0.0039) < 0.0004);
                CHECK(max_p > 0.015 && max_p < 0.03);
            }
        }
        free(x), free(s2);
    }

    TEST("ImpulseResponseLeadsTheClickByTheGroupDelay") {
        float *x = calloc(n, sizeof *x);
        x[n / 2] = 1.0f; /* t0 = 0.5 s, under the taper's peak */
        double *s2 = ts_stage1(x, n, 0.3);
        const int units[] = {100, 300, 500, 650};
        const double lead_ms[] = {0.08, 0.75, 3.9, 12.7};
        for (int i = 0; i < 4; i++) {
            CHECK(mosaic_cochlea_trace_channel(s2, n, &p, units[i], seed, u, NULL, NULL, &err) == MOSAIC_OK);
            const double lead = (0.5 - (double)argmax_abs_(u, m) / RATE_) * 1e3;
            printf("  unit %d: peak %.2f ms before the click (doc %.2f)\n", units[i], lead, lead_ms[i]);
            CHECK(fabs(lead - lead_ms[i]) < 0.15 * lead_ms[i] + 0.1);
        }
        free(x), free(s2);
    }

    TEST("FifteenKilohertzToneAppearsAtNineKilohertz") {
        float *x = ts_tone(n, FS_, 15000, 0.25, 0.75);
        double *s2 = ts_stage1(x, n, 0.3);
        CHECK(mosaic_cochlea_trace_channel(s2, n, &p, 40, seed, u, NULL, NULL, &err) == MOSAIC_OK);
        const size_t a = (size_t)(0.4 * RATE_), b = (size_t)(0.6 * RATE_);
        int crossings = 0;
        for (size_t i = a + 1; i < b; i++) crossings += (u[i - 1] < 0) != (u[i] < 0);
        const double f = crossings / 2.0 / 0.2;
        printf("  unit 40 oscillates at %.0f Hz (doc: 9 kHz, mirrored about fs/4)\n", f);
        CHECK(fabs(f - 9000) < 200);
        const double at40 = rms_(u, a, b);
        CHECK(mosaic_cochlea_trace_channel(s2, n, &p, 150, seed, u, NULL, NULL, &err) == MOSAIC_OK);
        CHECK(at40 > 5 * rms_(u, a, b));
        free(x), free(s2);
    }

    TEST("DigitalSilenceGivesSpontaneousActivityOnly") {
        float *x = calloc(n, sizeof *x);
        MosaicCochleaSpikes s;
        CHECK(mosaic_cochlea_convert(x, n, FS_, &p, seed, NULL, &s, NULL, &err) == MOSAIC_OK);
        const double rate = s.count / 700.0 / (n / FS_);
        printf("  %zu spikes in 1 s of silence: %.2f /s per channel (doc ~0.8)\n", s.count, rate);
        CHECK(rate > 0.4 && rate < 1.3);
        mosaic_cochlea_spikes_free(&s);
        free(x);
    }

    TEST("OutputIgnoresGainAndThreadCountAndIsOrdered") {
        MosaicCochleaParams q = p;
        q.channels = 70;
        const size_t ns = 14400; /* 0.3 s */
        float *x = ts_tone(ns, FS_, 600, 0.05, 0.25);
        ts_add_word(x, ns, FS_, 130, 700, 1200, 0.15, 0.3);
        float *quiet = malloc(ns * sizeof *quiet);
        for (size_t i = 0; i < ns; i++) quiet[i] = 0.1f * x[i];
        MosaicCochleaCache *cache = mosaic_cochlea_cache_create((size_t)256 << 20);
        MosaicCochleaSpikes a, b, c, d;
        q.threads = 1;
        CHECK(mosaic_cochlea_convert(x, ns, FS_, &q, seed, cache, &a, NULL, &err) == MOSAIC_OK);
        q.threads = 2;
        CHECK(mosaic_cochlea_convert(x, ns, FS_, &q, seed, cache, &b, NULL, &err) == MOSAIC_OK);
        CHECK(same_spikes_(&a, &b));
        q.threads = 3;
        CHECK(mosaic_cochlea_convert(quiet, ns, FS_, &q, seed, NULL, &c, NULL, &err) == MOSAIC_OK);
        CHECK(same_spikes_(&a, &c)); /* different gain, no cache (streamed rows): same spikes */
        CHECK(mosaic_cochlea_convert(x, ns, FS_, &q, seed + 1, cache, &d, NULL, &err) == MOSAIC_OK);
        CHECK(!same_spikes_(&a, &d));
        printf("  seed %llu: %zu spikes, seed %llu: %zu spikes\n", (unsigned long long)seed, a.count,
               (unsigned long long)seed + 1, d.count);
        CHECK(fabs((double)a.count - (double)d.count) < 4 * sqrt((double)a.count) + 5);
        CHECK(a.count > 0 && a.seed == seed && a.rate == RATE_ && a.samples == ns / 2 + 1);
        for (size_t i = 1; i < a.count; i++)
            CHECK(a.sample[i - 1] < a.sample[i] ||
                  (a.sample[i - 1] == a.sample[i] && a.unit[i - 1] < a.unit[i]));
        /* No unit has two spikes closer than 25 samples. */
        uint32_t last[70];
        for (int j = 0; j < 70; j++) last[j] = UINT32_MAX;
        for (size_t i = 0; i < a.count; i++) {
            if (last[a.unit[i]] != UINT32_MAX) CHECK(a.sample[i] - last[a.unit[i]] >= 25);
            last[a.unit[i]] = a.sample[i];
            CHECK(a.sample[i] < a.samples);
        }
        /* The gammatone option too, with an odd channel count (the last channel has no partner). */
        MosaicCochleaParams g = q;
        g.bm = MOSAIC_COCHLEA_BM_GAMMATONE;
        g.channels = 71;
        MosaicCochleaSpikes g1, g2;
        g.threads = 1;
        CHECK(mosaic_cochlea_convert(x, ns, FS_, &g, seed, cache, &g1, NULL, &err) == MOSAIC_OK);
        g.threads = 2;
        CHECK(mosaic_cochlea_convert(x, ns, FS_, &g, seed, NULL, &g2, NULL, &err) == MOSAIC_OK);
        CHECK(same_spikes_(&g1, &g2) && g1.count > 0);
        mosaic_cochlea_spikes_free(&g1), mosaic_cochlea_spikes_free(&g2);
        /* Resampled input (16 kHz) is accepted and flagged. */
        int resampled = 0;
        MosaicCochleaSpikes r;
        CHECK(mosaic_cochlea_convert(x, ns / 3, 16000, &q, seed, cache, &r, &resampled, &err) == MOSAIC_OK);
        CHECK(resampled == 1 && r.count > 0);
        mosaic_cochlea_spikes_free(&a), mosaic_cochlea_spikes_free(&b), mosaic_cochlea_spikes_free(&c),
            mosaic_cochlea_spikes_free(&d);
        mosaic_cochlea_spikes_free(&r);
        mosaic_cochlea_cache_free(cache);
        free(x), free(quiet);
    }
    TEST("FilterCacheStaysWithinItsBudgetAndMatchesStreaming") {
        /* 70 places: a 0.3 s table is <= 4.0 MB, a 0.2 s one <= 2.7 MB. A 5 MB budget holds either but not
         * both; a 3 MB budget cannot hold the 0.3 s table, which is then streamed. Spikes never depend on
         * the mode. */
        MosaicCochleaParams q = p;
        q.channels = 70;
        q.threads = 2;
        const size_t n3 = 14400, n2 = 9600;
        float *x = ts_tone(n3, FS_, 900, 0.05, 0.25);
        const size_t budget = (size_t)5 << 20;
        MosaicCochleaCache *cache = mosaic_cochlea_cache_create(budget);
        MosaicCochleaCache *small = mosaic_cochlea_cache_create((size_t)3 << 20);
        MosaicCochleaSpikes a, b, c, d;
        CHECK(mosaic_cochlea_convert(x, n3, FS_, &q, seed, cache, &a, NULL, &err) == MOSAIC_OK);
        const size_t held3 = mosaic_cochlea_cache_bytes(cache);
        CHECK(held3 > 0 && held3 <= budget);
        CHECK(mosaic_cochlea_convert(x, n2, FS_, &q, seed, cache, &b, NULL, &err) == MOSAIC_OK);
        const size_t held2 = mosaic_cochlea_cache_bytes(cache);
        printf("  cache: %.2f MB after the 0.3 s table, %.2f MB after the 0.2 s one (budget %.0f MB)\n",
               held3 / 1048576.0, held2 / 1048576.0, budget / 1048576.0);
        CHECK(held2 > 0 && held2 <= budget && held2 < held3); /* the 0.3 s table made room */
        mosaic_cochlea_cache_set_budget(cache, held2 - 1);    /* a smaller budget drops what no longer fits */
        CHECK(mosaic_cochlea_cache_bytes(cache) == 0);
        CHECK(mosaic_cochlea_convert(x, n3, FS_, &q, seed, small, &c, NULL, &err) == MOSAIC_OK);
        CHECK(mosaic_cochlea_cache_bytes(small) == 0);
        CHECK(mosaic_cochlea_convert(x, n2, FS_, &q, seed, NULL, &d, NULL, &err) == MOSAIC_OK);
        CHECK(same_spikes_(&a, &c) && same_spikes_(&b, &d));
        mosaic_cochlea_spikes_free(&a), mosaic_cochlea_spikes_free(&b), mosaic_cochlea_spikes_free(&c),
            mosaic_cochlea_spikes_free(&d);
        mosaic_cochlea_cache_free(cache), mosaic_cochlea_cache_free(small);
        free(x);
    }
    free(u), free(prob);
    return mosaic_test_finish();
}
