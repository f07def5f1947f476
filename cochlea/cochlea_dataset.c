/* cochlea_dataset: synthetic (espeak-ng) and recorded spoken-digit datasets in the SHD layout
 * (see mosaic_cochlea_dataset.h). */
#define _POSIX_C_SOURCE 200809L
#include "mosaic_cochlea_dataset.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sndfile.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cochlea_fft.h"
#include "cochlea_internal.h"
#include "mosaic_files.h"
#include "mosaic_md5.h"
#include "mosaic_rng.h"
#include "mosaic_shd.h"

extern char **environ;

#define DATASET_VERSION_ 1ull
#define SEED_MASK_ ((1ull << 53) - 1) /* sample seeds are stored as float64: keep them exact */

/* ---- speakers and words ---- */

/* espeak-ng voice variants play the speakers; m4 and f4 are held out for test (2 of 12, like SHD). */
static const char *const speakers_[] = {"m1", "m2", "m3", "m4", "m5", "m6",
                                        "m7", "f1", "f2", "f3", "f4", "f5"};
static const int speaker_test_[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0};
#define NSPEAKERS_ 12

static const char *const words_en_[10] = {"zero", "one", "two",   "three", "four",
                                          "five", "six", "seven", "eight", "nine"};
static const char *const words_de_[10] = {"null", "eins",  "zwei",   "drei", "vier",
                                          "fünf", "sechs", "sieben", "acht", "neun"};

int mosaic_synth_speakers(const char *const **names, const int **is_test) {
    *names = speakers_;
    *is_test = speaker_test_;
    return NSPEAKERS_;
}

void mosaic_synth_options_default(MosaicSynthOptions *o) {
    memset(o, 0, sizeof *o);
    o->english = 1;
    o->german = 1;
    o->per_class = 40;
    o->seed = 1;
    o->frame = 0.8;
    o->snr_db_min = 5.0;
    o->snr_db_max = 25.0;
    o->espeak = "espeak-ng";
    mosaic_cochlea_params_default(&o->cochlea);
    o->cache_bytes = MOSAIC_COCHLEA_CACHE_DEFAULT_BYTES;
}

uint64_t mosaic_synth_options_hash(const MosaicSynthOptions *o) {
    uint64_t h = mosaic_cochlea_params_hash(&o->cochlea);
    const uint64_t ints[] = {DATASET_VERSION_, (uint64_t)o->english, (uint64_t)o->german,
                             (uint64_t)o->per_class, o->seed};
    const double reals[] = {o->frame, o->snr_db_min, o->snr_db_max};
    h = cochlea_fnv1a(h, ints, sizeof ints);
    h = cochlea_fnv1a(h, reals, sizeof reals);
    return cochlea_fnv1a(h, o->espeak, strlen(o->espeak));
}

/* ---- helpers ---- */

static MosaicStatus mkdir_p_(const char *dir, MosaicErr *err) {
    char buf[4096];
    if (strlen(dir) >= sizeof buf) return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: path too long", dir);
    strcpy(buf, dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
    return MOSAIC_OK;
}

/* Runs argv[0] with argv, stdout and stderr to /dev/null; returns its exit status, or -1 with errno
 * set if it could not be started. */
static int run_program_(char *const argv[]) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    const int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* A frame of about `seconds` whose inverse-DFT length M = N/2 + 1 is 5-smooth, so the 700 inverse
 * transforms per file need no Bluestein step. */
static size_t frame_samples_(const double seconds, const double fs) {
    const size_t m = cochlea_fft_smooth_at_least((size_t)floor(seconds * fs / 2.0) + 1);
    return 2 * (m - 1);
}

/* Writes one converted sample (times in seconds) to an SHD writer. */
static MosaicStatus add_sample_(MosaicShdWriter *w, const MosaicCochleaSpikes *s, const int label,
                                const int speaker, MosaicErr *err) {
    float *t = malloc((s->count ? s->count : 1) * sizeof *t);
    int32_t *u = malloc((s->count ? s->count : 1) * sizeof *u);
    if (!t || !u) {
        free(t), free(u);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "dataset: out of memory for %zu spikes", s->count);
    }
    for (size_t i = 0; i < s->count; i++) t[i] = (float)(s->sample[i] / s->rate), u[i] = s->unit[i];
    const MosaicStatus st = mosaic_shd_writer_add(w, t, u, (int64_t)s->count, label, speaker, err);
    free(t), free(u);
    return st;
}

