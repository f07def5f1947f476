/* cochlea_lanes: the per-sample loops that run a group of COCHLEA_LANES (4) places in SIMD lanes, written
 * once for vectors of LANES_W doubles and included twice by the file that owns the stage: LANES_W 4 for
 * AVX2 (one register per group) and LANES_W 2 for baseline x86-64 (SSE2: two passes per group, each lane
 * pair in one register). GCC lowers a vector wider than the hardware's badly (comparisons become scalar
 * branches), hence two widths rather than one width compiled twice. Lanes do the scalar code's IEEE
 * double operations in source order with no FMA contraction (ISO C mode), so both versions, and a single
 * channel run in lane 0, give the same bits.
 *
 * The includer defines LANES_W, LANES_FN(name) (appends a suffix), LANES_ATTR (function attributes) and
 * one of LANES_HAIRCELL, LANES_BUSHY, LANES_GAMMATONE (with the types and constants that stage needs).
 * No include guard: included once per width. */

typedef double LANES_FN(vd_) __attribute__((vector_size(8 * LANES_W)));
typedef long long LANES_FN(vm_) __attribute__((vector_size(8 * LANES_W)));
typedef float LANES_FN(vf_) __attribute__((vector_size(4 * LANES_W)));
typedef uint8_t LANES_FN(vb_) __attribute__((vector_size(LANES_W)));
#define VD_ LANES_FN(vd_)
#define VM_ LANES_FN(vm_)
#define VF_ LANES_FN(vf_)
#define VB_ LANES_FN(vb_)
/* Keeps a lane where its mask is set, +0 elsewhere: the scalar `cond ? v : 0.0` (NaN included). */
#define SEL_(mask, v) ((VD_)((VM_)(v) & (mask)))
#define BLEND_(mask, a, b) ((VD_)(((VM_)(a) & (mask)) | ((VM_)(b) & ~(mask))))

static inline int LANES_FN(any_)(const VM_ *m) {
    long long a = 0;
    for (int l = 0; l < LANES_W; l++) a |= (*m)[l];
    return a != 0;
}

#ifdef LANES_HAIRCELL
/* Hair cells of lanes [off, off + LANES_W) of a group (§5.2, explicit Euler exactly as the package: every
 * right-hand side uses the state before the step; P from the updated cleft content). st: q[4], c[4],
 * w[4], lam[4]. hazard = 1: out[4(i + 1) + l] = cumulative hazard after sample i; 0: out[4i + l] = P. */
static inline __attribute__((always_inline)) void LANES_FN(hc_body_)(double *st, const HcConst_ *k,
                                                                     const float *u, const size_t len,
                                                                     double *out, const int hazard,
                                                                     const int off) {
    const VD_ zero = {0.0}, va = zero + HC_A_, vb = zero + HC_B_, vm = zero + HC_M_, small = zero + 0.03;
    const VD_ gdt = zero + k->gdt, ydt = zero + k->ydt, lrdt = zero + k->lrdt, rdt = zero + k->rdt;
    const VD_ xdt = zero + k->xdt, hdt = zero + k->hdt;
    VD_ q, c, w, lam;
    memcpy(&q, st + off, sizeof q);
    memcpy(&c, st + 4 + off, sizeof c);
    memcpy(&w, st + 8 + off, sizeof w);
    memcpy(&lam, st + 12 + off, sizeof lam);
    for (size_t n = 0; n < len; n++) {
        VF_ uf;
        memcpy(&uf, u + 4 * n + off, sizeof uf);
        const VD_ uu = __builtin_convertvector(uf, VD_) + va;
        const VD_ kn = SEL_(uu > zero, gdt * uu / (uu + vb));
        const VD_ rho = SEL_(q < vm, ydt * (vm - q));
        const VD_ eject = kn * q, loss = lrdt * c, reuptake = rdt * c, reproc = xdt * w;
        q = q + rho - eject + reproc;
        q = SEL_(q > zero, q);
        c = c + eject - loss;
        c = SEL_(c > zero, c);
        w = w + reuptake - reproc;
        w = SEL_(w > zero, w);
        const VD_ p = hdt * c;
        if (!hazard) {
            memcpy(out + 4 * n + off, &p, sizeof p);
            continue;
        }
        /* The series of cochlea_hazard in every lane; a lane at P >= 0.03 (or NaN) takes the scalar path. */
        VD_ h = p * (1.0 + p * (0.5 + p * (1.0 / 3 + p * (0.25 + p * (0.2 + p * (1.0 / 6 + p / 7))))));
        const VM_ slow = ~(p < small);
        if (LANES_FN(any_)(&slow))
            for (int l = 0; l < LANES_W; l++) h[l] = cochlea_hazard(p[l]);
        lam = lam + h;
        memcpy(out + 4 * (n + 1) + off, &lam, sizeof lam);
    }
    memcpy(st + off, &q, sizeof q);
    memcpy(st + 4 + off, &c, sizeof c);
    memcpy(st + 8 + off, &w, sizeof w);
    memcpy(st + 12 + off, &lam, sizeof lam);
}

