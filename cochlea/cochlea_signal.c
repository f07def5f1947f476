/* cochlea_signal: audio in (libsndfile), resampling (libsoxr), silence trimming and stage 1 of
 * cochlea-model.md (RMS normalisation + Hann taper over the whole file). */
#include <math.h>
#include <sndfile.h>
#include <soxr.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_cochlea.h"

#define PI_ 3.14159265358979323846

MosaicStatus mosaic_cochlea_read_audio(const char *path, const int downmix, float **samples, size_t *n,
                                       double *fs, MosaicErr *err) {
    *samples = NULL;
    *n = 0;
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: cannot read as audio (%s); expected WAV, FLAC or another "
                          "format libsndfile reads",
                          path, sf_strerror(NULL));
    /* libsndfile reads a truncated WAV as a shorter recording; its parse log says the data chunk promised
     * more bytes than the file holds ("data : 16000 (should be 7978)"). A cut recording is damaged input. */
    const size_t log_size = 65536; /* large: a file with many chunks logs them all before 'data' */
    char *log = calloc(log_size, 1);
    if (log) sf_command(f, SFC_GET_LOG_INFO, log, (int)log_size);
    for (const char *l = log ? strstr(log, "\ndata : ") : NULL; l; l = strstr(l + 1, "\ndata : ")) {
        long declared = 0, actual = 0;
        /* Programs writing WAV to a pipe cannot know the length and leave a placeholder (0x7ffff000 by
         * sox, 0xffffffff by others): a complete file, not a truncated one. */
        if (sscanf(l, "\ndata : %ld (should be %ld)", &declared, &actual) == 2 && declared > actual &&
            declared < 0x7ffff000L) {
            free(log);
            sf_close(f);
            return mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: truncated: its data chunk declares %ld bytes, the file holds %ld (expected a "
                "complete recording)",
                path, declared, actual);
        }
    }
    free(log);
    if (info.channels != 1 && !downmix) {
        sf_close(f);
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: %d audio channels; expected mono (the cochlea model is "
                          "defined for one channel; --downmix averages them)",
                          path, info.channels);
    }
    if (info.frames <= 0 || info.samplerate <= 0) {
        sf_close(f);
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: no audio frames; expected at least 2 samples", path);
    }
    const size_t frames = (size_t)info.frames, ch = (size_t)info.channels;
    float *inter = malloc(frames * ch * sizeof *inter);
    if (!inter) {
        sf_close(f);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory for %zu samples", path, frames * ch);
    }
    /* libsndfile scales integer PCM to [-1, 1) for float reads, as the package does. */
    const sf_count_t got = sf_readf_float(f, inter, (sf_count_t)frames);
    sf_close(f);
    if (got <= 0) {
        free(inter);
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: reading the audio frames failed", path);
    }
    if (ch > 1) {
        for (sf_count_t i = 0; i < got; i++) {
            double acc = 0.0;
            for (size_t c = 0; c < ch; c++) acc += inter[(size_t)i * ch + c];
            inter[i] = (float)(acc / (double)ch);
        }
    }
    *samples = inter;
    *n = (size_t)got;
    *fs = info.samplerate;
    return MOSAIC_OK;
}

MosaicStatus mosaic_cochlea_resample(const float *in, const size_t n, const double fs_in, const double fs_out,
                                     float **out, size_t *n_out, MosaicErr *err) {
    *out = NULL;
    *n_out = 0;
    const size_t olen = (size_t)floor((double)n * fs_out / fs_in + 0.5);
    float *buf = malloc((olen ? olen : 1) * sizeof *buf);
    if (!buf)
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "cochlea resample: out of memory for %zu samples", olen);
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
    size_t odone = 0;
    const soxr_error_t e = soxr_oneshot(fs_in, fs_out, 1, in, n, NULL, buf, olen, &odone, &io, &q, NULL);
    if (e) {
        free(buf);
        return mosaic_err(err, MOSAIC_ERR_INPUT, "cochlea resample: %g Hz -> %g Hz failed: %s", fs_in, fs_out,
                          e);
    }
    for (size_t i = odone; i < olen; i++) buf[i] = 0.0f;
    *out = buf;
    *n_out = olen;
    return MOSAIC_OK;
}

void mosaic_cochlea_trim(const float *x, const size_t n, const double fs, const double trim_db,
                         const double margin, size_t *start, size_t *len) {
    *start = 0;
    *len = n;
    const size_t frame = (size_t)fmax(1.0, floor(0.01 * fs));
    const size_t nframes = n / frame;
    if (nframes < 2) return;
    double peak = 0.0;
    for (size_t f = 0; f < nframes; f++) {
        double e = 0.0;
        for (size_t i = f * frame; i < (f + 1) * frame; i++) e += (double)x[i] * x[i];
        if (e > peak) peak = e;
    }
    if (peak <= 0.0) return;
    /* Frame energies, thresholded trim_db below the loudest frame. */
    const double thr = peak * pow(10.0, -trim_db / 10.0);
    size_t first = nframes, last = 0;
    for (size_t f = 0; f < nframes; f++) {
        double e = 0.0;
        for (size_t i = f * frame; i < (f + 1) * frame; i++) e += (double)x[i] * x[i];
        if (e >= thr) {
            if (first == nframes) first = f;
            last = f;
        }
    }
    const size_t pad = (size_t)floor(margin * fs);
    const size_t s = first * frame > pad ? first * frame - pad : 0;
    size_t e = (last + 1) * frame + pad;
    if (last + 1 == nframes || e > n) e = n;
    *start = s;
    *len = e - s;
}

int mosaic_cochlea_normalise_taper(double *s, const size_t n, const double level) {
    double energy = 0.0;
    for (size_t i = 0; i < n; i++) energy += s[i] * s[i];
    if (energy <= 0.0) return 0;
    const double gain = level / sqrt(energy / (double)n);
    for (size_t i = 0; i < n; i++) s[i] *= gain;
    /* Rising half of a 2R-point symmetric Hann window on the first R samples, mirrored on the last R;
     * the middle sample of an odd length is left as it is. */
    const size_t r = n / 2;
    if (r == 0) return 1;
    const double denom = 2.0 * (double)r - 1.0;
    for (size_t k = 0; k < r; k++) {
        const double w = denom > 0.0 ? 0.5 - 0.5 * cos(2.0 * PI_ * (double)k / denom) : 0.0;
        s[k] *= w;
        s[n - 1 - k] *= w;
    }
    return 1;
}
