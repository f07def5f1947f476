/* cochlea_chain: the whole front end, channel-parallel (cochlea-model.md §1, §9.4).
 *
 * Per file: resample, trim, stage 1, one forward DFT. Then per group of four places (one OpenMP work
 * item): multiply the spectrum by the V rows, make each product Hermitian so its inverse transform is the
 * real part the model keeps, pack two places as real and imaginary parts of one inverse DFT of length M
 * (or run the gammatone bank in SIMD lanes), then hair cells and bushy cells of the four places in SIMD
 * lanes and the fibres of each place. Work memory is O(M) per thread. The grouping is fixed ((0-3),
 * (4-7), ...) and every place draws from its own RNG stream, so the output does not depend on the thread
 * count. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cochlea_internal.h"

#define MODEL_VERSION_ 3ull /* bump when the output for given parameters changes */

void mosaic_cochlea_params_default(MosaicCochleaParams *p) {
    memset(p, 0, sizeof *p);
    p->channels = 700;
    p->fibres = 40;
    p->fs = 48000.0;
    p->level = 0.3;
    p->s0 = 1e9;
    p->skip_nepers = 40.0;
    p->tau_ref = 1e-3;
    p->bm = MOSAIC_COCHLEA_BM_EXACT;
    p->sampler = MOSAIC_COCHLEA_SAMPLER_EVENT;
    p->causal = 0;
    p->fixed_length = 0;
    p->trim = 0;
    p->trim_db = 40.0;
    p->trim_margin = 0.03;
    p->threads = 0;
}

MosaicStatus mosaic_cochlea_params_check(const MosaicCochleaParams *p, MosaicErr *err) {
    if (p->channels < 2 || p->channels > 65535)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea parameters: channels = %d; expected 2..65535",
                          p->channels);
    if (p->fibres < 1 || p->fibres > 255)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea parameters: fibres = %d; expected 1..255",
                          p->fibres);
    if (!(p->fs >= 8000.0 && p->fs <= 384000.0))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "cochlea parameters: fs = %g; expected 8000..384000 Hz "
                          "(48000 for SHD)",
                          p->fs);
    if (!(p->level > 0.0 && p->level <= 100.0))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea parameters: level = %g; expected (0, 100]",
                          p->level);
    if (!(p->s0 > 3500.0 * exp(3.0 * 3.5)))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "cochlea parameters: s0 = %g; expected > %.4g so stiffness "
                          "stays positive to the apex (1e9 for SHD)",
                          p->s0, 3500.0 * exp(3.0 * 3.5));
    if (!(p->tau_ref >= 0.0 && p->tau_ref < 0.1))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea parameters: tau_ref = %g s; expected [0, 0.1)",
                          p->tau_ref);
    if (p->bm != MOSAIC_COCHLEA_BM_EXACT && p->bm != MOSAIC_COCHLEA_BM_GAMMATONE)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea parameters: bm = %d; expected exact or gammatone",
                          (int)p->bm);
    if (p->sampler != MOSAIC_COCHLEA_SAMPLER_EVENT && p->sampler != MOSAIC_COCHLEA_SAMPLER_BERNOULLI)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "cochlea parameters: sampler = %d; expected event or "
                          "bernoulli",
                          (int)p->sampler);
    if (!(p->trim_db > 0.0) || !(p->trim_margin >= 0.0))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "cochlea parameters: trim_db = %g, trim_margin = %g; expected "
                          "trim_db > 0 and trim_margin >= 0",
                          p->trim_db, p->trim_margin);
    return MOSAIC_OK;
}

