/* cochlea_fft: kiss_fft for 5-smooth lengths, Bluestein around it for the rest (see cochlea_fft.h). */
#include "cochlea_fft.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define PI_ 3.14159265358979323846

struct CochleaFft {
    size_t n;
    size_t l;             /* Bluestein convolution length, 0 for a direct plan */
    kiss_fft_cfg direct;  /* length n (direct) */
    kiss_fft_cfg fwd_l;   /* length l forward (Bluestein) */
    kiss_fft_cfg inv_l;   /* length l inverse (Bluestein) */
    kiss_fft_cpx *chirp;  /* c_k = e^{s i pi k^2 / n}, k < n */
    kiss_fft_cpx *filter; /* FFT_l(conj chirp, wrapped) / l */
};

static int smooth_(size_t n) {
    while (n % 2 == 0) n /= 2;
    while (n % 3 == 0) n /= 3;
    while (n % 5 == 0) n /= 5;
    return n == 1;
}

size_t cochlea_fft_smooth_at_least(size_t n) {
    if (n < 1) n = 1;
    while (!smooth_(n)) n++;
    return n;
}

void cochlea_fft_free(CochleaFft *fft) {
    if (!fft) return;
    kiss_fft_free(fft->direct);
    kiss_fft_free(fft->fwd_l);
    kiss_fft_free(fft->inv_l);
    free(fft->chirp);
    free(fft->filter);
    free(fft);
}

CochleaFft *cochlea_fft_create(const size_t n, const int inverse) {
    assert(n >= 1 && n < ((size_t)1 << 30));
    CochleaFft *fft = calloc(1, sizeof *fft);
    if (!fft) return NULL;
    fft->n = n;
    if (smooth_(n)) {
        fft->direct = kiss_fft_alloc((int)n, inverse, NULL, NULL);
        if (!fft->direct) goto fail;
        return fft;
    }
    fft->l = cochlea_fft_smooth_at_least(2 * n - 1);
    fft->fwd_l = kiss_fft_alloc((int)fft->l, 0, NULL, NULL);
    fft->inv_l = kiss_fft_alloc((int)fft->l, 1, NULL, NULL);
    fft->chirp = malloc(n * sizeof *fft->chirp);
    fft->filter = calloc(fft->l, sizeof *fft->filter);
    kiss_fft_cpx *b = calloc(fft->l, sizeof *b);
    if (!fft->fwd_l || !fft->inv_l || !fft->chirp || !fft->filter || !b) {
        free(b);
        goto fail;
    }
    const double sign = inverse ? 1.0 : -1.0;
    for (size_t k = 0; k < n; k++) {
        /* k^2 mod 2n keeps the phase exact for large k (k^2 itself would lose the fraction). */
        const uint64_t r = ((uint64_t)k * (uint64_t)k) % (2 * (uint64_t)n);
        const double ang = sign * PI_ * (double)r / (double)n;
        fft->chirp[k].r = (float)cos(ang);
        fft->chirp[k].i = (float)sin(ang);
        const kiss_fft_cpx conj = {(float)cos(ang), (float)-sin(ang)};
        b[k] = conj;
        if (k > 0) b[fft->l - k] = conj;
    }
    kiss_fft(fft->fwd_l, b, fft->filter);
    const float scale = 1.0f / (float)fft->l;
    for (size_t i = 0; i < fft->l; i++) fft->filter[i].r *= scale, fft->filter[i].i *= scale;
    free(b);
    return fft;
fail:
    cochlea_fft_free(fft);
    return NULL;
}

size_t cochlea_fft_work_len(const CochleaFft *fft) { return 2 * fft->l; }

void cochlea_fft_run(const CochleaFft *fft, const kiss_fft_cpx *in, kiss_fft_cpx *out, kiss_fft_cpx *work) {
    if (fft->direct) {
        kiss_fft(fft->direct, in, out);
        return;
    }
    const size_t n = fft->n, l = fft->l;
    kiss_fft_cpx *a = work, *spec = work + l;
    for (size_t k = 0; k < n; k++) {
        const kiss_fft_cpx c = fft->chirp[k];
        a[k].r = in[k].r * c.r - in[k].i * c.i;
        a[k].i = in[k].r * c.i + in[k].i * c.r;
    }
    for (size_t k = n; k < l; k++) a[k].r = a[k].i = 0.0f;
    kiss_fft(fft->fwd_l, a, spec);
    for (size_t k = 0; k < l; k++) {
        const kiss_fft_cpx s = spec[k], f = fft->filter[k];
        spec[k].r = s.r * f.r - s.i * f.i;
        spec[k].i = s.r * f.i + s.i * f.r;
    }
    kiss_fft(fft->inv_l, spec, a);
    for (size_t k = 0; k < n; k++) {
        const kiss_fft_cpx c = fft->chirp[k];
        out[k].r = a[k].r * c.r - a[k].i * c.i;
        out[k].i = a[k].r * c.i + a[k].i * c.r;
    }
}
