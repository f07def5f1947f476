/* Reproducibility: a run resumed from a checkpoint equals an uninterrupted one bit for bit, and the
 * thread count does not change any result. Also: bad configs are rejected with messages naming the key. */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "mosaic_test.h"
#include "mosaic_trainer.h"

static void small_(MosaicTrainConfig *c, MosaicArch *a, int method, int64_t seed) {
    mosaic_arch_default(a);
    a->rows = 3, a->cols = 3, a->neurons_per_tile = 8;
    mosaic_train_config_default(c);
    c->method = method;
    c->seed = seed;
    c->inputs = 16, c->classes = 4, c->steps = 20;
    c->epochs = 3, c->batch = 16, c->lr = 1e-2, c->lr_end = 1e-3;
    strcpy(c->profile, "1:0.6,3:0.3,5:0.2");
    c->prune_min_strong = 5;
    c->lambda_fr = 1, c->target_fr = 1;
    c->weight_noise = method == 3 ? 0.05 : -1; /* noise on for dense too: its stream must resume as well */
    c->rewire_every = method == 0 ? 2 : 0;     /* routing-aware: the streams of mid-epoch rewirings too */
}

/* Same network, same link order and the same history apart from wall-clock fields. The optimiser
 * state is covered too: the last epoch of both runs used it, so any difference shows in the weights. */
static int same_state_(const MosaicTrainer *a, const MosaicTrainer *b) {
    const MosaicNetwork *x = mosaic_trainer_network(a), *y = mosaic_trainer_network(b);
    const int k = x->arch.neurons_per_tile, tiles = x->arch.rows * x->arch.cols;
    if (x->n_links != y->n_links || x->n_links == 0) return 0;
    if (memcmp(x->w_in, y->w_in, sizeof(float) * x->n_input_tiles * k * k) ||
        memcmp(x->w_intra, y->w_intra, sizeof(float) * tiles * k * k) ||
        memcmp(x->link_src, y->link_src, sizeof(int32_t) * x->n_links) ||
        memcmp(x->link_dst, y->link_dst, sizeof(int32_t) * x->n_links) ||
        memcmp(x->link_w, y->link_w, sizeof(float) * x->n_links * k))
        return 0;
    const MosaicTrainEpoch *h1, *h2;
    int n1 = mosaic_trainer_history(a, &h1), n2 = mosaic_trainer_history(b, &h2);
    if (n1 != n2) return 0;
    for (int i = 0; i < n1; i++) {
        MosaicTrainEpoch r1 = h1[i], r2 = h2[i];
        r1.samples_per_s = r2.samples_per_s = r1.seconds = r2.seconds = 0;
        if (memcmp(&r1, &r2, sizeof r1)) return 0;
    }
    return 1;
}

static MosaicTrainer *run_(int method, int64_t seed, int epochs, int threads, const MosaicSpikeSet *tr_set,
                           const MosaicSpikeSet *te_set, const char *resume_path, int stop_after) {
    MosaicTrainConfig cfg;
    MosaicArch arch;
    MosaicErr err;
    small_(&cfg, &arch, method, seed);
    cfg.threads = threads;
    cfg.epochs = epochs;
    MosaicTrainer *tr;
    if (mosaic_trainer_create(&tr, &cfg, &arch, &err)) return printf("%s\n", err.msg), NULL;
    if (resume_path && mosaic_trainer_load(tr, resume_path, &err)) return printf("%s\n", err.msg), NULL;
    MosaicTrainEpoch row;
    while (mosaic_trainer_epochs_done(tr) < (stop_after ? stop_after : epochs))
        if (mosaic_trainer_epoch(tr, tr_set, te_set, &row, &err)) return printf("%s\n", err.msg), NULL;
    return tr;
}