uint64_t mosaic_cochlea_params_hash(const MosaicCochleaParams *p) {
    uint64_t h = 0xCBF29CE484222325ull;
    const uint64_t version = MODEL_VERSION_;
    const int ints[] = {p->channels, p->fibres,       (int)p->bm, (int)p->sampler,
                        p->causal,   p->fixed_length, p->trim};
    const double reals[] = {p->fs, p->level, p->s0, p->skip_nepers, p->tau_ref, p->trim_db, p->trim_margin};
    h = cochlea_fnv1a(h, &version, sizeof version);
    h = cochlea_fnv1a(h, ints, sizeof ints);
    return cochlea_fnv1a(h, reals, sizeof reals);
}

void mosaic_cochlea_spikes_free(MosaicCochleaSpikes *s) {
    if (!s) return;
    free(s->sample);
    free(s->unit);
    memset(s, 0, sizeof *s);
}

double mosaic_cochlea_cf(const int j, const int channels, const double s0, const double fs) {
    CochleaBm bm;
    cochlea_bm_init(&bm, s0);
    double cf, vmax;
    cochlea_bm_cf(&bm, cochlea_bm_place(&bm, j, channels), floor(fs / 2.0), &cf, &vmax);
    return cf;
}

/* ---- stage 2 helpers ---- */

/* Grid length (number of frequencies = inverse DFT length) and forward DFT length for n input samples.
 * Exact: M = floor(n/2)+1 and n. Fixed-length variant (§9.2): a 5-smooth M' >= (n + 0.05 fs)/2 + 1 on
 * a ladder of 0.1 s steps (so few distinct V tables serve a corpus), forward length 2(M'-1) >= n. */
static void grid_(const size_t n, const MosaicCochleaParams *p, size_t *m_grid, size_t *n_fft) {
    if (!p->fixed_length) {
        *m_grid = n / 2 + 1;
        *n_fft = n;
        return;
    }
    const size_t need = (size_t)floor(((double)n + 0.05 * p->fs) / 2.0) + 1;
    const size_t step = (size_t)floor(p->fs / 20.0);
    *m_grid = cochlea_fft_smooth_at_least((need + step - 1) / step * step);
    *n_fft = 2 * (*m_grid - 1);
}

/* First m_grid bins of the DFT of s2 zero-padded to n_fft (single precision, see cochlea_fft.h). */
static kiss_fft_cpx *spectrum_(const double *s2, const size_t n, const size_t n_fft, const size_t m_grid) {
    CochleaFft *fft = cochlea_fft_create(n_fft, 0);
    kiss_fft_cpx *in = calloc(n_fft, sizeof *in), *out = malloc(n_fft * sizeof *out);
    kiss_fft_cpx *work = fft ? malloc((cochlea_fft_work_len(fft) + 1) * sizeof *work) : NULL;
    kiss_fft_cpx *spec = NULL;
    if (fft && in && out && work) {
        for (size_t i = 0; i < n; i++) in[i].r = (float)s2[i];
        cochlea_fft_run(fft, in, out, work);
        spec = realloc(out, m_grid * sizeof *out);
        if (spec) out = NULL;
    }
    free(out);
    free(in);
    free(work);
    cochlea_fft_free(fft);
    return spec;
}

/* x[k] = V[k] S[k] made Hermitian (its inverse DFT is the real part of the product's). */
static void hermitian_product_(const kiss_fft_cpx *spec, const size_t mg, const kiss_fft_cpx *row,
                               const size_t len, const int causal, kiss_fft_cpx *x, kiss_fft_cpx *h) {
    const float sign = causal ? -1.0f : 1.0f;
    for (size_t k = 0; k < len; k++) {
        const float vr = row[k].r, vi = sign * row[k].i;
        x[k].r = vr * spec[k].r - vi * spec[k].i;
        x[k].i = vr * spec[k].i + vi * spec[k].r;
    }
    for (size_t k = len; k < mg; k++) x[k].r = x[k].i = 0.0f;
    for (size_t k = 0; k < mg; k++) {
        const kiss_fft_cpx a = x[k], b = x[k == 0 ? 0 : mg - k];
        h[k].r = 0.5f * (a.r + b.r);
        h[k].i = 0.5f * (a.i - b.i);
    }
}