static uint64_t sample_seed_(const uint64_t master, const uint64_t index) {
    MosaicRng r;
    mosaic_rng_derive(&r, master, 0x5EED000000000000ull + index);
    return mosaic_rng_u64(&r) & SEED_MASK_;
}

/* Closes both writers (either may be NULL), then renames both: a failure before the renames (a full
 * disk at close) leaves the train.h5 and test.h5 of an earlier run as they were, both of them, not a
 * new train set beside an old test set. Frees the writers and clears both pointers. */
static MosaicStatus finish_pair_(MosaicShdWriter **a, MosaicShdWriter **b, MosaicErr *err) {
    MosaicShdWriter *w[2] = {*a, *b};
    *a = *b = NULL;
    MosaicStatus st = MOSAIC_OK;
    for (int i = 0; i < 2; i++)
        if (w[i] && st == MOSAIC_OK && (st = mosaic_shd_writer_close(w[i], err)) != MOSAIC_OK)
            w[i] = NULL; /* freed by close */
    for (int i = 0; i < 2; i++) {
        if (!w[i]) continue;
        if (st != MOSAIC_OK) {
            mosaic_shd_writer_abort(w[i]);
            continue;
        }
        st = mosaic_shd_writer_publish(w[i], err);
        /* the second rename failing after the first is left as it is: renames fail for reasons (a
         * folder made read-only meanwhile) that would stop the first as well */
    }
    return st;
}

/* Whether dir/dataset.txt records `hash` and the MD5 sums of the train.h5 and test.h5 that are there now.
 * The sums make sure the files are the ones made with those parameters, not files put there since (by
 * `mosaic dataset synth`, a copy, a half-finished download). */
static int up_to_date_(const char *dir, uint64_t hash) {
    char path[4200];
    snprintf(path, sizeof path, "%s/dataset.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[512], want[2][33] = {"", ""};
    uint64_t h = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long v;
        if (sscanf(line, "params_hash %llx", &v) == 1) h = v;
        sscanf(line, "train_md5 %32s", want[0]);
        sscanf(line, "test_md5 %32s", want[1]);
    }
    fclose(f);
    if (h != hash) return 0;
    const char *names[2] = {"train.h5", "test.h5"};
    for (int i = 0; i < 2; i++) {
        char hex[33];
        MosaicErr err;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (strlen(want[i]) != 32 || mosaic_md5_file(path, hex, &err) != MOSAIC_OK || strcmp(hex, want[i]))
            return 0;
    }
    return 1;
}

/* ---- synthetic digits ---- */

typedef struct {
    MosaicShdWriter *train, *test;
    double *train_seeds, *test_seeds;
} Writers_;

