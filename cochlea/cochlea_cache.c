/* cochlea_cache: V rows per (fs, grid length, channels, s0, skip) and place tables, shared across
 * conversions (cochlea-model.md §9.3: V dominates the cost and depends only on the grid). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cochlea_internal.h"

#define PI_ 3.14159265358979323846
#define MAX_TABLES_ 16
#define MAX_PLACES_ 32

struct MosaicCochleaCache {
    pthread_mutex_t lock;
    size_t budget, bytes;
    unsigned long long clock;
    CochleaVTable *tables[MAX_TABLES_];
    CochleaPlaceTable *places[MAX_PLACES_];
};

MosaicCochleaCache *mosaic_cochlea_cache_create(const size_t budget_bytes) {
    MosaicCochleaCache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    pthread_mutex_init(&c->lock, NULL);
    c->budget = budget_bytes;
    return c;
}

static void vtable_free_(CochleaVTable *t) {
    if (!t) return;
    if (t->row)
        for (int j = 0; j < t->channels; j++) free(t->row[j]);
    free(t->row);
    free(t->len);
    free(t);
}

static void places_free_(CochleaPlaceTable *p) {
    if (!p) return;
    free(p->cf);
    free(p->vmax);
    free(p->gain);
    free(p);
}

void mosaic_cochlea_cache_free(MosaicCochleaCache *c) {
    if (!c) return;
    for (int i = 0; i < MAX_TABLES_; i++) vtable_free_(c->tables[i]);
    for (int i = 0; i < MAX_PLACES_; i++) places_free_(c->places[i]);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

size_t mosaic_cochlea_cache_bytes(const MosaicCochleaCache *c) { return c ? c->bytes : 0; }

size_t mosaic_cochlea_cache_budget(const MosaicCochleaCache *c) { return c ? c->budget : 0; }

CochleaBmFreq *cochlea_grid_freqs(const CochleaBm *bm, const double fs, const size_t m, const int threads) {
    CochleaBmFreq *fq = malloc(m * sizeof *fq);
    if (!fq) return NULL;
    const double f_top = floor(fs / 2.0);
    const double step = m > 1 ? (f_top - 1.0) / (double)(m - 1) : 0.0;
    (void)threads; /* only read by OpenMP */
#pragma omp parallel for schedule(static) num_threads(COCHLEA_THREADS(threads))
    for (long k = 0; k < (long)m; k++) cochlea_bm_freq(bm, 2.0 * PI_ * (1.0 + (double)k * step), &fq[k]);
    return fq;
}

size_t cochlea_v_row(const CochleaBm *bm, const CochleaBmFreq *fq, const size_t m, const double x,
                     const double skip, kiss_fft_cpx *row) {
    size_t len = 0;
    for (size_t k = 0; k < m; k++) {
        const double complex v = cochlea_bm_v(bm, &fq[k], x, skip, NULL);
        row[k].r = (float)creal(v);
        row[k].i = (float)cimag(v);
        if (v != 0.0) len = k + 1;
    }
    return len;
}

/* Drops least recently used unreferenced tables until the cache plus `reserve` bytes fits its budget
 * (keep is spared). */
static void evict_(MosaicCochleaCache *c, const CochleaVTable *keep, const size_t reserve) {
    while (c->bytes + reserve > c->budget) {
        int victim = -1;
        for (int i = 0; i < MAX_TABLES_; i++) {
            CochleaVTable *t = c->tables[i];
            if (t && t != keep && t->refs == 0 && (victim < 0 || t->last_use < c->tables[victim]->last_use))
                victim = i;
        }
        if (victim < 0) return;
        c->bytes -= c->tables[victim]->bytes;
        vtable_free_(c->tables[victim]);
        c->tables[victim] = NULL;
    }
}

void mosaic_cochlea_cache_set_budget(MosaicCochleaCache *c, const size_t budget_bytes) {
    pthread_mutex_lock(&c->lock);
    c->budget = budget_bytes;
    evict_(c, NULL, 0);
    pthread_mutex_unlock(&c->lock);
}

static CochleaVTable *find_(MosaicCochleaCache *c, const double fs, const size_t m, const int channels,
                            const double s0, const double skip) {
    for (int i = 0; i < MAX_TABLES_; i++) {
        CochleaVTable *t = c->tables[i];
        if (t && t->fs == fs && t->m == m && t->channels == channels && t->s0 == s0 && t->skip == skip)
            return t;
    }
    return NULL;
}

static CochleaVTable *build_(const double fs, const size_t m, const int channels, const double s0,
                             const double skip, const int threads) {
    CochleaBm bm;
    cochlea_bm_init(&bm, s0);
    CochleaVTable *t = calloc(1, sizeof *t);
    CochleaBmFreq *fq = cochlea_grid_freqs(&bm, fs, m, threads);
    if (!t || !fq) goto fail;
    t->fs = fs, t->m = m, t->channels = channels, t->s0 = s0, t->skip = skip;
    t->len = calloc((size_t)channels, sizeof *t->len);
    t->row = calloc((size_t)channels, sizeof *t->row);
    if (!t->len || !t->row) goto fail;
    int failed = 0;
#pragma omp parallel num_threads(COCHLEA_THREADS(threads))
    {
        kiss_fft_cpx *tmp = malloc(m * sizeof *tmp);
        if (!tmp) {
#pragma omp atomic write
            failed = 1;
        }
        /* Apical rows (high j) are the cheapest once skipping starts: dynamic scheduling balances. */
#pragma omp for schedule(dynamic, 4)
        for (int j = 0; j < channels; j++) {
            if (!tmp) continue;
            const size_t len = cochlea_v_row(&bm, fq, m, cochlea_bm_place(&bm, j, channels), skip, tmp);
            t->row[j] = malloc((len ? len : 1) * sizeof *tmp);
            if (!t->row[j]) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            memcpy(t->row[j], tmp, len * sizeof *tmp);
            t->len[j] = len;
        }
        free(tmp);
    }
    if (failed) goto fail;
    t->bytes = sizeof *t + (size_t)channels * (sizeof *t->len + sizeof *t->row);
    for (int j = 0; j < channels; j++) t->bytes += t->len[j] * sizeof(kiss_fft_cpx);
    free(fq);
    return t;
fail:
    free(fq);
    vtable_free_(t);
    return NULL;
}