/* u_a, u_b (first m samples) for rows a and b, written to out[stride i] and out[stride i + 1]; b may be
 * absent (row_b NULL: only u_a is written). buf holds 3 mg complex values; work is the inverse plan's
 * workspace. */
static void bm_pair_(const kiss_fft_cpx *spec, const size_t mg, const CochleaFft *inv,
                     const kiss_fft_cpx *row_a, const size_t len_a, const kiss_fft_cpx *row_b,
                     const size_t len_b, const int causal, kiss_fft_cpx *buf, kiss_fft_cpx *work, float *out,
                     const size_t stride, const size_t m) {
    if (len_a == 0 && len_b == 0) {
        for (size_t i = 0; i < m; i++) {
            out[stride * i] = 0.0f;
            if (row_b) out[stride * i + 1] = 0.0f;
        }
        return;
    }
    kiss_fft_cpx *x = buf, *ha = buf + mg, *z = buf + 2 * mg;
    hermitian_product_(spec, mg, row_a, len_a, causal, x, ha);
    if (len_b > 0) {
        hermitian_product_(spec, mg, row_b, len_b, causal, x, z);
        for (size_t k = 0; k < mg; k++) {
            const kiss_fft_cpx hb = z[k];
            z[k].r = ha[k].r - hb.i;
            z[k].i = ha[k].i + hb.r;
        }
    } else {
        memcpy(z, ha, mg * sizeof *z);
    }
    cochlea_fft_run(inv, z, x, work);
    const float scale = 1.0f / (float)mg;
    for (size_t i = 0; i < m; i++) out[stride * i] = x[i].r * scale;
    if (row_b)
        for (size_t i = 0; i < m; i++) out[stride * i + 1] = x[i].i * scale;
}

/* ---- the chain ---- */

/* One thread's signals for a group of four channels (interleaved, see COCHLEA_LANES). */
typedef struct {
    float *u4;          /* stage 2 (4m) */
    double *out4;       /* stage 3: cumulative hazards or P (4(m + 1)) */
    double *prob, *lam; /* one channel's P and the sampler's work (m + 1 each; Bernoulli sampler) */
    uint8_t *counts4, *counts;
    uint32_t *spk; /* bushy spikes, m per lane */
    kiss_fft_cpx *buf, *work;
} Worker_;

static void worker_free_(Worker_ *w) {
    free(w->u4), free(w->out4), free(w->prob), free(w->lam), free(w->counts4), free(w->counts), free(w->spk),
        free(w->buf), free(w->work);
}

static int worker_alloc_(Worker_ *w, const size_t m, const size_t mg, const size_t work_len) {
    const size_t lanes = COCHLEA_LANES;
    memset(w, 0, sizeof *w);
    w->u4 = malloc(lanes * m * sizeof *w->u4);
    w->out4 = malloc(lanes * (m + 1) * sizeof *w->out4);
    w->prob = malloc((m + 1) * sizeof *w->prob);
    w->lam = malloc((m + 1) * sizeof *w->lam);
    w->counts4 = malloc(lanes * m);
    w->counts = malloc(m);
    w->spk = malloc(lanes * m * sizeof *w->spk);
    w->buf = malloc(3 * mg * sizeof *w->buf);
    w->work = malloc((work_len + 1) * sizeof *w->work);
    return w->u4 && w->out4 && w->prob && w->lam && w->counts4 && w->counts && w->spk && w->buf && w->work;
}

