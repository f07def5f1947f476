/* cochlea_bm: the hydrodynamic basilar membrane of cochlea-model.md §4 (Sieroka et al. 2006).
 *
 * V(omega, x) is the velocity transfer function from input pressure to partition velocity at place x.
 * It is linear and time-invariant, so the stage is 700 fixed filters applied in the frequency domain
 * (cochlea_chain.c). Everything here is double precision: |p| spans ~33 orders of magnitude. */
#ifndef COCHLEA_BM_H
#define COCHLEA_BM_H

#include <complex.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Model constants in CGS units (§4.2); only s0 is a user parameter. */
typedef struct {
    double length; /* L, cm */
    double rho;    /* fluid density, g/cm^3 (the closed form assumes 1) */
    double h;      /* channel height, cm */
    double m;      /* partition mass, g/cm^2 */
    double s0;     /* base stiffness, dyn/cm^3 */
    double alpha;  /* stiffness decay, 1/cm */
    double a;      /* stiffness offset, dyn/cm^3 */
    double r0;     /* base damping d*sqrt(m*s0) */
} CochleaBm;

void cochlea_bm_init(CochleaBm *bm, double s0);

/* Place of unit j of `channels`: x_j = j L / (C-1) (unit 0 = base). */
double cochlea_bm_place(const CochleaBm *bm, int j, int channels);

/* Quantities shared by every place at one frequency: computed once per frequency. */
typedef struct {
    double omega;
    double beta;         /* a + m omega^2 */
    double complex k0;   /* k(omega, 0) */
    double complex d0;   /* D(omega, 0) */
    double complex phi0; /* Phi(omega, 0) */
    double complex gain; /* 2 omega Z(omega) / p(omega, 0): V = gain * p(omega,x) / K(omega,x) */
} CochleaBmFreq;

void cochlea_bm_freq(const CochleaBm *bm, double omega, CochleaBmFreq *out);

/* Phi(omega, x) (closed form of §4.3), given the frequency's shared quantities. */
double complex cochlea_bm_phi(const CochleaBm *bm, const CochleaBmFreq *fq, double x);

/* V(omega, x); if phi_out is not NULL, Phi is stored there. skip_nepers > 0 returns exactly 0 where
 * Im Phi(omega,x) - Im Phi(omega,0) > skip_nepers (|V| ~ e^-skip below its peak, §9.3). */
double complex cochlea_bm_v(const CochleaBm *bm, const CochleaBmFreq *fq, double x, double skip_nepers,
                            double complex *phi_out);

/* Z(omega): the stapes / input impedance term (real Bessel functions). */
double complex cochlea_bm_z(const CochleaBm *bm, double omega);

/* Characteristic frequency (Hz, argmax |V| over [1 Hz, f_max]) of place x and |V| there. */
void cochlea_bm_cf(const CochleaBm *bm, double x, double f_max, double *cf_hz, double *vmax);

#ifdef __cplusplus
}
#endif
#endif
