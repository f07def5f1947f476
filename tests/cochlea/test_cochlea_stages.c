/* Stages 1, 3, 4, 5 and the helpers (FFT, trim, resampling, parameters) against cochlea-model.md §3,
 * §5-7 and §10. Randomised parts print their seed and take --seed. */
#include <complex.h>
#include <sndfile.h>
#include <stdlib.h>
#include <unistd.h>

#include "cochlea_fft.h"
#include "cochlea_internal.h"
#include "mosaic_cochlea.h"
#include "mosaic_test.h"

#define PI_ 3.14159265358979323846
#define RATE_ 24000.0

static double resting_p_(void) {
    float u[4] = {0};
    double p[4];
    mosaic_cochlea_haircell(u, 4, RATE_, p);
    return p[3];
}

/* A driven release-probability trace for the sampler tests: the resting floor, an onset that decays
 * with time constant tau (samples) and a phase-locked modulation at freq Hz. Buffers for the samplers
 * (work m + 1, counts m) are allocated beside it; the caller frees all three. */
static double *driven_trace_(size_t m, double onset, double tau, double mod, double freq, double **work,
                             uint8_t **counts) {
    double *p = malloc(m * sizeof *p);
    *work = malloc((m + 1) * sizeof **work);
    *counts = malloc(m);
    for (size_t i = 0; i < m; i++)
        p[i] = 0.0027 + onset * exp(-(double)i / tau) + mod * (1 + sin(2 * PI_ * freq * i / RATE_));
    return p;
}