static int cmp_u64_(const void *a, const void *b) {
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Stages 2-5 on the tapered signal s2 (n samples at p->fs). silent: s2 is digital silence (u = 0). */
static MosaicStatus run_(const double *s2, const size_t n, const int silent, const MosaicCochleaParams *p,
                         const uint64_t seed, MosaicCochleaCache *cache, MosaicCochleaSpikes *out,
                         MosaicErr *err) {
    const int c = p->channels;
    const double rate = floor(p->fs / 2.0);
    const size_t m = n / 2 + 1;
    size_t mg, n_fft;
    grid_(n, p, &mg, &n_fft);
    const int exact = p->bm == MOSAIC_COCHLEA_BM_EXACT && !silent;
    const int gamma = p->bm == MOSAIC_COCHLEA_BM_GAMMATONE && !silent;

    MosaicStatus st = MOSAIC_OK;
    kiss_fft_cpx *spec = NULL;
    CochleaFft *inv = NULL;
    CochleaPlaceTable *own_places = NULL;
    const CochleaVTable *table = NULL;
    const CochleaPlaceTable *places = NULL;
    CochleaBmFreq *fq = NULL; /* streaming mode: V rows computed per pair, never stored */
    CochleaBm bm;
    cochlea_bm_init(&bm, p->s0);
    uint32_t **chan = calloc((size_t)c, sizeof *chan);
    size_t *chan_n = calloc((size_t)c, sizeof *chan_n);
    if (!chan || !chan_n) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "cochlea: out of memory for %d channels", c);
        goto done;
    }
    if (exact) {
        spec = spectrum_(s2, n, n_fft, mg);
        inv = cochlea_fft_create(mg, 1);
        /* A table that would not fit the cache's budget is not built: rows are then computed per pair
         * and dropped, keeping memory at O(M) per thread (§9.4) at the cost of the V evaluation. */
        const size_t table_bytes = (size_t)c * mg * sizeof(kiss_fft_cpx);
        if (cache && table_bytes <= mosaic_cochlea_cache_budget(cache))
            table = cochlea_cache_vtable(cache, p->fs, mg, c, p->s0, p->skip_nepers, p->threads);
        else
            fq = cochlea_grid_freqs(&bm, p->fs, mg, p->threads);
        if (!spec || !inv || (!table && !fq)) {
            st = mosaic_err(err, MOSAIC_ERR_NOMEM,
                            "cochlea: out of memory for the basilar-membrane filters "
                            "(%d places x %zu frequencies)",
                            c, mg);
            goto done;
        }
    } else if (gamma) {
        places = cache ? cochlea_cache_places(cache, p->fs, c, p->s0, p->threads) : NULL;
        if (!cache) {
            CochleaPlaceTable *own = calloc(1, sizeof *own);
            double *cf = malloc((size_t)c * sizeof *cf), *vmax = malloc((size_t)c * sizeof *vmax);
            double *gain = malloc((size_t)c * sizeof *gain);
            if (own && cf && vmax && gain) {
#pragma omp parallel for schedule(dynamic, 8) num_threads(COCHLEA_THREADS(p->threads))
                for (int j = 0; j < c; j++) {
                    cochlea_bm_cf(&bm, cochlea_bm_place(&bm, j, c), rate, &cf[j], &vmax[j]);
                    gain[j] = cochlea_gammatone_gain(cf[j], vmax[j], p->fs);
                }
                own->cf = cf, own->vmax = vmax, own->gain = gain, own->channels = c;
                places = own_places = own;
            } else {
                free(own), free(cf), free(vmax), free(gain);
            }
        }
        if (!places) {
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "cochlea: out of memory for the place table");
            goto done;
        }
    }
    const size_t work_len = inv ? cochlea_fft_work_len(inv) : 0;
    const int groups = (c + COCHLEA_LANES - 1) / COCHLEA_LANES;
    const int event = p->sampler == MOSAIC_COCHLEA_SAMPLER_EVENT;
    int fail_channel = c;
    MosaicStatus fail_status = MOSAIC_OK;
    MosaicErr fail_err = {{0}};

    /* One work item per group of four places (fixed: 0-3, 4-7, ...): stage 2 as two packed inverse DFTs
     * (exact) or one 4-lane filter bank (gammatone), hair cells and bushy cells in SIMD lanes, fibres per
     * place. */
