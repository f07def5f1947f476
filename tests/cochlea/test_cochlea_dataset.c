/* Dataset making end to end: synthetic espeak-ng digits and FSDD recordings through the cochlea into
 * SHD-layout files, read back with the traces reader (round trip), then a spike-count nearest-centroid
 * classifier must score well above chance and below 100 % (the data are learnable, not trivial).
 * 140 places instead of 700 to keep it to seconds. Skips cleanly without espeak-ng or FSDD. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mosaic_cochlea_dataset.h"
#include "mosaic_shd.h"
#include "mosaic_test.h"

#define C_ 140
#define GROUP_ 10                 /* units pooled per feature */
#define SEGS_ 3                   /* thirds of the active part of each sample */
#define NF_ (SEGS_ * C_ / GROUP_) /* features per sample */
#define BINS_ 400                 /* 10 ms envelope bins (4 s) */

typedef struct {
    int n, classes;
    double (*feat)[NF_];
    int *label;
} Set_;

/* Features: spike counts per (third of the active part, group of 10 units), square-rooted and
 * L2-normalised. The active part is where the 50 ms-smoothed spike rate exceeds 20 % of its peak, so
 * the word's position in its frame does not matter. */
static void features_(const MosaicSpikes *sp, double *f) {
    double env[BINS_] = {0}, sm[BINS_];
    for (int64_t k = 0; k < sp->n; k++) {
        const int b = (int)(sp->times[k] / 0.01);
        if (b < BINS_) env[b]++;
    }
    double peak = 0;
    for (int b = 0; b < BINS_; b++) {
        sm[b] = 0;
        for (int d = -2; d <= 2; d++)
            if (b + d >= 0 && b + d < BINS_) sm[b] += env[b + d];
        if (sm[b] > peak) peak = sm[b];
    }
    int lo = 0, hi = BINS_ - 1;
    while (lo < hi && sm[lo] < 0.2 * peak) lo++;
    while (hi > lo && sm[hi] < 0.2 * peak) hi--;
    const double t0 = lo * 0.01, t1 = (hi + 1) * 0.01;
    for (int j = 0; j < NF_; j++) f[j] = 0;
    for (int64_t k = 0; k < sp->n; k++) {
        const double t = sp->times[k];
        if (t < t0 || t >= t1) continue;
        int seg = (int)(SEGS_ * (t - t0) / (t1 - t0));
        if (seg >= SEGS_) seg = SEGS_ - 1;
        f[seg * (C_ / GROUP_) + sp->units[k] / GROUP_] += 1;
    }
    double norm = 0;
    for (int j = 0; j < NF_; j++) f[j] = sqrt(f[j]), norm += f[j] * f[j];
    for (int j = 0; j < NF_; j++) f[j] /= sqrt(norm) + 1e-12;
}