int main(int argc, char **argv) {
    int64_t seed = (int64_t)mosaic_test_seed(argc, argv, 52);
    MosaicErr err;
    MosaicSpikeSet train, test;
    CHECK(mosaic_spikeset_synthetic(&train, 96, 20, 16, 4, 5, 10, &err) == MOSAIC_OK);
    CHECK(mosaic_spikeset_synthetic(&test, 32, 20, 16, 4, 5, 11, &err) == MOSAIC_OK);

    for (int method = 0; method < 4; method++) {
        char name[128];
        snprintf(name, sizeof name, "%sResumedRunEqualsUninterruptedRun", mosaic_train_method_name(method));
        TEST(name) {
            MosaicTrainer *full = run_(method, seed, 3, 0, &train, &test, NULL, 0);
            MosaicTrainer *half = run_(method, seed, 3, 0, &train, &test, NULL, 1);
            CHECK(full && half);
            if (!full || !half) continue;
            CHECK(mosaic_trainer_save(half, "resume_mid.ckpt", NULL, &err) == MOSAIC_OK);
            mosaic_trainer_free(half);
            MosaicTrainer *resumed = run_(method, seed, 3, 0, &train, &test, "resume_mid.ckpt", 0);
            remove("resume_mid.ckpt");
            CHECK(resumed != NULL);
            if (resumed) {
                CHECK(same_state_(full, resumed));
                const MosaicTrainEpoch *h1, *h2;
                int n1 = mosaic_trainer_history(full, &h1), n2 = mosaic_trainer_history(resumed, &h2);
                CHECK_EQ_INT(n1, n2);
                CHECK(n1 == n2 && h1[n1 - 1].loss == h2[n2 - 1].loss &&
                      h1[n1 - 1].test_acc == h2[n2 - 1].test_acc);
            }
            mosaic_trainer_free(resumed);
            mosaic_trainer_free(full);
        }
    }

    TEST("ThreadCountDoesNotChangeResults") {
        MosaicTrainer *one = run_(0, seed, 2, 1, &train, &test, NULL, 0);
        MosaicTrainer *two = run_(0, seed, 2, 2, &train, &test, NULL, 0);
        MosaicTrainer *three = run_(0, seed, 2, 3, &train, &test, NULL, 0);
        CHECK(one && two && three);
        if (one && two && three) {
            CHECK(same_state_(one, two));
            CHECK(same_state_(one, three));
        }
        mosaic_trainer_free(one), mosaic_trainer_free(two), mosaic_trainer_free(three);
    }

    TEST("DifferentSeedsGiveDifferentRuns") {
        MosaicTrainer *a = run_(0, seed, 1, 0, &train, &test, NULL, 0);
        MosaicTrainer *b = run_(0, seed + 1, 1, 0, &train, &test, NULL, 0);
        CHECK(a && b && !same_state_(a, b));
        mosaic_trainer_free(a), mosaic_trainer_free(b);
    }

    TEST("CheckpointOfAnotherConfigIsRejected") {
        MosaicTrainer *a = run_(0, seed, 1, 0, &train, &test, NULL, 0);
        CHECK(a && mosaic_trainer_save(a, "resume_other.ckpt", NULL, &err) == MOSAIC_OK);
        MosaicTrainConfig cfg;
        MosaicArch arch;
        small_(&cfg, &arch, 3, seed);
        MosaicTrainer *b;
        CHECK(mosaic_trainer_create(&b, &cfg, &arch, &err) == MOSAIC_OK);
        CHECK(mosaic_trainer_load(b, "resume_other.ckpt", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "method") != NULL);
        printf("  %s\n", err.msg);
        CHECK(mosaic_trainer_load(b, "does/not/exist.ckpt", &err) == MOSAIC_ERR_IO);
        remove("resume_other.ckpt");
        mosaic_trainer_free(a), mosaic_trainer_free(b);
    }

    TEST("BadConfigsAreRejectedWithTheirKey") {
        static const struct {
            const char *set, *key;
        } bad[] = {
            {"train.method=sparse", "train.method"},
            {"train.batch=0", "train.batch"},
            {"train.lr=-1", "train.lr"},
            {"train.rewire.profile=2:0.5", "profile"},
            {"train.rewire.profile=1:1.5", "profile"},
            {"train.data.inputs=1000", "train.data.inputs"},
            {"train.data.classes=40", "train.data.classes"},
            {"train.lr_end=0.1", "train.lr_end"},
            {"train.neuron.tau_ms=abc", "train.neuron.tau_ms"},
            {"train.data.source=shd", "train.data.train"},
            {"train.no_such_key=1", "no_such_key"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            MosaicArch arch;
            MosaicTrainConfig cfg;
            mosaic_arch_default(&arch);
            mosaic_train_config_default(&cfg);
            MosaicCfgSection sec[2] = {mosaic_arch_config_section(&arch), mosaic_train_config_section(&cfg)};
            MosaicStatus st = mosaic_cfg_set(bad[i].set, sec, 2, &err);
            if (st == MOSAIC_OK) st = mosaic_train_config_validate(&cfg, &arch, "--set", &err);
            CHECK(st == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, bad[i].key) != NULL);
            printf("  %-32s -> %s\n", bad[i].set, err.msg);
        }
        MosaicArch arch;
        MosaicTrainConfig cfg;
        mosaic_arch_default(&arch);
        mosaic_train_config_default(&cfg);
        CHECK(mosaic_train_config_validate(&cfg, &arch, "defaults", &err) == MOSAIC_OK);
    }
    mosaic_spikeset_free(&train);
    mosaic_spikeset_free(&test);
    return mosaic_test_finish();
}