#pragma omp parallel num_threads(COCHLEA_THREADS(p->threads))
    {
        Worker_ w;
        int ok = worker_alloc_(&w, m, exact ? mg : 1, work_len);
        kiss_fft_cpx *row_a = fq ? malloc(mg * sizeof *row_a) : NULL,
                     *row_b = fq ? malloc(mg * sizeof *row_b) : NULL;
        if (fq && (!row_a || !row_b)) ok = 0;
#pragma omp for schedule(dynamic, 1)
        for (int g = 0; g < groups; g++) {
            const int j0 = COCHLEA_LANES * g;
            const int lanes = c - j0 < COCHLEA_LANES ? c - j0 : COCHLEA_LANES;
            MosaicErr e;
            MosaicStatus s = MOSAIC_OK;
            if (!ok) {
                s = mosaic_err(&e, MOSAIC_ERR_NOMEM, "cochlea: out of memory for channel %d's signals", j0);
            } else {
                if (exact) {
                    if (lanes < COCHLEA_LANES) memset(w.u4, 0, COCHLEA_LANES * m * sizeof *w.u4);
                    for (int ja = j0; ja < j0 + lanes; ja += 2) {
                        const int jb = ja + 1 < j0 + lanes ? ja + 1 : -1;
                        const kiss_fft_cpx *ra, *rb = NULL;
                        size_t len_a, len_b = 0;
                        if (fq) {
                            len_a = cochlea_v_row(&bm, fq, mg, cochlea_bm_place(&bm, ja, c), p->skip_nepers,
                                                  row_a);
                            ra = row_a;
                            if (jb >= 0) {
                                len_b = cochlea_v_row(&bm, fq, mg, cochlea_bm_place(&bm, jb, c),
                                                      p->skip_nepers, row_b);
                                rb = row_b;
                            }
                        } else {
                            ra = table->row[ja], len_a = table->len[ja];
                            if (jb >= 0) rb = table->row[jb], len_b = table->len[jb];
                        }
                        bm_pair_(spec, mg, inv, ra, len_a, rb, len_b, p->causal, w.buf, w.work,
                                 w.u4 + (ja - j0), COCHLEA_LANES, m);
                    }
                } else if (gamma) {
                    cochlea_gammatone_group(s2, n, p->fs, &places->cf[j0], &places->gain[j0], lanes,
                                            p->causal, w.u4, m);
                } else {
                    memset(w.u4, 0, COCHLEA_LANES * m * sizeof *w.u4);
                }
                /* out4: cumulative hazards (event sampler) or P (Bernoulli). */
                cochlea_haircell_group(w.u4, m, rate, event, w.out4);
                memset(w.counts4, 0, COCHLEA_LANES * m);
                for (int l = 0; l < lanes && s == MOSAIC_OK; l++) {
                    const int j = j0 + l;
                    if (event) {
                        s = cochlea_fibres_from_hazard(w.out4 + l, COCHLEA_LANES, m, rate, p->fibres,
                                                       p->tau_ref, seed, (uint64_t)j, w.counts4 + l, &e);
                    } else {
                        for (size_t i = 0; i < m; i++) w.prob[i] = w.out4[COCHLEA_LANES * i + (size_t)l];
                        s = mosaic_cochlea_fibres(w.prob, m, rate, p->fibres, p->tau_ref, p->sampler, seed,
                                                  (uint64_t)j, w.counts, w.lam, &e);
                        for (size_t i = 0; i < m; i++) w.counts4[COCHLEA_LANES * i + (size_t)l] = w.counts[i];
                    }
                }
                uint32_t *const spk[COCHLEA_LANES] = {w.spk, w.spk + m, w.spk + 2 * m, w.spk + 3 * m};
                size_t ns[COCHLEA_LANES];
                if (s == MOSAIC_OK) cochlea_bushy_group(w.counts4, m, rate, p->fibres, p->tau_ref, spk, ns);
                for (int l = 0; l < lanes && s == MOSAIC_OK; l++) {
                    const int j = j0 + l;
                    chan[j] = malloc((ns[l] ? ns[l] : 1) * sizeof **chan);
                    if (!chan[j]) {
                        s = mosaic_err(&e, MOSAIC_ERR_NOMEM, "cochlea: out of memory for channel %d's spikes",
                                       j);
                        break;
                    }
                    memcpy(chan[j], spk[l], ns[l] * sizeof **chan);
                    chan_n[j] = ns[l];
                }
            }
            if (s != MOSAIC_OK) {
#pragma omp critical(cochlea_fail)
                if (j0 < fail_channel) {
                    fail_channel = j0;
                    fail_status = s;
                    fail_err = e;
                }
            }
        }
        worker_free_(&w);
        free(row_a);
        free(row_b);
    }
    if (fail_status != MOSAIC_OK) {
        if (err) *err = fail_err;
        st = fail_status;
        goto done;
    }
    /* Merge: order by sample, then unit. */
    size_t total = 0;
    for (int j = 0; j < c; j++) total += chan_n[j];
    uint64_t *keys = malloc((total ? total : 1) * sizeof *keys);
    out->sample = malloc((total ? total : 1) * sizeof *out->sample);
    out->unit = malloc((total ? total : 1) * sizeof *out->unit);
    if (!keys || !out->sample || !out->unit) {
        free(keys);
        mosaic_cochlea_spikes_free(out);
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "cochlea: out of memory for %zu spikes", total);
        goto done;
    }
    size_t at = 0;
    for (int j = 0; j < c; j++)
        for (size_t i = 0; i < chan_n[j]; i++) keys[at++] = ((uint64_t)chan[j][i] << 16) | (uint64_t)j;
    qsort(keys, total, sizeof *keys, cmp_u64_);
    for (size_t i = 0; i < total; i++) {
        out->sample[i] = (uint32_t)(keys[i] >> 16);
        out->unit[i] = (uint16_t)(keys[i] & 0xFFFF);
    }
    free(keys);
    out->count = total;
    out->rate = rate;
    out->samples = m;
    out->seed = seed;
