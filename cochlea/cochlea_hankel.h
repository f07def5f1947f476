/* cochlea_hankel: H0^(1)(z) = J0(z) + i Y0(z) for complex z (cochlea-model.md §4.5).
 *
 * Neither C99, POSIX nor GSL offers the Hankel function of a complex argument, so it is written here:
 * the ascending series for |z| < 10 and the Hankel asymptotic expansion for |z| >= 10. Accurate to
 * ~1e-10 relative over the first quadrant that the basilar membrane uses. */
#ifndef COCHLEA_HANKEL_H
#define COCHLEA_HANKEL_H

#include <complex.h>
#include <math.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Principal complex square root and logarithm without the C library's special-case handling
 * (glibc's csqrt/clog went through hypot and dominated the V profile). Valid for finite z whose
 * squared magnitude stays in double range, which holds for every basilar-membrane quantity. */
static inline double complex cochlea_csqrt(const double complex z) {
    const double a = creal(z), b = cimag(z);
    const double r = sqrt(a * a + b * b);
    if (r == 0.0) return 0.0;
    if (a >= 0.0) {
        const double t = sqrt(0.5 * (r + a));
        return CMPLX(t, b / (2.0 * t));
    }
    const double t = sqrt(0.5 * (r - a));
    return CMPLX(fabs(b) / (2.0 * t), copysign(t, b));
}

static inline double complex cochlea_clog(const double complex z) {
    const double a = creal(z), b = cimag(z);
    return CMPLX(0.5 * log(a * a + b * b), atan2(b, a));
}

/* H0^(1)(z) for z != 0 with -pi < arg z <= pi (principal branch of log and sqrt). */
double complex cochlea_hankel0(double complex z);

/* The ascending-series and asymptotic branches on their own (tests compare them at |z| = 10). */
double complex cochlea_hankel0_series(double complex z);
double complex cochlea_hankel0_asymptotic(double complex z);

#ifdef __cplusplus
}
#endif
#endif