LANES_ATTR static void LANES_FN(hc_run_)(double *st, const HcConst_ *k, const float *u, const size_t len,
                                         double *out, const int hazard) {
    for (int off = 0; off < 4; off += LANES_W) {
        if (hazard)
            LANES_FN(hc_body_)(st, k, u, len, out, 1, off);
        else
            LANES_FN(hc_body_)(st, k, u, len, out, 0, off);
    }
}
#endif

#ifdef LANES_BUSHY
/* Samples [n0, n0 + len) of the bushy cells of a group (counts starts at sample n0), §7's update order:
 * stamp at n - 1, 25-sample minimum interval; each lane does the scalar update with masks for its
 * branches. st: v[4], cur[4], kappa[4]. */
LANES_ATTR static void LANES_FN(bushy_run_)(double *st, const BushyConst_ *k, const uint8_t *counts,
                                            const size_t n0, const size_t len, uint32_t *const spikes[4],
                                            size_t nspikes[4]) {
    const VD_ zero = {0.0}, one = zero + 1.0;
    const VD_ dm = zero + k->dm, ds = zero + k->ds, wdt = zero + k->wdt, refractory = zero + k->refractory;
    for (int off = 0; off < 4; off += LANES_W) {
        VD_ v, cur, kappa;
        memcpy(&v, st + off, sizeof v);
        memcpy(&cur, st + 4 + off, sizeof cur);
        memcpy(&kappa, st + 8 + off, sizeof kappa);
        for (size_t i = 0; i < len; i++) {
            const size_t n = n0 + i;
            if (n > 0) {
                const VM_ open = kappa <= zero, fire = open & (v >= one);
                if (LANES_FN(any_)(&fire))
                    for (int l = 0; l < LANES_W; l++)
                        if (fire[l]) {
                            const int lane = off + l;
                            if (spikes[lane]) spikes[lane][nspikes[lane]] = (uint32_t)(n - 1);
                            nspikes[lane]++;
                        }
                /* fire: V <- 0, kappa <- refractory; open otherwise: V decays; refractory: V stays. */
                v = BLEND_(open & ~fire, v * dm, BLEND_(open, zero, v));
                kappa = BLEND_(fire, refractory, kappa);
                cur = cur * ds;
            }
            VB_ cb;
            memcpy(&cb, counts + 4 * i + off, sizeof cb);
            cur = cur + __builtin_convertvector(cb, VD_);
            v = BLEND_(kappa <= zero, v + wdt * cur, v);
            v = BLEND_(v > one, one, v);
            kappa = kappa - 1.0;
        }
        memcpy(st + off, &v, sizeof v);
        memcpy(st + 4 + off, &cur, sizeof cur);
        memcpy(st + 8 + off, &kappa, sizeof kappa);
    }
}
#endif

#ifdef LANES_GAMMATONE
/* The bank of §12 A on lanes of a group: four cascaded complex one-pole sections per lane, run on the
 * time-reversed signal (t runs forward over x[t] = s2[n-1-t]; causal: forward), original even times
 * kept. a = (ar, ai) and gain per lane (4 each); lane l of kept sample i goes to out[stride i + l] for
 * l < lanes (stride 4: a group; stride 1 with lanes = 1: one channel). */
LANES_ATTR static void LANES_FN(gammatone_run_)(const double *s2, const size_t n, const double *ar4,
                                                const double *ai4, const double *gain4, const int lanes,
                                                const int causal, float *out, const size_t stride,
                                                const size_t m) {
    const VD_ zero = {0.0};
    for (int off = 0; off < lanes; off += LANES_W) {
        VD_ ar, ai, gain;
        memcpy(&ar, ar4 + off, sizeof ar);
        memcpy(&ai, ai4 + off, sizeof ai);
        memcpy(&gain, gain4 + off, sizeof gain);
        VD_ y1r = zero, y1i = zero, y2r = zero, y2i = zero, y3r = zero, y3i = zero, y4r = zero, y4i = zero;
        for (size_t t = 0; t < n; t++) {
            const size_t orig = causal ? t : n - 1 - t;
            const VD_ x = zero + s2[orig];
            VD_ r, im;
            r = x + ar * y1r - ai * y1i, im = ar * y1i + ai * y1r;
            y1r = r, y1i = im;
            r = y1r + ar * y2r - ai * y2i, im = y1i + ar * y2i + ai * y2r;
            y2r = r, y2i = im;
            r = y2r + ar * y3r - ai * y3i, im = y2i + ar * y3i + ai * y3r;
            y3r = r, y3i = im;
            r = y3r + ar * y4r - ai * y4i, im = y3i + ar * y4i + ai * y4r;
            y4r = r, y4i = im;
            if ((orig & 1) == 0 && orig / 2 < m) {
                const VD_ y = gain * y4r;
                if (stride == 4) {
                    const VF_ yf = __builtin_convertvector(y, VF_);
                    memcpy(out + 4 * (orig / 2) + off, &yf, sizeof yf);
                } else {
                    for (int l = 0; l < LANES_W && off + l < lanes; l++)
                        out[stride * (orig / 2) + (size_t)(off + l)] = (float)y[l];
                }
            }
        }
    }
}
#endif

#undef VD_
#undef VM_
#undef VF_
#undef VB_
#undef SEL_
#undef BLEND_
