/* cochlea_fft: complex DFT of any length in O(n log n), single precision, on top of KissFFT.
 *
 * Debian's libkissfft-dev ships only the float build. Lengths whose prime factors are 2, 3 and 5 go to
 * kiss_fft directly; any other length (the exact chain's N and M are arbitrary, often with large prime
 * factors) goes through Bluestein's chirp-z algorithm on a 5-smooth length >= 2n-1, because kiss_fft's
 * generic radix is O(p^2) for a prime factor p. The chirp phases are reduced exactly in integers (k^2
 * mod 2n) so the transform stays accurate to float rounding (~1e-6 relative to the largest bin) at the
 * lengths used here; the basilar-membrane transfer function itself is computed in double. */
#ifndef COCHLEA_FFT_H
#define COCHLEA_FFT_H

#include <stddef.h>

#include "kiss_fft.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct CochleaFft CochleaFft;

/* A plan for length n >= 1; inverse != 0 uses e^{+2 pi i k n / N}. Unnormalised both ways. Returns NULL
 * if memory runs out. A plan is read-only once made: threads may share it, each with its own work. */
CochleaFft *cochlea_fft_create(size_t n, int inverse);
void cochlea_fft_free(CochleaFft *fft);

/* Complex values of workspace that cochlea_fft_run needs (0 for a direct length). */
size_t cochlea_fft_work_len(const CochleaFft *fft);

/* out = DFT(in); in and out must not overlap; work holds cochlea_fft_work_len values. */
void cochlea_fft_run(const CochleaFft *fft, const kiss_fft_cpx *in, kiss_fft_cpx *out, kiss_fft_cpx *work);

/* The smallest n' >= n whose only prime factors are 2, 3 and 5. */
size_t cochlea_fft_smooth_at_least(size_t n);

#ifdef __cplusplus
}
#endif
#endif
