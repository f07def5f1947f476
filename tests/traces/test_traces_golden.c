/* Golden files written by h5py (tests/traces/golden/make_golden.py), i.e. by the tools the official
 * SHD files come from, not by our writer: the reader must see exactly the documented content. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "mosaic_bins.h"
#include "mosaic_shd.h"
#include "mosaic_test.h"

static void check_golden_(const char *path) {
    MosaicErr err;
    MosaicShd *shd;
    CHECK(mosaic_shd_open(path, &shd, &err) == MOSAIC_OK);
    if (!shd) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    CHECK_EQ_INT(mosaic_shd_num_samples(shd), 3);
    CHECK_EQ_INT(mosaic_shd_num_classes(shd), 3);
    CHECK(!strcmp(mosaic_shd_class_name(shd, 0), "zero") && !strcmp(mosaic_shd_class_name(shd, 2), "two"));
    CHECK(!strcmp(mosaic_shd_times_type(shd), "float16")); /* h5py's half is recognised as IEEE binary16 */
    MosaicSpikes sp = {0};
    for (int i = 0; i < 3; i++) {
        CHECK(mosaic_shd_read_sample(shd, i, &sp, &err) == MOSAIC_OK);
        CHECK_EQ_INT(sp.n, 3);
        const float want_t[3] = {0.125f * (i + 1), 0.25f * (i + 1), 0.5f * (i + 1)};
        const int32_t want_u[3] = {i, 350 + i, 699};
        for (int k = 0; k < 3 && sp.n == 3; k++) {
            CHECK(sp.times[k] == want_t[k]);
            CHECK_EQ_INT(sp.units[k], want_u[k]);
        }
        CHECK_EQ_INT(mosaic_shd_label(shd, i), i);
    }
    CHECK(mosaic_shd_speaker(shd, 0) == 4 && mosaic_shd_speaker(shd, 2) == 7);
    /* and through the reference view: unit 699 of sample 2 at 1.5 s is past the window */
    MosaicBinSpec spec;
    mosaic_bin_spec_default(&spec);
    MosaicBins *b;
    CHECK(mosaic_bins_create(shd, &spec, &b, &err) == MOSAIC_OK);
    CHECK(mosaic_bins_preload(b, NULL, NULL, &err) == MOSAIC_OK);
    CHECK_EQ_INT(mosaic_bins_dropped(b), 1);
    mosaic_bins_free(b);
    mosaic_spikes_free(&sp);
    mosaic_shd_close(shd);
}

int main(void) {
    const char *src = getenv("MOSAIC_SOURCE_DIR");
    if (!src) {
        printf("skipped: MOSAIC_SOURCE_DIR is not set (run through ctest)\n");
        return MOSAIC_TEST_SKIPPED;
    }
    char path[1024];
    TEST("H5pyFixedKeysFileReadsAsDocumented") {
        snprintf(path, sizeof path, "%s/tests/traces/golden/shd_h5py_fixed_keys.h5", src);
        check_golden_(path);
    }
    TEST("H5pyVlenKeysGzipFileReadsAsDocumented") {
        snprintf(path, sizeof path, "%s/tests/traces/golden/shd_h5py_vlen_keys.h5.gz", src);
        check_golden_(path);
    }
    return mosaic_test_finish();
}
