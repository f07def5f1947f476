/* mosaic_test: the tiny test harness every C/C++ unit test uses.
 *
 * A test program is a main() that runs TEST blocks; each CHECK that fails prints file:line and the
 * expression and marks the run failed; the exit status is the verdict (CTest reads it). Randomised
 * tests take their seed from `--seed N` (or MOSAIC_TEST_SEED) and print it, so any failure can be
 * replayed. */
#ifndef MOSAIC_TEST_H
#define MOSAIC_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mosaic_test_failures_ = 0;
static int mosaic_test_skips_ = 0;
static int mosaic_test_checks_ = 0;
static const char *mosaic_test_current_ = "";

#define TEST(name)                                                                                           \
    for (int once_ = (mosaic_test_current_ = (name), printf("[ RUN  ] %s\n", name), 1); once_; once_ = 0)

#define CHECK(expr)                                                                                          \
    do {                                                                                                     \
        mosaic_test_checks_++;                                                                               \
        if (!(expr)) {                                                                                       \
            mosaic_test_failures_++;                                                                         \
            fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n", __FILE__, __LINE__, mosaic_test_current_,      \
                    #expr);                                                                                  \
        }                                                                                                    \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                                   \
    do {                                                                                                     \
        long long a_ = (long long)(a), b_ = (long long)(b);                                                  \
        mosaic_test_checks_++;                                                                               \
        if (a_ != b_) {                                                                                      \
            mosaic_test_failures_++;                                                                         \
            fprintf(stderr, "%s:%d: [%s] CHECK_EQ_INT failed: %s = %lld, %s = %lld\n", __FILE__, __LINE__,   \
                    mosaic_test_current_, #a, a_, #b, b_);                                                   \
        }                                                                                                    \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                \
    do {                                                                                                     \
        double a_ = (double)(a), b_ = (double)(b);                                                           \
        mosaic_test_checks_++;                                                                               \
        if (!(fabs(a_ - b_) <= (tol))) {                                                                     \
            mosaic_test_failures_++;                                                                         \
            fprintf(stderr, "%s:%d: [%s] CHECK_NEAR failed: %s = %.10g, %s = %.10g (tol %g)\n", __FILE__,    \
                    __LINE__, mosaic_test_current_, #a, a_, #b, b_, (double)(tol));                          \
        }                                                                                                    \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                                   \
    do {                                                                                                     \
        const char *a_ = (a), *b_ = (b);                                                                     \
        mosaic_test_checks_++;                                                                               \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                             \
            mosaic_test_failures_++;                                                                         \
            fprintf(stderr, "%s:%d: [%s] CHECK_EQ_STR failed: %s =\n%s\n%s =\n%s\n", __FILE__, __LINE__,     \
                    mosaic_test_current_, #a, a_ ? a_ : "(null)", #b, b_ ? b_ : "(null)");                   \
        }                                                                                                    \
    } while (0)

/* Inside a TEST: says why it cannot run here and leaves it. A program that skipped anything (and failed
 * nothing) exits with MOSAIC_TEST_SKIPPED, which CTest reports as "Skipped" (SKIP_RETURN_CODE), so a
 * missing program or data set shows in the summary instead of passing quietly. */
#define MOSAIC_TEST_SKIPPED 77
#define SKIP(why)                                                                                            \
    {                                                                                                        \
        printf("skipped: %s\n", why);                                                                        \
        mosaic_test_skips_++;                                                                                \
        break;                                                                                               \
    }

/* Seed from --seed N, else MOSAIC_TEST_SEED, else `fallback`; printed for replay. */
static inline uint64_t mosaic_test_seed(int argc, char **argv, uint64_t fallback) {
    uint64_t seed = fallback;
    const char *env = getenv("MOSAIC_TEST_SEED");
    if (env) seed = strtoull(env, NULL, 10);
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--seed") == 0) seed = strtoull(argv[i + 1], NULL, 10);
    printf("seed %llu (replay with --seed %llu)\n", (unsigned long long)seed, (unsigned long long)seed);
    return seed;
}

static inline int mosaic_test_finish(void) {
    printf("%d checks, %d failed%s\n", mosaic_test_checks_, mosaic_test_failures_,
           mosaic_test_skips_ ? ", some skipped (see above)" : "");
    if (mosaic_test_failures_) return EXIT_FAILURE;
    return mosaic_test_skips_ ? MOSAIC_TEST_SKIPPED : EXIT_SUCCESS;
}

#endif