done:
    if (chan)
        for (int j = 0; j < c; j++) free(chan[j]);
    free(chan);
    free(chan_n);
    free(spec);
    cochlea_fft_free(inv);
    if (table) cochlea_cache_release(cache, table);
    free(fq);
    if (own_places) free(own_places->cf), free(own_places->vmax), free(own_places->gain), free(own_places);
    return st;
}

/* Stage 0 and 1 as the chain does them: checks, resampling to p->fs, optional trimming, normalisation
 * and taper. *s2 (malloc'ed, *len samples) is the tapered signal; *audible = 0 for digital silence. */
static MosaicStatus prepare_(const float *audio, const size_t n, const double fs_in,
                             const MosaicCochleaParams *p, double **s2_out, size_t *len_out, int *audible,
                             int *resampled, MosaicErr *err) {
    *s2_out = NULL;
    if (resampled) *resampled = 0;
    MOSAIC_TRY(mosaic_cochlea_params_check(p, err));
    if (!(fs_in > 0.0))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea: input sample rate %g Hz; expected > 0", fs_in);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(audio[i]))
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "cochlea: audio sample %zu is %g; expected a finite value", i,
                              (double)audio[i]);
    float *res = NULL;
    size_t len = n;
    const float *x = audio;
    if (fs_in != p->fs) {
        MOSAIC_TRY(mosaic_cochlea_resample(audio, n, fs_in, p->fs, &res, &len, err));
        x = res;
        if (resampled) *resampled = 1;
    }
    size_t start = 0;
    if (p->trim) mosaic_cochlea_trim(x, len, p->fs, p->trim_db, p->trim_margin, &start, &len);
    if (len < 2) {
        free(res);
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea: %zu samples at %g Hz; expected at least 2", len,
                          p->fs);
    }
    double *s2 = malloc(len * sizeof *s2);
    if (!s2) {
        free(res);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "cochlea: out of memory for %zu samples", len);
    }
    for (size_t i = 0; i < len; i++) s2[i] = x[start + i];
    free(res);
    *audible = mosaic_cochlea_normalise_taper(s2, len, p->level);
    *s2_out = s2;
    *len_out = len;
    return MOSAIC_OK;
}