static MosaicStatus synth_one_(const MosaicSynthOptions *o, const char *tmpdir, const char *lang,
                               const char *word, const int speaker, const uint64_t index,
                               const size_t frame_n, float *frame, MosaicCochleaCache *cache,
                               MosaicCochleaSpikes *out, uint64_t *fseed, MosaicErr *err,
                               MosaicDatasetSummary *sum) {
    MosaicRng rng;
    mosaic_rng_derive(&rng, o->seed, index);
    const int pitch = 25 + (int)mosaic_rng_below(&rng, 51);  /* espeak 0..99, default 50 */
    const int speed = 130 + (int)mosaic_rng_below(&rng, 71); /* words per minute, default 175 */
    const int amp = 60 + (int)mosaic_rng_below(&rng, 81);    /* 0..200, default 100 */
    const double snr = o->snr_db_min + (o->snr_db_max - o->snr_db_min) * mosaic_rng_uniform(&rng);
    const double place = mosaic_rng_uniform(&rng);
    const uint64_t noise_seed = mosaic_rng_u64(&rng);
    *fseed = sample_seed_(o->seed, index);

    char voice[64], ps[16], ss[16], as[16], wav[4200];
    snprintf(voice, sizeof voice, "%s+%s", lang, speakers_[speaker]);
    snprintf(ps, sizeof ps, "%d", pitch);
    snprintf(ss, sizeof ss, "%d", speed);
    snprintf(as, sizeof as, "%d", amp);
    if (snprintf(wav, sizeof wav, "%s/u%llu.wav", tmpdir, (unsigned long long)index) >= (int)sizeof wav)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: temporary folder path too long (at most %zu bytes)",
                          tmpdir, sizeof wav - 32);
    char *argv[] = {(char *)o->espeak, "-v", voice, "-p", ps, "-s", ss, "-a", as, "-w", wav,
                    (char *)word,      NULL};
    const int tracked = mosaic_tmp_track(wav);
    const int rc = run_program_(argv);
    if (rc != 0) {
        remove(wav);
        mosaic_tmp_untrack(tracked);
        return mosaic_err(err, MOSAIC_ERR_IO,
                          "%s: %s (voice %s, word '%s'); install espeak-ng (apt-get install "
                          "espeak-ng) or pass --espeak PROGRAM",
                          o->espeak, rc < 0 ? strerror(errno) : "exited with an error", voice, word);
    }
    float *x = NULL, *y = NULL;
    size_t n = 0, ny = 0;
    double fs = 0;
    MosaicStatus st = mosaic_cochlea_read_audio(wav, 0, &x, &n, &fs, err);
    remove(wav);
    mosaic_tmp_untrack(tracked);
    if (st != MOSAIC_OK) return st;
    st = mosaic_cochlea_resample(x, n, fs, o->cochlea.fs, &y, &ny, err);
    if (fs != o->cochlea.fs) sum->resampled++, sum->resampled_from = fs;
    free(x);
    if (st != MOSAIC_OK) return st;
    size_t start, len;
    mosaic_cochlea_trim(y, ny, o->cochlea.fs, o->cochlea.trim_db, o->cochlea.trim_margin, &start, &len);
    if (len > frame_n) start += (len - frame_n) / 2, len = frame_n; /* a very slow word loses its edges */
    double e = 0;
    for (size_t i = start; i < start + len; i++) e += (double)y[i] * y[i];
    const double word_rms = sqrt(e / (double)(len ? len : 1));
    /* Background: white plus low-passed (room-like) noise, snr dB below the word. */
    const double noise_rms = word_rms * pow(10.0, -snr / 20.0);
    MosaicRng nr;
    mosaic_rng_seed(&nr, noise_seed);
    double lp = 0;
    const double a = exp(-2 * 3.14159265358979 * 500.0 / o->cochlea.fs);
    const double lp_gain = sqrt((1 + a) / (1 - a)); /* unit-variance output of the one-pole low-pass */
    for (size_t i = 0; i < frame_n; i++) {
        const double w = mosaic_rng_normal(&nr);
        lp = a * lp + (1 - a) * mosaic_rng_normal(&nr);
        frame[i] = (float)(noise_rms * (w + lp_gain * lp) / sqrt(2.0));
    }
    const size_t off = (size_t)(place * (double)(frame_n - len));
    for (size_t i = 0; i < len; i++) frame[off + i] += y[start + i];
    free(y);
    MosaicCochleaParams p = o->cochlea;
    p.trim = 0;
    return mosaic_cochlea_convert(frame, frame_n, p.fs, &p, *fseed, cache, out, NULL, err);
}

static MosaicStatus write_meta_txt_(const char *dir, const char *body, MosaicErr *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/dataset.txt", dir);
    return mosaic_write_text_atomic(path, body, err);
}

