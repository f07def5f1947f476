/* mosaic_rng: the one random number generator of the project (xoshiro256** seeded by splitmix64).
 *
 * Every stochastic part (random networks, rewiring refill, weight noise, device noise, cochlea fibres)
 * draws from this generator so that a run is reproducible from its seed alone, and its 256-bit state can
 * be stored in a checkpoint and restored exactly. Streams for independent consumers are derived with
 * mosaic_rng_derive(seed, stream_id) rather than by sharing one generator across threads. */
#ifndef MOSAIC_RNG_H
#define MOSAIC_RNG_H

#include <math.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t s[4];
} MosaicRng;

static inline uint64_t mosaic_splitmix64_(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void mosaic_rng_seed(MosaicRng *rng, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = mosaic_splitmix64_(&x);
}

/* A generator for (seed, stream): independent of the order in which streams are created, so a
 * parallel loop gives the same numbers whatever the thread count. */
static inline void mosaic_rng_derive(MosaicRng *rng, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
    uint64_t mixed = mosaic_splitmix64_(&x);
    mosaic_rng_seed(rng, mixed ^ stream);
}

static inline uint64_t mosaic_rng_rotl_(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t mosaic_rng_u64(MosaicRng *rng) {
    uint64_t *s = rng->s;
    uint64_t result = mosaic_rng_rotl_(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = mosaic_rng_rotl_(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double mosaic_rng_uniform(MosaicRng *rng) {
    return (double)(mosaic_rng_u64(rng) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n), unbiased (Lemire's method). n > 0. */
static inline uint64_t mosaic_rng_below(MosaicRng *rng, uint64_t n) {
    uint64_t x = mosaic_rng_u64(rng);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            x = mosaic_rng_u64(rng);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Standard normal (Box-Muller; the second value is discarded to keep the state a pure function of the
 * number of draws). */
static inline double mosaic_rng_normal(MosaicRng *rng) {
    double u1 = mosaic_rng_uniform(rng);
    double u2 = mosaic_rng_uniform(rng);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

#ifdef __cplusplus
}
#endif
#endif