MosaicStatus mosaic_cochlea_convert(const float *audio, const size_t n, const double fs_in,
                                    const MosaicCochleaParams *p, const uint64_t seed,
                                    MosaicCochleaCache *cache, MosaicCochleaSpikes *out, int *resampled,
                                    MosaicErr *err) {
    memset(out, 0, sizeof *out);
    double *s2 = NULL;
    size_t len = 0;
    int audible = 0;
    MOSAIC_TRY(prepare_(audio, n, fs_in, p, &s2, &len, &audible, resampled, err));
    const MosaicStatus st = run_(s2, len, !audible, p, seed, cache, out, err);
    free(s2);
    return st;
}

MosaicStatus mosaic_cochlea_trace_channel(const double *s2, const size_t n, const MosaicCochleaParams *p,
                                          const int channel, const uint64_t seed, float *u, double *prob,
                                          uint8_t *counts, MosaicErr *err) {
    MOSAIC_TRY(mosaic_cochlea_params_check(p, err));
    if (channel < 0 || channel >= p->channels)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea trace: channel %d; expected 0..%d", channel,
                          p->channels - 1);
    if (n < 2) return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea trace: %zu samples; expected at least 2", n);
    const size_t m = n / 2 + 1;
    const double rate = floor(p->fs / 2.0);
    size_t mg, n_fft;
    grid_(n, p, &mg, &n_fft);
    CochleaBm bm;
    cochlea_bm_init(&bm, p->s0);
    float *uu = malloc(2 * m * sizeof *uu); /* the channel and its partner in the chain's packing */
    double *pp = malloc(m * sizeof *pp), *lam = malloc((m + 1) * sizeof *lam);
    uint8_t *cc = malloc(m);
    kiss_fft_cpx *spec = NULL, *row = NULL, *buf = NULL, *work = NULL;
    CochleaBmFreq *fq = NULL;
    CochleaFft *inv = NULL;
    MosaicStatus st = MOSAIC_OK;
    if (!uu || !pp || !lam || !cc) goto nomem;
    if (p->bm == MOSAIC_COCHLEA_BM_GAMMATONE) {
        double cf, vmax;
        cochlea_bm_cf(&bm, cochlea_bm_place(&bm, channel, p->channels), rate, &cf, &vmax);
        cochlea_gammatone_channel(s2, n, p->fs, cf, cochlea_gammatone_gain(cf, vmax, p->fs), p->causal, uu,
                                  m);
    } else {
        /* The channel's row and its partner's, packed into one inverse DFT exactly as the chain packs
         * them (pairs (0,1), (2,3), ...), so u has the chain's bits; computed here rather than through the
         * cache, which builds all places. */
        const int ja = channel & ~1, jb = ja + 1 < p->channels ? ja + 1 : -1;
        spec = spectrum_(s2, n, n_fft, mg);
        fq = cochlea_grid_freqs(&bm, p->fs, mg, p->threads);
        row = malloc(2 * mg * sizeof *row);
        buf = malloc(3 * mg * sizeof *buf);
        inv = cochlea_fft_create(mg, 1);
        work = inv ? malloc((cochlea_fft_work_len(inv) + 1) * sizeof *work) : NULL;
        if (!spec || !fq || !row || !buf || !work) goto nomem;
        const size_t len_a =
            cochlea_v_row(&bm, fq, mg, cochlea_bm_place(&bm, ja, p->channels), p->skip_nepers, row);
        const size_t len_b = jb >= 0 ? cochlea_v_row(&bm, fq, mg, cochlea_bm_place(&bm, jb, p->channels),
                                                     p->skip_nepers, row + mg)
                                     : 0;
        bm_pair_(spec, mg, inv, row, len_a, jb >= 0 ? row + mg : NULL, len_b, p->causal, buf, work, uu, 2, m);
        for (size_t i = 0; i < m; i++) uu[i] = uu[2 * i + (channel & 1)];
    }
    mosaic_cochlea_haircell(uu, m, rate, pp);
    st = mosaic_cochlea_fibres(pp, m, rate, p->fibres, p->tau_ref, p->sampler, seed, (uint64_t)channel, cc,
                               lam, err);
    if (u) memcpy(u, uu, m * sizeof *uu);
    if (prob) memcpy(prob, pp, m * sizeof *pp);
    if (counts) memcpy(counts, cc, m);
    goto out;