MosaicStatus mosaic_cochlea_synth_digits(const MosaicSynthOptions *o, const char *out_dir, const int force,
                                         MosaicDatasetSummary *summary, MosaicErr *err) {
    memset(summary, 0, sizeof *summary);
    MOSAIC_TRY(mosaic_cochlea_params_check(&o->cochlea, err));
    if (!o->english && !o->german)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "dataset classes: none selected; expected en, de or both");
    if (o->per_class < 1 || o->per_class > 100000)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "dataset per-class: %d; expected 1..100000", o->per_class);
    if (!(o->frame >= 0.2 && o->frame <= 10.0))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "dataset frame: %g s; expected 0.2..10", o->frame);
    if (!(o->snr_db_min <= o->snr_db_max))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "dataset snr: min %g dB > max %g dB", o->snr_db_min,
                          o->snr_db_max);
    const uint64_t hash = mosaic_synth_options_hash(o);
    char train_path[4200], test_path[4200], tmpdir[4200];
    snprintf(train_path, sizeof train_path, "%s/train.h5", out_dir);
    snprintf(test_path, sizeof test_path, "%s/test.h5", out_dir);
    if (!force && up_to_date_(out_dir, hash)) {
        summary->skipped = 1;
        return MOSAIC_OK;
    }
    MOSAIC_TRY(mkdir_p_(out_dir, err));
    snprintf(tmpdir, sizeof tmpdir, "%s/.espeak-%ld", out_dir, (long)getpid());
    MOSAIC_TRY(mkdir_p_(tmpdir, err));
    const int tmpdir_tracked = mosaic_tmp_track_dir(tmpdir); /* an interrupted run removes it */

    const int nlang = o->english + o->german;
    const int nclasses = 10 * nlang;
    const char *keys[20];
    for (int c = 0; c < nclasses; c++) {
        const int de = o->english ? c >= 10 : 1;
        keys[c] = de ? words_de_[c % 10] : words_en_[c % 10];
    }
    const size_t frame_n = frame_samples_(o->frame, o->cochlea.fs);
    const size_t total = (size_t)nclasses * (size_t)o->per_class;
    float *frame = malloc(frame_n * sizeof *frame);
    double *train_seeds = malloc(total * sizeof *train_seeds),
           *test_seeds = malloc(total * sizeof *test_seeds);
    /* One filter table (700 x M complex floats, ~90 MB at 0.8 s) serves every utterance; frames longer
     * than the budget allows are streamed. */
    MosaicCochleaCache *cache = mosaic_cochlea_cache_create(o->cache_bytes);
    MosaicShdWriter *wtrain = NULL, *wtest = NULL;
    MosaicStatus st = MOSAIC_OK;
    if (!frame || !train_seeds || !test_seeds || !cache) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "dataset: out of memory");
        goto done;
    }
    st = mosaic_shd_writer_begin(train_path, keys, nclasses, o->cochlea.channels, &wtrain, err);
    if (st == MOSAIC_OK)
        st = mosaic_shd_writer_begin(test_path, keys, nclasses, o->cochlea.channels, &wtest, err);
    if (st != MOSAIC_OK) goto done;
    size_t done_n = 0;
    for (int c = 0; c < nclasses && st == MOSAIC_OK; c++) {
        const int de = o->english ? c >= 10 : 1;
        const char *word = keys[c];
        for (int i = 0; i < o->per_class && st == MOSAIC_OK; i++) {
            /* Speakers rotate within a class, offset per class so test speakers are not always the
             * same utterance slots. */
            const int speaker = (i + c) % NSPEAKERS_;
            const uint64_t index = (uint64_t)c * 100000u + (uint64_t)i;
            MosaicCochleaSpikes s;
            uint64_t fseed = 0;
            st = synth_one_(o, tmpdir, de ? "de" : "en", word, speaker, index, frame_n, frame, cache, &s,
                            &fseed, err, summary);
            if (st != MOSAIC_OK) break;
            const int is_test = speaker_test_[speaker];
            st = add_sample_(is_test ? wtest : wtrain, &s, c, speaker, err);
            if (is_test)
                test_seeds[summary->test++] = (double)fseed;
            else
                train_seeds[summary->train++] = (double)fseed;
            summary->spikes += s.count;
            summary->audio_seconds += (double)frame_n / o->cochlea.fs;
            mosaic_cochlea_spikes_free(&s);
            done_n++;
            if (o->progress)
                o->progress(o->progress_ctx, done_n, total, (double)done_n / (double)total, word);
        }
    }
    if (st == MOSAIC_OK)
        st = mosaic_shd_writer_meta(wtrain, "sample_seed", train_seeds, (int64_t)summary->train, err);
    if (st == MOSAIC_OK)
        st = mosaic_shd_writer_meta(wtest, "sample_seed", test_seeds, (int64_t)summary->test, err);
    if (st == MOSAIC_OK) st = finish_pair_(&wtrain, &wtest, err);
    char md5[2][33] = {"", ""};
    if (st == MOSAIC_OK) st = mosaic_md5_file(train_path, md5[0], err);
    if (st == MOSAIC_OK) st = mosaic_md5_file(test_path, md5[1], err);
    if (st == MOSAIC_OK) {
        char body[2048];
        const MosaicCochleaParams *p = &o->cochlea;
        snprintf(body, sizeof body,
                 "# mosaic spoken-digit dataset (mosaic dataset make); remade when params_hash changes\n"
                 "source espeak-ng synthetic digits\nparams_hash %016llx\nclasses %d (%s%s)\nper_class %d\n"
                 "seed %llu\nframe_s %g (%zu samples at %g Hz)\nsnr_db %g..%g\n"
                 "speakers m1 m2 m3 m4 m5 m6 m7 f1 f2 f3 f4 f5 (test: m4 f4)\n"
                 "cochlea channels %d fibres %d fs %g level %g s0 %g bm %s sampler %s causal %d\n"
                 "train %zu\ntest %zu\nspikes %zu\ntrain_md5 %s\ntest_md5 %s\n",
                 (unsigned long long)hash, nclasses, o->english ? "en" : "",
                 o->german ? (o->english ? ",de" : "de") : "", o->per_class, (unsigned long long)o->seed,
                 o->frame, frame_n, p->fs, o->snr_db_min, o->snr_db_max, p->channels, p->fibres, p->fs,
                 p->level, p->s0, p->bm == MOSAIC_COCHLEA_BM_EXACT ? "exact" : "gammatone",
                 p->sampler == MOSAIC_COCHLEA_SAMPLER_EVENT ? "event" : "bernoulli", p->causal,
                 summary->train, summary->test, summary->spikes, md5[0], md5[1]);
        st = write_meta_txt_(out_dir, body, err);
    }
