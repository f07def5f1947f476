/* train.data.offsets (added for the quantised-rewiring sweeps, bench/quant/sweep.sh): a training set of
 * SHD-layout recordings keeps only the chosen stride offsets of every recording, spread over the channel
 * range, each kept sample equal to that view of the full set; the test set keeps every offset; more
 * offsets than the file has is an error naming the key. Random spikes (seed printed, --seed). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mosaic_rng.h"
#include "mosaic_shd.h"
#include "mosaic_test.h"
#include "mosaic_train_run.h"

static const char *classes_[3] = {"a", "b", "c"};

/* n recordings of 700 units over 1.4 s with random spikes, label i % 3. */
static int write_fixture_(const char *path, int n, MosaicRng *rng) {
    MosaicShdWriter *w;
    MosaicErr err;
    if (mosaic_shd_writer_begin(path, classes_, 3, 700, &w, &err) != MOSAIC_OK) return 0;
    float t[400];
    int32_t u[400];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < 400; j++) {
            t[j] = (float)(1.4 * j / 400.0);
            u[j] = (int32_t)mosaic_rng_below(rng, 700);
        }
        if (mosaic_shd_writer_add(w, t, u, 400, i % 3, 1, &err) != MOSAIC_OK) return 0;
    }
    return mosaic_shd_writer_finish(w, &err) == MOSAIC_OK;
}

/* Sample a of set A and sample b of set B have the same label and the same spikes. */
static int same_sample_(const MosaicSpikeSet *A, int a, const MosaicSpikeSet *B, int b) {
    if (A->label[a] != B->label[b]) return 0;
    const int32_t *sa = mosaic_spikeset_steps(A, a), *sb = mosaic_spikeset_steps(B, b);
    if (memcmp(sa, sb, sizeof(int32_t) * (size_t)(A->steps + 1))) return 0;
    return !memcmp(mosaic_spikeset_chans(A, a), mosaic_spikeset_chans(B, b),
                   sizeof(int32_t) * (size_t)sa[A->steps]);
}

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 42);
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, 1);
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_quant_offsets_%d.h5", (int)getpid());
    CHECK(write_fixture_(path, 4, &rng));
    MosaicErr err;

    TEST("KeptOffsetsAreThoseViewsOfTheFullSet") {
        MosaicSpikeSet all, two, three;
        CHECK(mosaic_spikeset_load_shd(&all, path, 100, 1.4, 128, 3, &err) == MOSAIC_OK);
        CHECK_EQ_INT(all.n, 4 * 6); /* 700 units / 128 channels: stride 6 */
        CHECK(mosaic_spikeset_load_shd_offsets(&two, path, 100, 1.4, 128, 3, 2, &err) == MOSAIC_OK);
        CHECK_EQ_INT(two.n, 4 * 2);
        for (int r = 0; r < 4; r++) { /* offsets 0 and 3 */
            CHECK(same_sample_(&two, 2 * r, &all, 6 * r + 0));
            CHECK(same_sample_(&two, 2 * r + 1, &all, 6 * r + 3));
        }
        CHECK(!same_sample_(&two, 1, &all, 1)); /* offset 1 differs (the check can fail) */
        CHECK(mosaic_spikeset_load_shd_offsets(&three, path, 100, 1.4, 128, 3, 3, &err) == MOSAIC_OK);
        for (int r = 0; r < 4; r++)
            for (int i = 0; i < 3; i++) CHECK(same_sample_(&three, 3 * r + i, &all, 6 * r + 2 * i));
        mosaic_spikeset_free(&three);
        /* 6 of 6 is the full set. */
        CHECK(mosaic_spikeset_load_shd_offsets(&three, path, 100, 1.4, 128, 3, 6, &err) == MOSAIC_OK);
        CHECK_EQ_INT(three.n, all.n);
        for (int s = 0; s < all.n; s++) CHECK(same_sample_(&three, s, &all, s));
        mosaic_spikeset_free(&three);
        mosaic_spikeset_free(&all), mosaic_spikeset_free(&two);
    }

    TEST("TheConfigKeyCutsTheTrainingSetOnly") {
        MosaicTrainConfig c;
        mosaic_train_config_default(&c);
        MosaicCfgSection sec = mosaic_train_config_section(&c);
        char set[128];
        CHECK(mosaic_cfg_set("train.data.source=shd", &sec, 1, &err) == MOSAIC_OK);
        snprintf(set, sizeof set, "train.data.train=%s", path);
        CHECK(mosaic_cfg_set(set, &sec, 1, &err) == MOSAIC_OK);
        snprintf(set, sizeof set, "train.data.test=%s", path);
        CHECK(mosaic_cfg_set(set, &sec, 1, &err) == MOSAIC_OK);
        CHECK(mosaic_cfg_set("train.data.classes=3", &sec, 1, &err) == MOSAIC_OK);
        CHECK_EQ_INT(c.data_offsets, 0);
        CHECK(mosaic_cfg_set("train.data.offsets=2", &sec, 1, &err) == MOSAIC_OK);
        MosaicSpikeSet train, test;
        CHECK(mosaic_train_load_data(&c, NULL, &train, &test, &err) == MOSAIC_OK);
        CHECK_EQ_INT(train.n, 8);
        CHECK_EQ_INT(test.n, 24);
        mosaic_spikeset_free(&train), mosaic_spikeset_free(&test);
        c.data_offsets = 7;
        CHECK(mosaic_train_load_data(&c, NULL, &train, &test, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "train.data.offsets") != NULL && strstr(err.msg, path) != NULL);
        printf("  %s\n", err.msg);
        CHECK(mosaic_cfg_set("train.data.offsets=-1", &sec, 1, &err) == MOSAIC_ERR_INPUT);
    }
    unlink(path);
    return mosaic_test_finish();
}