nomem:
    st = mosaic_err(err, MOSAIC_ERR_NOMEM, "cochlea trace: out of memory for %zu samples", n);
out:
    free(uu), free(pp), free(lam), free(cc), free(spec), free(row), free(buf), free(work), free(fq);
    cochlea_fft_free(inv);
    return st;
}

void mosaic_cochlea_probe_free(MosaicCochleaProbe *pr) {
    if (!pr) return;
    free(pr->unit), free(pr->u), free(pr->prob), free(pr->counts), free(pr->bushy);
    memset(pr, 0, sizeof *pr);
}

MosaicStatus mosaic_cochlea_probe(const float *audio, const size_t n, const double fs_in,
                                  const MosaicCochleaParams *p, const uint64_t seed, const int *units,
                                  const int nunits, MosaicCochleaProbe *out, MosaicErr *err) {
    memset(out, 0, sizeof *out);
    if (nunits < 1)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea probe: %d units; expected at least one", nunits);
    for (int k = 0; k < nunits; k++)
        if (units[k] < 0 || units[k] >= p->channels)
            return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea probe: unit %d; expected 0..%d", units[k],
                              p->channels - 1);
    double *s2 = NULL;
    size_t len = 0;
    int audible = 0;
    MOSAIC_TRY(prepare_(audio, n, fs_in, p, &s2, &len, &audible, NULL, err));
    const size_t m = len / 2 + 1, total = (size_t)nunits * m;
    out->units = nunits;
    out->samples = m;
    out->rate = floor(p->fs / 2.0);
    out->seed = seed;
    out->unit = malloc((size_t)nunits * sizeof *out->unit);
    out->u = malloc(total * sizeof *out->u);
    out->prob = malloc(total * sizeof *out->prob);
    out->counts = malloc(total);
    out->bushy = calloc(total, 1);
    uint32_t *spk = malloc(m * sizeof *spk);
    MosaicStatus st = MOSAIC_OK;
    if (!out->unit || !out->u || !out->prob || !out->counts || !out->bushy || !spk) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "cochlea probe: out of memory for %d units x %zu samples",
                        nunits, m);
    }
    for (int k = 0; k < nunits && st == MOSAIC_OK; k++) {
        const size_t at = (size_t)k * m;
        out->unit[k] = units[k];
        st = mosaic_cochlea_trace_channel(s2, len, p, units[k], seed, out->u + at, out->prob + at,
                                          out->counts + at, err);
        if (st != MOSAIC_OK) break;
        size_t ns = 0;
        mosaic_cochlea_bushy(out->counts + at, m, out->rate, p->fibres, p->tau_ref, spk, &ns);
        for (size_t i = 0; i < ns; i++) out->bushy[at + spk[i]] = 1;
    }
    free(spk);
    free(s2);
    if (st != MOSAIC_OK) mosaic_cochlea_probe_free(out);
    return st;
}