done:
    mosaic_shd_writer_abort(wtrain);
    mosaic_shd_writer_abort(wtest);
    rmdir(tmpdir);
    mosaic_tmp_untrack(tmpdir_tracked);
    mosaic_cochlea_cache_free(cache);
    free(frame), free(train_seeds), free(test_seeds);
    return st;
}

/* ---- recordings listed in a CSV ---- */

void mosaic_from_wav_options_default(MosaicFromWavOptions *o) {
    memset(o, 0, sizeof *o);
    o->seed = 1;
    mosaic_cochlea_params_default(&o->cochlea);
    o->cache_bytes = MOSAIC_COCHLEA_CACHE_DEFAULT_BYTES;
    /* Recordings differ in length: the fixed-length variant (§9.2) lets a few cached filter tables serve
     * them all; silence is trimmed as SHD's recordings were cut tight. */
    o->cochlea.fixed_length = 1;
    o->cochlea.trim = 1;
}

typedef struct {
    char *file;
    int label;
    int speaker;
    int test;
    size_t frames; /* length at the file's rate, for the processing order */
    double fs;
    size_t order;
    long line; /* in the CSV */
} Row_;

static int by_file_(const void *a, const void *b) {
    const Row_ *x = *(const Row_ *const *)a, *y = *(const Row_ *const *)b;
    const int c = strcmp(x->file, y->file);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A recording listed twice would enter the dataset twice (in train and test, or with two labels). */
static MosaicStatus check_unique_(const char *path, Row_ *rows, size_t n, MosaicErr *err) {
    Row_ **idx = malloc(n * sizeof *idx);
    if (!idx) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < n; i++) idx[i] = &rows[i];
    qsort(idx, n, sizeof *idx, by_file_);
    MosaicStatus st = MOSAIC_OK;
    for (size_t i = 1; i < n && st == MOSAIC_OK; i++)
        if (!strcmp(idx[i - 1]->file, idx[i]->file))
            st = mosaic_err(err, MOSAIC_ERR_INPUT,
                            "%s: line %ld lists '%s' again (first on line %ld); expected each "
                            "recording once",
                            path, idx[i]->line, idx[i]->file, idx[i - 1]->line);
    free(idx);
    return st;
}

static char *trim_ws_(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) *--e = '\0';
    return s;
}

static void rows_free_(Row_ *rows, const size_t n, char **speakers, const int nspk) {
    for (size_t i = 0; i < n; i++) free(rows[i].file);
    free(rows);
    for (int i = 0; i < nspk; i++) free(speakers[i]);
    free(speakers);
}