const CochleaVTable *cochlea_cache_vtable(MosaicCochleaCache *c, const double fs, const size_t m,
                                          const int channels, const double s0, const double skip,
                                          const int threads) {
    pthread_mutex_lock(&c->lock);
    CochleaVTable *t = find_(c, fs, m, channels, s0, skip);
    if (t) {
        t->refs++;
        t->last_use = ++c->clock;
        pthread_mutex_unlock(&c->lock);
        return t;
    }
    /* Room first: the new table must not coexist with tables the budget says to drop (peak memory is what
     * the budget bounds). Rows hold at most m bins each, so this bound is safe. */
    evict_(c, NULL, (size_t)channels * m * sizeof(kiss_fft_cpx));
    pthread_mutex_unlock(&c->lock);
    /* Built outside the lock: it takes seconds. A concurrent builder of the same key may win; the loser's
     * table is dropped. */
    CochleaVTable *built = build_(fs, m, channels, s0, skip, threads);
    if (!built) return NULL;
    pthread_mutex_lock(&c->lock);
    t = find_(c, fs, m, channels, s0, skip);
    if (t) {
        vtable_free_(built);
    } else {
        int slot = -1;
        for (int i = 0; i < MAX_TABLES_ && slot < 0; i++)
            if (!c->tables[i]) slot = i;
        if (slot < 0) {
            /* All slots taken: drop the least recently used unreferenced one. */
            for (int i = 0; i < MAX_TABLES_; i++)
                if (c->tables[i]->refs == 0 &&
                    (slot < 0 || c->tables[i]->last_use < c->tables[slot]->last_use))
                    slot = i;
            if (slot < 0) {
                pthread_mutex_unlock(&c->lock);
                vtable_free_(built);
                return NULL;
            }
            c->bytes -= c->tables[slot]->bytes;
            vtable_free_(c->tables[slot]);
        }
        c->tables[slot] = built;
        c->bytes += built->bytes;
        t = built;
    }
    t->refs++;
    t->last_use = ++c->clock;
    evict_(c, t, 0);
    pthread_mutex_unlock(&c->lock);
    return t;
}

void cochlea_cache_release(MosaicCochleaCache *c, const CochleaVTable *table) {
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < MAX_TABLES_; i++)
        if (c->tables[i] == table) c->tables[i]->refs--;
    evict_(c, NULL, 0);
    pthread_mutex_unlock(&c->lock);
}

const CochleaPlaceTable *cochlea_cache_places(MosaicCochleaCache *c, const double fs, const int channels,
                                              const double s0, const int threads) {
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < MAX_PLACES_; i++) {
        const CochleaPlaceTable *p = c->places[i];
        if (p && p->fs == fs && p->channels == channels && p->s0 == s0) {
            pthread_mutex_unlock(&c->lock);
            return p;
        }
    }
    pthread_mutex_unlock(&c->lock);
    CochleaPlaceTable *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->fs = fs, p->channels = channels, p->s0 = s0;
    p->cf = malloc((size_t)channels * sizeof *p->cf);
    p->vmax = malloc((size_t)channels * sizeof *p->vmax);
    p->gain = malloc((size_t)channels * sizeof *p->gain);
    if (!p->cf || !p->vmax || !p->gain) {
        places_free_(p);
        return NULL;
    }
    CochleaBm bm;
    cochlea_bm_init(&bm, s0);
    (void)threads;
#pragma omp parallel for schedule(dynamic, 8) num_threads(COCHLEA_THREADS(threads))
    for (int j = 0; j < channels; j++) {
        cochlea_bm_cf(&bm, cochlea_bm_place(&bm, j, channels), floor(fs / 2.0), &p->cf[j], &p->vmax[j]);
        p->gain[j] = cochlea_gammatone_gain(p->cf[j], p->vmax[j], fs);
    }
    pthread_mutex_lock(&c->lock);
    int slot = -1;
    for (int i = 0; i < MAX_PLACES_; i++) {
        const CochleaPlaceTable *q = c->places[i];
        if (q && q->fs == fs && q->channels == channels && q->s0 == s0) {
            pthread_mutex_unlock(&c->lock);
            places_free_(p);
            return q;
        }
        if (!q && slot < 0) slot = i;
    }
    if (slot < 0) {
        /* Tables in use cannot be dropped; 32 distinct (fs, channels, s0) in one process is a misuse. */
        pthread_mutex_unlock(&c->lock);
        places_free_(p);
        return NULL;
    }
    c->places[slot] = p;
    pthread_mutex_unlock(&c->lock);
    return p;
}