/* A 16-bit WAV at 16 kHz of `n` frames of `channels` interleaved samples. */
static int write_wav16_(const char *path, int channels, const float *frames, int n) {
    SF_INFO info = {.samplerate = 16000, .channels = channels, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) return 0;
    const int ok = sf_writef_float(f, frames, n) == n;
    sf_close(f);
    return ok;
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 20261122);
    MosaicErr err;

    TEST("FftMatchesNaiveDftForSmoothAndPrimeLengths") {
        const size_t lens[] = {1, 2, 7, 97, 360, 1009, 4801};
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            const size_t n = lens[li];
            for (int inverse = 0; inverse < 2; inverse++) {
                CochleaFft *fft = cochlea_fft_create(n, inverse);
                CHECK(fft != NULL);
                kiss_fft_cpx *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
                kiss_fft_cpx *work = malloc((cochlea_fft_work_len(fft) + 1) * sizeof *work);
                for (size_t i = 0; i < n; i++)
                    in[i].r = (float)sin(0.37 * i + 1), in[i].i = (float)cos(1.3 * i);
                cochlea_fft_run(fft, in, out, work);
                double max_err = 0, max_ref = 0;
                for (size_t k = 0; k < n; k += (n > 500 ? 37 : 1)) {
                    double complex acc = 0;
                    for (size_t i = 0; i < n; i++)
                        acc += (in[i].r + I * in[i].i) *
                               cexp((inverse ? 1 : -1) * 2 * PI_ * I * (double)((k * i) % n) / (double)n);
                    max_err = fmax(max_err, cabs(acc - (out[k].r + I * out[k].i)));
                    max_ref = fmax(max_ref, cabs(acc));
                }
                if (max_err > 2e-5 * max_ref)
                    printf("  n %zu inverse %d: err %.2e of %.2e\n", n, inverse, max_err, max_ref);
                CHECK(max_err <= 2e-5 * max_ref + 1e-6);
                free(in), free(out), free(work);
                cochlea_fft_free(fft);
            }
        }
        CHECK_EQ_INT(cochlea_fft_smooth_at_least(24001), 24300);
    }

    TEST("NormaliseThenTaperGivesRms03AndHannShape") {
        const size_t n = 1001;
        double *s = malloc(n * sizeof *s), *t = malloc(n * sizeof *t);
        for (size_t i = 0; i < n; i++) s[i] = 0.01 * (i % 2 ? 1.0 : -1.0);
        for (size_t i = 0; i < n; i++) t[i] = 1.0; /* constant input exposes the window itself */
        CHECK(mosaic_cochlea_normalise_taper(t, n, 0.3) == 1);
        CHECK(t[0] == 0.0);
        CHECK_NEAR(t[n / 2], 0.3, 1e-12); /* odd N: middle sample untouched (after the gain) */
        CHECK_NEAR(t[n / 2 - 1], 0.3, 1e-4);
        for (size_t i = 0; i < n; i++) CHECK_NEAR(t[i], t[n - 1 - i], 1e-15);
        /* RMS before the taper is exactly the level: check with the taper undone at one sample. */
        CHECK(mosaic_cochlea_normalise_taper(s, n, 0.3) == 1);
        CHECK_NEAR(fabs(s[n / 2]), 0.3, 1e-12);
        double *z = calloc(n, sizeof *z);
        CHECK(mosaic_cochlea_normalise_taper(z, n, 0.3) == 0);
        for (size_t i = 0; i < n; i++) CHECK(z[i] == 0.0);
        free(s), free(t), free(z);
    }

    TEST("HairCellRestsAtTheSteadyState") {
        float u[2400] = {0};
        double *p = malloc(2400 * sizeof *p);
        mosaic_cochlea_haircell(u, 2400, RATE_, p);
        for (int i = 0; i < 2400; i += 100) CHECK_NEAR(p[i], 2.69865e-3, 5e-9);
        CHECK_NEAR(p[0], p[2399], 1e-15);
        free(p);
    }

    TEST("HairCellFollowsAStepAndSaturates") {
        const size_t m = 24000;
        float *u = malloc(m * sizeof *u);
        double *p = malloc(m * sizeof *p);
        for (size_t i = 0; i < m; i++) u[i] = i < 2400 ? 0.0f : 100.0f;
        mosaic_cochlea_haircell(u, m, RATE_, p);
        double peak = 0;
        for (size_t i = 2400; i < 3000; i++) peak = fmax(peak, p[i]);
        CHECK(peak > 5 * p[0]);        /* onset peak */
        CHECK(p[m - 1] < peak / 2);    /* adaptation */
        CHECK(p[m - 1] * RATE_ < 200); /* steady rate saturates near 100 /s */
        CHECK(p[m - 1] * RATE_ > 60);
        for (size_t i = 0; i < m; i++) u[i] = -50.0f; /* u + A < 0: permeability 0, never negative P */
        mosaic_cochlea_haircell(u, m, RATE_, p);
        for (size_t i = 0; i < m; i += 97) CHECK(p[i] >= 0.0);
        free(u), free(p);
    }

    TEST("FibresAtRestFireAt61PerSecondAndRespectDeadTime") {
        const size_t m = 48000; /* 2 s */
        double *p = malloc(m * sizeof *p), *work = malloc((m + 1) * sizeof *work);
        uint8_t *counts = malloc(m);
        const double rest = resting_p_();
        for (size_t i = 0; i < m; i++) p[i] = rest;
        for (int sampler = 0; sampler < 2; sampler++) {
            long total = 0;
            for (int stream = 0; stream < 10; stream++) {
                CHECK(mosaic_cochlea_fibres(p, m, RATE_, 40, 1e-3, (MosaicCochleaSampler)sampler, seed,
                                            stream, counts, work, &err) == MOSAIC_OK);
                for (size_t i = 0; i < m; i++) total += counts[i];
            }
            const double rate = total / (400.0 * 2.0);
            printf("  sampler %d: %.1f spikes/s per fibre (doc ~61)\n", sampler, rate);
            CHECK(fabs(rate - 61.0) < 2.5);
            /* One fibre alone: kept spikes at least 24 samples apart. */
            CHECK(mosaic_cochlea_fibres(p, m, RATE_, 1, 1e-3, (MosaicCochleaSampler)sampler, seed, 99, counts,
                                        work, &err) == MOSAIC_OK);
            long last = -100000, min_gap = 1000000;
            for (size_t i = 0; i < m; i++)
                if (counts[i]) {
                    CHECK(counts[i] == 1);
                    if ((long)i - last < min_gap) min_gap = (long)i - last;
                    last = (long)i;
                }
            CHECK(min_gap >= 24);
        }
        p[17] = NAN;
        CHECK(mosaic_cochlea_fibres(p, m, RATE_, 40, 1e-3, MOSAIC_COCHLEA_SAMPLER_EVENT, seed, 0, counts,
                                    work, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "sample 17") != NULL);
        free(p), free(work), free(counts);
    }

    TEST("SamplersAgreeInMeanCountAndIsi") {
        /* A driven probability trace: onset, phase-locked modulation, decay. */
        const size_t m = 4800;
        double *work;
        uint8_t *counts;
        double *p = driven_trace_(m, 0.015, 600.0, 0.004, 250.0, &work, &counts);
        enum { SEEDS = 50, BINS = 8 };
        double sum[2] = {0}, sum2[2] = {0}, hist[2][BINS] = {{0}};
        for (int sampler = 0; sampler < 2; sampler++)
            for (int s = 0; s < SEEDS; s++) {
                mosaic_cochlea_fibres(p, m, RATE_, 40, 1e-3, (MosaicCochleaSampler)sampler,
                                      seed + (uint64_t)s, 7, counts, work, &err);
                long c = 0;
                for (size_t i = 0; i < m; i++) c += counts[i];
                sum[sampler] += c, sum2[sampler] += (double)c * c;
                /* Histogram of the time of each spike (the ISI structure shows in the time profile). */
                for (size_t i = 0; i < m; i++) hist[sampler][i * BINS / m] += counts[i];
            }
        const double mean0 = sum[0] / SEEDS, mean1 = sum[1] / SEEDS;
        const double var0 = sum2[0] / SEEDS - mean0 * mean0, var1 = sum2[1] / SEEDS - mean1 * mean1;
        const double se = sqrt(var0 / SEEDS + var1 / SEEDS);
        printf("  event %.1f vs bernoulli %.1f spikes (se %.1f)\n", mean0, mean1, se);
        CHECK(fabs(mean0 - mean1) < 3 * se + 1e-9);
        for (int b = 0; b < BINS; b++)
            CHECK(fabs(hist[0][b] - hist[1][b]) < 4 * sqrt(hist[0][b] + hist[1][b]) + 1);
        free(p), free(work), free(counts);
    }

    TEST("ZigguratDrawsFollowExp1") {
        /* The fibres' Exp(1) draws: moments and the survival function P(X > t) = e^-t, including the
         * tail beyond the base layer's edge r = 7.697 that the ziggurat samples separately. */
        enum { DRAWS = 1000000 };
        const double t[] = {0.05, 0.5, 1.0, 2.0, 4.0, 7.0, 7.69711747013104972, 9.0};
        const int nt = (int)(sizeof t / sizeof t[0]);
        long above[8] = {0};
        double sum = 0, sum2 = 0, lowest = 1e300;
        MosaicRng rng;
        mosaic_rng_derive(&rng, seed, 1234);
        cochlea_exp1_init();
        for (int i = 0; i < DRAWS; i++) {
            const double x = cochlea_exp1(&rng);
            sum += x, sum2 += x * x;
            if (x < lowest) lowest = x;
            for (int k = 0; k < nt; k++) above[k] += x > t[k];
        }
        const double mean = sum / DRAWS, var = sum2 / DRAWS - mean * mean;
        printf("  Exp(1) draws: mean %.5f, variance %.5f, P(X > r) %.2e (expected %.2e)\n", mean, var,
               (double)above[6] / DRAWS, exp(-t[6]));
        CHECK(lowest >= 0.0);
        CHECK(fabs(mean - 1.0) < 5.0 / sqrt(DRAWS));
        CHECK(fabs(var - 1.0) < 5.0 * sqrt(8.0 / DRAWS));
        for (int k = 0; k < nt; k++) {
            const double p = exp(-t[k]), expected = p * DRAWS, sd = sqrt(DRAWS * p * (1 - p));
            CHECK(fabs((double)above[k] - expected) < 5 * sd + 1);
        }
    }

    TEST("EventSamplerMatchesBernoulliCountsPerSampleAndDeadTime") {
        /* The event sampler pools the fibres (they are exchangeable): check what the bushy cell sees
         * against the per-sample Bernoulli sampler: how often a sample holds 0, 1, 2, 3+ spikes, and
         * the lagged products sum c[n] c[n+d], whose dip below d = 24 is the dead time of the fibres. */
        const size_t m = 4800;
        double *work;
        uint8_t *counts;
        double *p = driven_trace_(m, 0.02, 800.0, 0.006, 500.0, &work, &counts);
        enum { SEEDS = 40, KINDS = 4, LAGS = 6 };
        const size_t lag[LAGS] = {1, 6, 12, 23, 24, 40};
        double hist[2][KINDS] = {{0}}, prod[2][LAGS] = {{0}};
        for (int sampler = 0; sampler < 2; sampler++)
            for (int s = 0; s < SEEDS; s++) {
                mosaic_cochlea_fibres(p, m, RATE_, 40, 1e-3, (MosaicCochleaSampler)sampler,
                                      seed + 1000 + (uint64_t)s, 11, counts, work, &err);
                for (size_t i = 0; i < m; i++) hist[sampler][counts[i] < KINDS ? counts[i] : KINDS - 1]++;
                for (int d = 0; d < LAGS; d++)
                    for (size_t i = 0; i + lag[d] < m; i++)
                        prod[sampler][d] += counts[i] * counts[i + lag[d]];
            }
        for (int k = 0; k < KINDS; k++) {
            printf("  samples with %d%s spikes: event %.0f, bernoulli %.0f\n", k, k == KINDS - 1 ? "+" : "",
                   hist[0][k], hist[1][k]);
            CHECK(fabs(hist[0][k] - hist[1][k]) < 5 * sqrt(hist[0][k] + hist[1][k]) + 2);
        }
        for (int d = 0; d < LAGS; d++) {
            printf("  lag %2zu: event %.0f, bernoulli %.0f\n", lag[d], prod[0][d], prod[1][d]);
            /* Products of counts vary more than counts: allow 5 sd of a count with twice the mean. */
            CHECK(fabs(prod[0][d] - prod[1][d]) < 5 * sqrt(2 * (prod[0][d] + prod[1][d])) + 2);
        }
        free(p), free(work), free(counts);
    }

    TEST("BushyCellThresholdAndStampingFollowSection7") {
        const size_t m = 200;
        uint8_t counts[200];
        uint32_t spikes[200];
        size_t ns;
        memset(counts, 0, m);
        mosaic_cochlea_bushy(counts, m, RATE_, 40, 1e-3, spikes, &ns);
        CHECK_EQ_INT(ns, 0);
        for (int k = 1; k <= 11; k++) {
            memset(counts, 0, m);
            counts[10] = (uint8_t)k;
            mosaic_cochlea_bushy(counts, m, RATE_, 40, 1e-3, spikes, &ns);
            CHECK_EQ_INT(ns, 0);
        }
        memset(counts, 0, m);
        counts[10] = 12;
        mosaic_cochlea_bushy(counts, m, RATE_, 40, 1e-3, spikes, &ns);
        CHECK_EQ_INT(ns, 1);
        CHECK_EQ_INT(spikes[0], 22);
        counts[10] = 13;
        mosaic_cochlea_bushy(counts, m, RATE_, 40, 1e-3, spikes, &ns);
        CHECK_EQ_INT(ns, 1);
        CHECK_EQ_INT(spikes[0], 19);
        memset(counts, 0, m);
        counts[10] = 40, counts[11] = 40;
        mosaic_cochlea_bushy(counts, m, RATE_, 40, 1e-3, spikes, &ns);
        CHECK_EQ_INT(ns, 1);
        CHECK_EQ_INT(spikes[0], 11);
        /* Constant heavy drive: the minimum interval is 25 samples. */
        memset(counts, 40, m);
        mosaic_cochlea_bushy(counts, m, RATE_, 40, 1e-3, spikes, &ns);
        CHECK(ns >= 7);
        for (size_t i = 1; i < ns; i++) CHECK_EQ_INT(spikes[i] - spikes[i - 1], 25);
    }

    TEST("RestingBushyCellsFireAbout08PerSecond") {
        const size_t m = 48000;
        double *p = malloc(m * sizeof *p), *work = malloc((m + 1) * sizeof *work);
        uint8_t *counts = malloc(m);
        uint32_t *spikes = malloc(m * sizeof *spikes);
        const double rest = resting_p_();
        for (size_t i = 0; i < m; i++) p[i] = rest;
        long total = 0;
        size_t worst = 0;
        enum { CHANNELS = 60 };
        for (int j = 0; j < CHANNELS; j++) {
            size_t ns;
            mosaic_cochlea_fibres(p, m, RATE_, 40, 1e-3, MOSAIC_COCHLEA_SAMPLER_EVENT, seed, (uint64_t)j,
                                  counts, work, &err);
            mosaic_cochlea_bushy(counts, m, RATE_, 40, 1e-3, spikes, &ns);
            total += (long)ns;
            if (ns > worst) worst = ns;
        }
        const double rate = total / (CHANNELS * 2.0);
        printf("  %.2f spikes/s per channel at rest (doc ~0.8), busiest channel %zu in 2 s\n", rate, worst);
        CHECK(rate > 0.4 && rate < 1.3);
        CHECK(worst < 12);
        free(p), free(work), free(counts), free(spikes);
    }

    TEST("TrimKeepsTheWordAndAMargin") {
        const double fs = 48000;
        const size_t n = 48000;
        float *x = calloc(n, sizeof *x);
        for (size_t i = 20000; i < 30000; i++) x[i] = (float)(0.5 * sin(2 * PI_ * 440 * i / fs));
        for (size_t i = 0; i < n; i++) x[i] += (float)(1e-5 * sin(0.7 * i)); /* -100 dB hiss */
        size_t start, len;
        mosaic_cochlea_trim(x, n, fs, 40, 0.03, &start, &len);
        CHECK(start <= 20000 - 1440 && start >= 20000 - 1440 - 480);
        CHECK(start + len >= 30000 + 1440 && start + len <= 30000 + 1440 + 960);
        memset(x, 0, n * sizeof *x);
        mosaic_cochlea_trim(x, n, fs, 40, 0.03, &start, &len);
        CHECK(start == 0 && len == n);
        free(x);
    }

    TEST("ResamplingKeepsFrequencyAndDuration") {
        const size_t n = 8000;
        float *x = malloc(n * sizeof *x), *y = NULL;
        for (size_t i = 0; i < n; i++) x[i] = (float)sin(2 * PI_ * 440.0 * i / 8000.0);
        size_t ny = 0;
        CHECK(mosaic_cochlea_resample(x, n, 8000, 48000, &y, &ny, &err) == MOSAIC_OK);
        CHECK_EQ_INT(ny, 48000);
        int crossings = 0;
        for (size_t i = 4801; i < 43200; i++) crossings += (y[i - 1] < 0) != (y[i] < 0);
        CHECK_NEAR(crossings / 0.8 / 2, 440, 3);
        free(x), free(y);
    }

    TEST("StereoIsRejectedUnlessDownmixed") {
        char path[64];
        snprintf(path, sizeof path, "/tmp/mosaic-cochlea-stereo-%ld.wav", (long)getpid());
        float frames[200];
        for (int i = 0; i < 100; i++) frames[2 * i] = 0.5f, frames[2 * i + 1] = -0.25f;
        CHECK(write_wav16_(path, 2, frames, 100));
        float *x = NULL;
        size_t n = 0;
        double fs = 0;
        CHECK(mosaic_cochlea_read_audio(path, 0, &x, &n, &fs, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "2 audio channels") != NULL && strstr(err.msg, path) != NULL);
        CHECK(mosaic_cochlea_read_audio(path, 1, &x, &n, &fs, &err) == MOSAIC_OK);
        CHECK_EQ_INT(n, 100);
        CHECK_NEAR(fs, 16000, 0);
        CHECK_NEAR(x[10], 0.125, 1e-4);
        free(x);
        remove(path);
        CHECK(mosaic_cochlea_read_audio("/nonexistent.wav", 0, &x, &n, &fs, &err) == MOSAIC_ERR_INPUT);
    }

    TEST("TruncatedWavIsRejected") {
        /* libsndfile would read what is left as a shorter recording */
        char path[64];
        snprintf(path, sizeof path, "/tmp/mosaic-cochlea-cut-%ld.wav", (long)getpid());
        static float frames[8000];
        for (int i = 0; i < 8000; i++) frames[i] = (float)(0.3 * sin(0.1 * i));
        CHECK(write_wav16_(path, 1, frames, 8000));
        float *x = NULL;
        size_t n = 0;
        double fs = 0;
        CHECK(mosaic_cochlea_read_audio(path, 0, &x, &n, &fs, &err) == MOSAIC_OK && n == 8000);
        free(x);
        x = NULL;
        /* keep the 44-byte header and half of the 16000 data bytes */
        static unsigned char bytes[44 + 8000];
        FILE *fp = fopen(path, "rb");
        CHECK(fp && fread(bytes, 1, sizeof bytes, fp) == sizeof bytes);
        if (fp) fclose(fp);
        fp = fopen(path, "wb");
        CHECK(fp && fwrite(bytes, 1, sizeof bytes, fp) == sizeof bytes);
        if (fp) fclose(fp);
        CHECK(mosaic_cochlea_read_audio(path, 0, &x, &n, &fs, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "truncated: its data chunk declares 16000 bytes, the file holds 8000") != NULL);
        free(x);
        x = NULL;
        /* the placeholder size of a WAV written to a pipe (sox: 0x7ffff000) is not a truncation */
        bytes[40] = 0x00, bytes[41] = 0xf0, bytes[42] = 0xff, bytes[43] = 0x7f;
        fp = fopen(path, "wb");
        CHECK(fp && fwrite(bytes, 1, sizeof bytes, fp) == sizeof bytes);
        if (fp) fclose(fp);
        CHECK(mosaic_cochlea_read_audio(path, 0, &x, &n, &fs, &err) == MOSAIC_OK && n == 4000);
        free(x);
        remove(path);
    }

    TEST("ParametersAreCheckedAndHashed") {
        MosaicCochleaParams p, q;
        mosaic_cochlea_params_default(&p);
        CHECK(mosaic_cochlea_params_check(&p, &err) == MOSAIC_OK);
        q = p;
        q.threads = 7;
        CHECK(mosaic_cochlea_params_hash(&p) == mosaic_cochlea_params_hash(&q));
        q.s0 = 1e8;
        CHECK(mosaic_cochlea_params_hash(&p) != mosaic_cochlea_params_hash(&q));
        q = p;
        q.channels = 1;
        CHECK(mosaic_cochlea_params_check(&q, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "channels") != NULL);
        q = p;
        q.fibres = 0;
        CHECK(mosaic_cochlea_params_check(&q, &err) == MOSAIC_ERR_INPUT);
        MosaicCochleaSpikes s;
        float bad[64] = {0};
        bad[9] = NAN;
        CHECK(mosaic_cochlea_convert(bad, 64, 48000, &p, 1, NULL, &s, NULL, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "sample 9") != NULL);
        const float one[1] = {0.5f};
        CHECK(mosaic_cochlea_convert(one, 1, 48000, &p, 1, NULL, &s, NULL, &err) == MOSAIC_ERR_INPUT);
        CHECK(s.count == 0);
    }
    return mosaic_test_finish();
}