static MosaicStatus parse_csv_(const char *path, Row_ **rows_out, size_t *n_out, char ***spk_out,
                               int *nspk_out, int *max_label, MosaicErr *err) {
    FILE *f = fopen(path, "r");
    if (!f) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    Row_ *rows = NULL;
    char **spk = NULL;
    size_t n = 0, cap = 0;
    int nspk = 0;
    *max_label = -1;
    char line[8192];
    long lineno = 0;
    MosaicStatus st = MOSAIC_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: line %ld is longer than %zu characters", path, lineno,
                            sizeof line - 2);
            break;
        }
        char *l = trim_ws_(line);
        if (!*l || *l == '#') continue;
        char *fields[4] = {NULL};
        int nf = 0;
        for (char *tok = l; tok && nf < 4; nf++) {
            char *comma = strchr(tok, ',');
            if (comma) *comma = '\0';
            fields[nf] = trim_ws_(tok);
            tok = comma ? comma + 1 : NULL;
        }
        char *end = NULL;
        errno = 0;
        long label = nf >= 2 ? strtol(fields[1], &end, 10) : -1;
        if (errno == ERANGE) label = LONG_MAX; /* reported below as out of range, not as a clamped number */
        if (nf < 2 || end == fields[1] || *end) {
            /* A header names its columns ("file,label"): no file extension, a word for the label. A
             * first row with a file name and a bad label is a data row in error, not a header. */
            if (n == 0 && lineno == 1 && nf >= 2 && isalpha((unsigned char)fields[1][0]) &&
                !strchr(fields[0], '.'))
                continue;
            st = mosaic_err(err, MOSAIC_ERR_INPUT,
                            "%s: line %ld: expected 'file,label[,speaker[,split]]' with an "
                            "integer label",
                            path, lineno);
            break;
        }
        if (label < 0 || label > 65535) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: line %ld: label %s; expected 0..65535", path, lineno,
                            fields[1]);
            break;
        }
        int test = 0;
        if (nf >= 4 && *fields[3]) {
            if (!strcmp(fields[3], "test"))
                test = 1;
            else if (strcmp(fields[3], "train")) {
                st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: line %ld: split '%s'; expected train or test",
                                path, lineno, fields[3]);
                break;
            }
        }
        int speaker = 0;
        if (nf >= 3 && *fields[2]) {
            speaker = -1;
            for (int i = 0; i < nspk; i++)
                if (!strcmp(spk[i], fields[2])) speaker = i;
            if (speaker < 0) {
                char **g = realloc(spk, (size_t)(nspk + 1) * sizeof *g);
                if (!g || !(g[nspk] = strdup(fields[2]))) {
                    if (g) spk = g;
                    st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
                    break;
                }
                spk = g;
                speaker = nspk++;
            }
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            Row_ *g = realloc(rows, cap * sizeof *g);
            if (!g) {
                st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            rows = g;
        }
        rows[n] = (Row_){strdup(fields[0]), (int)label, speaker, test, 0, 0, n, lineno};
        if (!rows[n].file) {
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        if (label > *max_label) *max_label = (int)label;
        n++;
    }
    fclose(f);
    if (st == MOSAIC_OK && n == 0)
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: no rows; expected 'file,label' lines", path);
    if (st == MOSAIC_OK) st = check_unique_(path, rows, n, err);
    if (st != MOSAIC_OK) {
        rows_free_(rows, n, spk, nspk);
        return st;
    }
    *rows_out = rows, *n_out = n, *spk_out = spk, *nspk_out = nspk;
    return MOSAIC_OK;
}

