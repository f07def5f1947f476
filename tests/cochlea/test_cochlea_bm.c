/* Hankel function and V(omega, x) against the reference tables of cochlea-model.md §4.5, the place map of
 * §4.6 and the agreement of the two Hankel branches at |z| = 10. */
#include <complex.h>

#include "cochlea_bm.h"
#include "cochlea_hankel.h"
#include "mosaic_test.h"

#define PI_ 3.14159265358979323846

static double rel_err_(const double complex got, const double complex want) {
    return cabs(got - want) / cabs(want);
}

int main(void) {
    TEST("HankelMatchesScipyReferenceTable") {
        static const struct {
            double zr, zi, hr, hi;
        } ref[] = {
            {0.01, 0, 0.99997500016, -3.0054556371},       {0.5, 0.001, 0.93699856338, -0.44475975278},
            {2, 0.5, 0.16620321868, 0.28450727353},        {5, 5, -1.5664696040e-3, -1.2383292724e-3},
            {8, 1, 6.7710491476e-2, 7.7731818162e-2},      {10, 10, -7.8525722025e-6, 5.4746322348e-6},
            {12, 0.01, 4.7121621631e-2, -2.2301382957e-1}, {15, 30, 5.9080959987e-15, 1.1410630069e-14},
            {20, 50, 2.0370463248e-23, -4.7899537971e-24}, {22.5, 73, -1.1030592439e-33, 1.4275567806e-33},
        };
        for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
            const double complex got = cochlea_hankel0(ref[i].zr + I * ref[i].zi);
            const double e = rel_err_(got, ref[i].hr + I * ref[i].hi);
            if (e > 1e-9)
                printf("  z = %g%+gi: got %.11g%+.11gi, rel err %.2e\n", ref[i].zr, ref[i].zi, creal(got),
                       cimag(got), e);
            CHECK(e < 1e-9);
        }
    }
    TEST("HankelBranchesAgreeAtTheCrossover") {
        const double complex pts[] = {10 + 0.8 * I, 10 * cexp(I * 1.0)};
        const double tol[] = {1e-9, 1e-8};
        for (int i = 0; i < 2; i++) {
            const double complex s = cochlea_hankel0_series(pts[i]), a = cochlea_hankel0_asymptotic(pts[i]);
            CHECK(rel_err_(s, a) < tol[i]);
        }
    }
    CochleaBm bm;
    cochlea_bm_init(&bm, 1e9);
    TEST("VMatchesReferenceTable") {
        static const struct {
            double f;
            int j;
            double phr, phi, vr, vi, vabs;
        } ref[] = {
            {100, 699, 9.90219893, 0.83238794, 164.394914, -150.521353, 222.8954},
            {250, 584, 10.3074835, 0.85059991, 164.377112, -129.306555, 209.1411},
            {1000, 400, 10.2914123, 0.82469114, 7.63668622, -170.188663, 170.3599},
            {1000, 300, 4.11442031, 0.07380354, -11.8280246, -44.3446794, 45.89502},
            {4000, 215, 10.2509672, 0.81695127, -101.729207, 18.3178769, 103.3653},
            {8000, 123, 10.4240363, 0.87540906, 32.5399635, 72.2099949, 79.20311},
            {20000, 5, 16.7612448, 4.89231022, 26.0959723, 138.988871, 141.4175},
            {500, 100, 0.444056077, 0.000959574, 0.793131365, 1.45147799, 1.654039},
        };
        for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
            CochleaBmFreq fq;
            cochlea_bm_freq(&bm, 2 * PI_ * ref[i].f, &fq);
            double complex phi;
            const double complex v = cochlea_bm_v(&bm, &fq, 3.5 * ref[i].j / 699.0, 0.0, &phi);
            const double ev = rel_err_(v, ref[i].vr + I * ref[i].vi);
            const double ep = rel_err_(phi, ref[i].phr + I * ref[i].phi);
            if (ev > 1e-8 || ep > 1e-8)
                printf("  f %g j %d: V %.9g%+.9gi (rel %.1e), Phi rel %.1e\n", ref[i].f, ref[i].j, creal(v),
                       cimag(v), ev, ep);
            CHECK(ev < 1e-8);
            CHECK(ep < 1e-8);
            CHECK_NEAR(cabs(v), ref[i].vabs, 1e-6 * ref[i].vabs);
        }
    }
    TEST("ZMatchesReferenceValues") {
        static const double ref[][3] = {{1, 131.594354, 632.279062},
                                        {100, 13001.9330, 24506.7378},
                                        {1000, 89197.5910, 55150.4222},
                                        {10000, 139961.652, 11695.7238},
                                        {24000, 141160.658, 4955.33717}};
        for (int i = 0; i < 5; i++)
            CHECK(rel_err_(cochlea_bm_z(&bm, 2 * PI_ * ref[i][0]), ref[i][1] + I * ref[i][2]) < 1e-8);
    }
    TEST("PlaceMapMatchesSection4_6") {
        static const double ref[][3] = {{0, 22508, 266},  {100, 9544, 76}, {200, 4481, 99}, {300, 2116, 134},
                                        {400, 1001, 170}, {500, 473, 196}, {600, 221, 211}, {699, 100, 223}};
        for (int i = 0; i < 8; i++) {
            double cf, vmax;
            cochlea_bm_cf(&bm, cochlea_bm_place(&bm, (int)ref[i][0], 700), 24000, &cf, &vmax);
            printf("  unit %3.0f: CF %.0f Hz (doc %.0f), |V|max %.1f (doc %.0f)\n", ref[i][0], cf, ref[i][1],
                   vmax, ref[i][2]);
            CHECK(fabs(cf - ref[i][1]) < 0.01 * ref[i][1] + 1);
            CHECK(fabs(vmax - ref[i][2]) < 0.01 * ref[i][2] + 0.5);
        }
    }
    TEST("SkippingZeroesOnlyNegligiblePoints") {
        CochleaBmFreq fq;
        cochlea_bm_freq(&bm, 2 * PI_ * 8000, &fq);
        double complex phi;
        const double complex v_far = cochlea_bm_v(&bm, &fq, 3.5, 0.0, &phi);
        CHECK(cimag(phi) - cimag(fq.phi0) > 40);
        CHECK(cabs(v_far) < 1e-12);
        CHECK(cochlea_bm_v(&bm, &fq, 3.5, 40.0, NULL) == 0.0);
        CHECK(cochlea_bm_v(&bm, &fq, cochlea_bm_place(&bm, 123, 700), 40.0, NULL) != 0.0);
    }
    return mosaic_test_finish();
}
