/* cochlea_hankel: H0^(1)(z) = J0(z) + i Y0(z) for complex z (cochlea-model.md §4.5).
 *
 * Neither C99, POSIX nor GSL offers the Hankel function of a complex argument, so it is written here:
 * the ascending series for |z| < 10 and the Hankel asymptotic expansion for |z| >= 10. Accurate to
 * ~1e-10 relative over the first quadrant that the basilar membrane uses. */
#ifndef COCHLEA_HANKEL_H
#define COCHLEA_HANKEL_H

#include <complex.h>

#ifdef __cplusplus
extern "C" {
#endif

/* H0^(1)(z) for z != 0 with -pi < arg z <= pi (principal branch of log and sqrt). */
double complex cochlea_hankel0(double complex z);

/* The ascending-series and asymptotic branches on their own (tests compare them at |z| = 10). */
double complex cochlea_hankel0_series(double complex z);
double complex cochlea_hankel0_asymptotic(double complex z);

#ifdef __cplusplus
}
#endif
#endif