static int by_length_(const void *a, const void *b) {
    const Row_ *x = a, *y = b;
    const double lx = (double)x->frames / x->fs, ly = (double)y->frames / y->fs;
    if (lx != ly) return lx < ly ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

MosaicStatus mosaic_cochlea_from_wav(const MosaicFromWavOptions *o, const char *out_dir,
                                     MosaicDatasetSummary *summary, MosaicErr *err) {
    memset(summary, 0, sizeof *summary);
    MOSAIC_TRY(mosaic_cochlea_params_check(&o->cochlea, err));
    Row_ *rows = NULL;
    char **spk = NULL;
    size_t n = 0;
    int nspk = 0, max_label = -1;
    MOSAIC_TRY(parse_csv_(o->labels_csv, &rows, &n, &spk, &nspk, &max_label, err));
    const int nclasses = max_label + 1;
    char **keys = calloc((size_t)nclasses, sizeof *keys);
    MosaicCochleaSpikes *out = calloc(n, sizeof *out);
    MosaicCochleaCache *cache = mosaic_cochlea_cache_create(o->cache_bytes);
    MosaicShdWriter *wtrain = NULL, *wtest = NULL;
    double *seeds_train = malloc(n * sizeof *seeds_train), *seeds_test = malloc(n * sizeof *seeds_test);
    MosaicStatus st = MOSAIC_OK;
    char path[8400];
    if (!keys || !out || !cache || !seeds_train || !seeds_test) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "dataset: out of memory for %zu files", n);
        goto done;
    }
    /* Class names: --keys, else the label numbers. */
    const char *kp = o->keys;
    for (int c = 0; c < nclasses && st == MOSAIC_OK; c++) {
        char buf[256];
        if (kp && *kp) {
            const char *comma = strchr(kp, ',');
            const size_t len = comma ? (size_t)(comma - kp) : strlen(kp);
            /* a class name is a label users see: empty, cut short (possibly inside a UTF-8 character)
             * or repeated would misname classes */
            if (len == 0 || len > 255) {
                st = mosaic_err(err, MOSAIC_ERR_INPUT, "--keys: name %d is %s; expected 1 to 255 bytes",
                                c + 1, len ? "longer than 255 bytes" : "empty");
                break;
            }
            snprintf(buf, sizeof buf, "%.*s", (int)len, kp);
            for (int e = 0; e < c && st == MOSAIC_OK; e++)
                if (!strcmp(keys[e], buf))
                    st = mosaic_err(err, MOSAIC_ERR_INPUT,
                                    "--keys: '%s' names classes %d and %d; expected distinct names", buf, e,
                                    c);
            if (st != MOSAIC_OK) break;
            kp = comma ? comma + 1 : kp + len;
        } else if (o->keys) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT,
                            "--keys: %d names for %d classes (labels 0..%d); expected one per "
                            "class",
                            c, nclasses, nclasses - 1);
            break;
        } else {
            snprintf(buf, sizeof buf, "%d", c);
        }
        keys[c] = strdup(buf);
        if (!keys[c]) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "dataset: out of memory");
    }
    if (st == MOSAIC_OK && kp && *kp)
        st = mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "--keys: more names than the %d classes the labels use (0..%d); expected one per class", nclasses,
            nclasses - 1);
    if (st != MOSAIC_OK) goto done;
    /* Lengths first, to process in order of length. */
    for (size_t i = 0; i < n && st == MOSAIC_OK; i++) {
        snprintf(path, sizeof path, "%s/%s", o->dir, rows[i].file);
        struct stat sb;
        if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) { /* a FIFO would block the reader forever */
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: line %ld: %s is not a regular file (expected audio)",
                            o->labels_csv, rows[i].line, path);
            break;
        }
        SF_INFO info = {0};
        SNDFILE *f = sf_open(path, SFM_READ, &info);
        if (!f) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: line %ld: cannot read the audio file %s (%s)",
                            o->labels_csv, rows[i].line, path, sf_strerror(NULL));
            break;
        }
        rows[i].frames = (size_t)info.frames;
        rows[i].fs = info.samplerate;
        sf_close(f);
    }
    if (st != MOSAIC_OK) goto done;
    qsort(rows, n, sizeof *rows, by_length_);
    double seconds_total = 0, seconds_done = 0; /* work, for the progress callback */
    for (size_t i = 0; i < n; i++) seconds_total += (double)rows[i].frames / rows[i].fs;
    size_t held = 0; /* bytes of spikes kept so far */
    for (size_t i = 0; i < n && st == MOSAIC_OK; i++) {
        snprintf(path, sizeof path, "%s/%s", o->dir, rows[i].file);
        float *x = NULL;
        size_t len = 0;
        double fs = 0;
        st = mosaic_cochlea_read_audio(path, o->downmix, &x, &len, &fs, err);
        if (st != MOSAIC_OK) break;
        const uint64_t fseed = sample_seed_(o->seed, rows[i].order);
        int resampled = 0;
        st = mosaic_cochlea_convert(x, len, fs, &o->cochlea, fseed, cache, &out[rows[i].order], &resampled,
                                    err);
        if (resampled) summary->resampled++, summary->resampled_from = fs;
        free(x);
        if (st != MOSAIC_OK) {
            mosaic_err_prefix(err, "%s", path);
            break;
        }
        summary->audio_seconds += (double)len / fs;
        /* The spikes are held until every file is done (they are written in CSV order): the filter
         * tables get what is left of the budget, so tables and spikes together stay within it. */
        held += out[rows[i].order].count * (sizeof *out->sample + sizeof *out->unit);
        mosaic_cochlea_cache_set_budget(cache, o->cache_bytes > held ? o->cache_bytes - held : 0);
        seconds_done += (double)rows[i].frames / rows[i].fs;
        if (o->progress)
            o->progress(o->progress_ctx, i + 1, n, seconds_total > 0 ? seconds_done / seconds_total : 1.0,
                        rows[i].file);
    }
    if (st != MOSAIC_OK) goto done;
    {
        /* Back to CSV order. */
        Row_ *ordered = malloc(n * sizeof *ordered);
        if (!ordered) {
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "dataset: out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++) ordered[rows[i].order] = rows[i];
        memcpy(rows, ordered, n * sizeof *rows);
        free(ordered);
    }
    int any_test = 0, any_train = 0;
    for (size_t i = 0; i < n; i++) any_test |= rows[i].test, any_train |= !rows[i].test;
    char train_path[4200], test_path[4200];
    st = mkdir_p_(out_dir, err);
    if (st != MOSAIC_OK) goto done;
    snprintf(train_path, sizeof train_path, "%s/train.h5", out_dir);
    snprintf(test_path, sizeof test_path, "%s/test.h5", out_dir);
    if (any_train)
        st = mosaic_shd_writer_begin(train_path, (const char *const *)keys, nclasses, o->cochlea.channels,
                                     &wtrain, err);
    if (st == MOSAIC_OK && any_test)
        st = mosaic_shd_writer_begin(test_path, (const char *const *)keys, nclasses, o->cochlea.channels,
                                     &wtest, err);
    for (size_t i = 0; i < n && st == MOSAIC_OK; i++) {
        const uint64_t fseed = out[i].seed;
        st = add_sample_(rows[i].test ? wtest : wtrain, &out[i], rows[i].label, rows[i].speaker, err);
        if (rows[i].test)
            seeds_test[summary->test++] = (double)fseed;
        else
            seeds_train[summary->train++] = (double)fseed;
        summary->spikes += out[i].count;
    }
    if (st == MOSAIC_OK && wtrain)
        st = mosaic_shd_writer_meta(wtrain, "sample_seed", seeds_train, (int64_t)summary->train, err);
    if (st == MOSAIC_OK && wtest)
        st = mosaic_shd_writer_meta(wtest, "sample_seed", seeds_test, (int64_t)summary->test, err);
    if (st == MOSAIC_OK) st = finish_pair_(&wtrain, &wtest, err);
    /* No test (train) rows: a test.h5 (train.h5) left by an earlier run into this folder is not of this
     * dataset; each file is written only when some row goes to it. */
    if (st == MOSAIC_OK && !any_test && unlink(test_path) != 0 && errno != ENOENT)
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot remove the test set of an earlier run: %s", test_path,
                        strerror(errno));
    if (st == MOSAIC_OK && !any_train && unlink(train_path) != 0 && errno != ENOENT)
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot remove the training set of an earlier run: %s",
                        train_path, strerror(errno));
    if (st == MOSAIC_OK) {
        char body[10000];
        const MosaicCochleaParams *p = &o->cochlea;
        snprintf(
            body, sizeof body,
            "# mosaic dataset from recordings (mosaic dataset make --from-wav)\nsource %s\nlabels %s\n"
            "classes %d\nspeakers %d\nseed %llu\ncochlea channels %d fibres %d fs %g level %g s0 %g bm %s "
            "sampler %s causal %d fixed_length %d trim %d downmix %d\nparams_hash %016llx\ntrain %zu\ntest "
            "%zu\n"
            "spikes %zu\n",
            o->dir, o->labels_csv, nclasses, nspk ? nspk : 1, (unsigned long long)o->seed, p->channels,
            p->fibres, p->fs, p->level, p->s0, p->bm == MOSAIC_COCHLEA_BM_EXACT ? "exact" : "gammatone",
            p->sampler == MOSAIC_COCHLEA_SAMPLER_EVENT ? "event" : "bernoulli", p->causal, p->fixed_length,
            p->trim, o->downmix, (unsigned long long)mosaic_cochlea_params_hash(p), summary->train,
            summary->test, summary->spikes);
        st = write_meta_txt_(out_dir, body, err);
    }
done:
    mosaic_shd_writer_abort(wtrain);
    mosaic_shd_writer_abort(wtest);
    if (keys)
        for (int c = 0; c < nclasses; c++) free(keys[c]);
    free(keys);
    if (out)
        for (size_t i = 0; i < n; i++) mosaic_cochlea_spikes_free(&out[i]);
    free(out);
    free(seeds_train), free(seeds_test);
    mosaic_cochlea_cache_free(cache);
    rows_free_(rows, n, spk, nspk);
    return st;
}