/* Reads a file into per-sample features, checking the stored structure. */
static int load_(const char *path, Set_ *s, const double max_t) {
    MosaicShd *shd = NULL;
    MosaicErr err;
    if (mosaic_shd_open(path, &shd, &err) != MOSAIC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    s->n = (int)mosaic_shd_num_samples(shd);
    s->classes = mosaic_shd_num_classes(shd);
    s->feat = calloc((size_t)s->n, sizeof *s->feat);
    s->label = calloc((size_t)s->n, sizeof *s->label);
    CHECK_EQ_INT(mosaic_shd_num_units(shd), C_);
    MosaicSpikes sp = {0};
    for (int i = 0; i < s->n; i++) {
        CHECK(mosaic_shd_read_sample(shd, i, &sp, &err) == MOSAIC_OK);
        s->label[i] = mosaic_shd_label(shd, i);
        int ok = 1;
        for (int64_t k = 0; k < sp.n; k++) {
            ok &= sp.times[k] >= 0 && sp.times[k] <= max_t && sp.units[k] >= 0 && sp.units[k] < C_;
            if (k) ok &= sp.times[k] >= sp.times[k - 1];
        }
        CHECK(ok);
        features_(&sp, s->feat[i]);
    }
    mosaic_spikes_free(&sp);
    mosaic_shd_close(shd);
    return 1;
}

/* Nearest centroid (Euclidean on normalised features): test accuracy. */
static double centroid_accuracy_(const Set_ *train, const Set_ *test) {
    const int k = train->classes;
    double(*cen)[NF_] = calloc((size_t)k, sizeof *cen);
    int *cnt = calloc((size_t)k, sizeof *cnt);
    for (int i = 0; i < train->n; i++) {
        cnt[train->label[i]]++;
        for (int j = 0; j < NF_; j++) cen[train->label[i]][j] += train->feat[i][j];
    }
    int right = 0;
    for (int i = 0; i < test->n; i++) {
        int best = -1;
        double bd = 1e300;
        for (int c = 0; c < k; c++) {
            if (!cnt[c]) continue;
            double d = 0;
            for (int j = 0; j < NF_; j++) {
                const double e = test->feat[i][j] - cen[c][j] / cnt[c];
                d += e * e;
            }
            if (d < bd) bd = d, best = c;
        }
        right += best == test->label[i];
    }
    free(cen), free(cnt);
    return (double)right / test->n;
}

static void set_free_(Set_ *s) { free(s->feat), free(s->label); }

static int have_program_(const char *name) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static void rm_rf_(const char *dir) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* A 0.1 s tone at 16 kHz as a WAV file. */
static int write_tone_(const char *path, double hz) {
    float x[1600];
    for (int i = 0; i < 1600; i++) x[i] = (float)(0.3 * sin(2 * 3.14159265358979 * hz * i / 16000.0));
    SF_INFO info = {.samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) return 0;
    sf_writef_float(f, x, 1600);
    sf_close(f);
    return 1;
}

static void write_text_(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) fputs(text, f), fclose(f);
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 3);
    /* --fsdd: only the FSDD part, which needs ../shared/data (a CTest entry of its own, so that a
     * machine without the data reports that part skipped and still passes the rest) */
    int fsdd = 0;
    for (int i = 1; i < argc; i++) fsdd |= !strcmp(argv[i], "--fsdd");
    char tmp[] = "/tmp/mosaic-cochlea-test-XXXXXX";
    if (!mkdtemp(tmp)) return 1;
    char out[4200], train[4300], test[4300];
    MosaicErr err;

    if (!fsdd) TEST("SyntheticDigitsRoundTripAndAreLearnable") {
            if (!have_program_("espeak-ng")) SKIP("espeak-ng not installed");
            MosaicSynthOptions o;
            mosaic_synth_options_default(&o);
            o.per_class = 12; /* every speaker once per class */
            o.seed = seed;
            o.cochlea.channels = C_;
            snprintf(out, sizeof out, "%s/synth", tmp);
            MosaicDatasetSummary sum;
            CHECK(mosaic_cochlea_synth_digits(&o, out, 0, &sum, &err) == MOSAIC_OK);
            printf("  %zu train, %zu test samples, %.0f spikes per sample\n", sum.train, sum.test,
                   (double)sum.spikes / (double)(sum.train + sum.test));
            CHECK_EQ_INT(sum.train, 200);
            CHECK_EQ_INT(sum.test, 40);
            /* Same options again: up to date, nothing done. */
            MosaicDatasetSummary again;
            CHECK(mosaic_cochlea_synth_digits(&o, out, 0, &again, &err) == MOSAIC_OK);
            CHECK(again.skipped == 1);
            snprintf(train, sizeof train, "%s/train.h5", out);
            snprintf(test, sizeof test, "%s/test.h5", out);
            Set_ a, b;
            CHECK(load_(train, &a, 0.85) && load_(test, &b, 0.85));
            CHECK_EQ_INT(a.classes, 20);
            const double acc = centroid_accuracy_(&a, &b);
            printf("  nearest-centroid accuracy on held-out speakers: %.1f %% (chance 5 %%)\n", 100 * acc);
            CHECK(acc >= 0.25); /* 5x chance */
            CHECK(acc < 1.0);
            set_free_(&a), set_free_(&b);
        }

    if (!fsdd) TEST("FilesReplacedSinceAreMadeAgain") {
            /* dataset.txt records the made files' MD5 sums: a file put there since (`mosaic dataset synth`
             * into the same folder) is not taken for the made one. */
            if (!have_program_("espeak-ng")) SKIP("espeak-ng not installed");
            MosaicSynthOptions o;
            mosaic_synth_options_default(&o);
            o.per_class = 1;
            o.german = 0;
            o.seed = seed;
            o.cochlea.channels = C_;
            snprintf(out, sizeof out, "%s/replaced", tmp);
            snprintf(train, sizeof train, "%s/train.h5", out);
            snprintf(test, sizeof test, "%s/test.h5", out);
            MosaicDatasetSummary sum;
            CHECK(mosaic_cochlea_synth_digits(&o, out, 0, &sum, &err) == MOSAIC_OK && !sum.skipped);
            CHECK(mosaic_cochlea_synth_digits(&o, out, 0, &sum, &err) == MOSAIC_OK && sum.skipped);
            /* another file under the made name, both files still there: only the checksums tell */
            FILE *in = fopen(test, "rb"), *to = fopen(train, "wb");
            CHECK(in && to);
            char chunk[65536];
            size_t got;
            while (in && to && (got = fread(chunk, 1, sizeof chunk, in)) > 0)
                CHECK(fwrite(chunk, 1, got, to) == got);
            if (in) fclose(in);
            if (to) fclose(to);
            CHECK(mosaic_cochlea_synth_digits(&o, out, 0, &sum, &err) == MOSAIC_OK && !sum.skipped);
            CHECK(mosaic_cochlea_synth_digits(&o, out, 0, &sum, &err) == MOSAIC_OK && sum.skipped);
        }

    if (!fsdd) TEST("FromWavLabelFileRules") {
            char dir[4200], csv[4300], path[4300];
            snprintf(dir, sizeof dir, "%s/wavs", tmp);
            mkdir(dir, 0755);
            snprintf(path, sizeof path, "%s/a.wav", dir);
            CHECK(write_tone_(path, 500));
            snprintf(path, sizeof path, "%s/b.wav", dir);
            CHECK(write_tone_(path, 2000));
            snprintf(csv, sizeof csv, "%s/labels.csv", tmp);
            snprintf(out, sizeof out, "%s/fromwav", tmp);
            MosaicFromWavOptions o;
            mosaic_from_wav_options_default(&o);
            o.dir = dir;
            o.labels_csv = csv;
            o.cochlea.channels = C_;
            o.cochlea.bm = MOSAIC_COCHLEA_BM_GAMMATONE;
            MosaicDatasetSummary sum;
            /* a header row is skipped ... */
            write_text_(csv, "file,label,speaker,split\na.wav,0,s1,train\nb.wav,1,s2,test\n");
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_OK && sum.train == 1 &&
                  sum.test == 1);
            snprintf(test, sizeof test, "%s/test.h5", out);
            struct stat sb;
            CHECK(stat(test, &sb) == 0);
            /* ... and a later run without test rows does not leave the earlier test set behind */
            write_text_(csv, "a.wav,0\nb.wav,1\n");
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_OK && sum.train == 2 &&
                  sum.test == 0);
            CHECK(stat(test, &sb) != 0);
            /* likewise the training set when every row is test */
            write_text_(csv, "a.wav,0,s1,test\nb.wav,1,s1,test\n");
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_OK && sum.train == 0 &&
                  sum.test == 2);
            snprintf(train, sizeof train, "%s/train.h5", out);
            CHECK(stat(train, &sb) != 0 && stat(test, &sb) == 0);
            /* a first row with a file and a bad label is an error, not a header */
            write_text_(csv, "a.wav,zero\nb.wav,1\n");
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, "line 1: expected 'file,label") != NULL);
            /* a recording listed twice */
            write_text_(csv, "a.wav,0\nb.wav,1\na.wav,1\n");
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, "line 3 lists 'a.wav' again (first on line 1)") != NULL);
            /* more class names than classes */
            write_text_(csv, "a.wav,0\nb.wav,1\n");
            o.keys = "low,high,extra";
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, "--keys: more names than the 2 classes") != NULL);
            o.keys = "low,low";
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, "'low' names classes 0 and 1") != NULL);
            o.keys = "low,";
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_ERR_INPUT);
            o.keys = NULL;
            /* a listed path that is not a regular file (a folder here; a FIFO would block) */
            write_text_(csv, "a.wav,0\n.,1\n");
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, "line 2:") != NULL && strstr(err.msg, "not a regular file") != NULL);
            /* a line too long for the reader is named, not split into two rows */
            FILE *f = fopen(csv, "w");
            if (f) {
                fputs("a.wav,0,", f);
                for (int i = 0; i < 9000; i++) fputc('s', f);
                fputs("\nb.wav,1\n", f);
                fclose(f);
            }
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, "line 1 is longer than") != NULL);
        }

    if (fsdd) TEST("FsddRecordingsConvertAndAreLearnable") {
            const char *shared = getenv("MOSAIC_SHARED_DATA");
            char dir[4200];
            snprintf(dir, sizeof dir, "%s/fsdd/recordings", shared ? shared : "");
            DIR *d = shared ? opendir(dir) : NULL;
            if (!d) SKIP("FSDD not found (MOSAIC_SHARED_DATA/fsdd/recordings)");
            /* A subset: takes 0-1 for test (the customary test takes are 0-4), 5-9 for train. */
            char csv[4300];
            snprintf(csv, sizeof csv, "%s/fsdd.csv", tmp);
            FILE *f = fopen(csv, "w");
            fprintf(f, "file,label,speaker,split\n");
            struct dirent *e;
            int rows = 0;
            while ((e = readdir(d))) {
                int digit, take;
                char speaker[64];
                if (sscanf(e->d_name, "%d_%63[^_]_%d.wav", &digit, speaker, &take) != 3) continue;
                if (take > 9 || (take >= 2 && take <= 4)) continue;
                fprintf(f, "%s,%d,%s,%s\n", e->d_name, digit, speaker, take <= 1 ? "test" : "train");
                rows++;
            }
            closedir(d);
            fclose(f);
            MosaicFromWavOptions o;
            mosaic_from_wav_options_default(&o);
            o.dir = dir;
            o.labels_csv = csv;
            o.seed = seed;
            o.cochlea.channels = C_;
            snprintf(out, sizeof out, "%s/fsdd", tmp);
            MosaicDatasetSummary sum;
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_OK);
            printf("  %d rows: %zu train, %zu test, %.1f s of audio, %.0f spikes per sample\n", rows,
                   sum.train, sum.test, sum.audio_seconds,
                   (double)sum.spikes / (double)(sum.train + sum.test));
            CHECK_EQ_INT(sum.train + sum.test, rows);
            snprintf(train, sizeof train, "%s/train.h5", out);
            snprintf(test, sizeof test, "%s/test.h5", out);
            Set_ a, b;
            CHECK(load_(train, &a, 3.0) && load_(test, &b, 3.0));
            const double acc = centroid_accuracy_(&a, &b);
            printf("  nearest-centroid accuracy on takes 0-1: %.1f %% (chance 10 %%)\n", 100 * acc);
            CHECK(acc >= 0.40); /* 4x chance */
            CHECK(acc < 1.0);
            set_free_(&a), set_free_(&b);
            /* A bad CSV line names the file and line. */
            f = fopen(csv, "w");
            fprintf(f, "a.wav,1\nb.wav,x\n");
            fclose(f);
            CHECK(mosaic_cochlea_from_wav(&o, out, &sum, &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, "line 2") != NULL);
        }
    rm_rf_(tmp);
    return mosaic_test_finish();
}
