/* The hardware-in-the-loop hooks: (a) new budgets are met exactly at the next rewiring, (b) a veto keeps
 * candidates out and the change callbacks mirror the link set, (c) a forced-out link stays out, (d) a
 * per-link penalty shrinks that link's weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_test.h"
#include "mosaic_trainer.h"

#define TILES 9
#define KN 8

static void small_(MosaicTrainConfig *c, MosaicArch *a, int64_t seed) {
    mosaic_arch_default(a);
    a->rows = 3, a->cols = 3, a->neurons_per_tile = KN;
    mosaic_train_config_default(c);
    c->seed = seed;
    c->inputs = 16, c->classes = 4, c->steps = 20;
    c->epochs = 3, c->batch = 16, c->lr = 3e-2, c->lr_end = 3e-2;
    strcpy(c->profile, "1:0.5,3:0.3,5:0.2");
    c->prune_min_strong = 6;
    c->lambda_fr = 1, c->target_fr = 1;
}

/* The mirror of the link set kept through on_add / on_remove, and a veto of every link into tile 4. */
static uint8_t mirror_[TILES * KN * TILES];
static int vetoed_;
static int veto_(void *ctx, int32_t src, int32_t dst) {
    (void)ctx, (void)src;
    if (dst == 4) return vetoed_++, 1;
    return 0;
}
static void on_add_(void *ctx, int32_t src, int32_t dst) {
    (void)ctx;
    if (mirror_[src * TILES + dst]) printf("  on_add of a present link %d -> %d\n", src, dst);
    mirror_[src * TILES + dst] = 1;
}
static void on_remove_(void *ctx, int32_t src, int32_t dst) {
    (void)ctx;
    mirror_[src * TILES + dst] = 0;
}
static int mirror_matches_(const MosaicNetwork *net) {
    uint8_t now[TILES * KN * TILES] = {0};
    for (int l = 0; l < net->n_links; l++) now[net->link_src[l] * TILES + net->link_dst[l]] = 1;
    return memcmp(now, mirror_, sizeof now) == 0;
}

static int32_t pen_src_ = -1, pen_dst_ = -1;
static double penalty_(void *ctx, int32_t src, int32_t dst) {
    (void)ctx;
    return src == pen_src_ && dst == pen_dst_ ? 50.0 : 0.0;
}

static int find_(const MosaicNetwork *net, int32_t src, int32_t dst) {
    for (int l = 0; l < net->n_links; l++)
        if (net->link_src[l] == src && net->link_dst[l] == dst) return l;
    return -1;
}

int main(int argc, char **argv) {
    int64_t seed = (int64_t)mosaic_test_seed(argc, argv, 62);
    MosaicErr err;
    MosaicSpikeSet train, test;
    CHECK(mosaic_spikeset_synthetic(&train, 64, 20, 16, 4, 5, 10, &err) == MOSAIC_OK);
    CHECK(mosaic_spikeset_synthetic(&test, 16, 20, 16, 4, 5, 11, &err) == MOSAIC_OK);
    MosaicTrainConfig cfg;
    MosaicArch arch;
    small_(&cfg, &arch, seed);
    MosaicTrainer *tr;
    CHECK(mosaic_trainer_create(&tr, &cfg, &arch, &err) == MOSAIC_OK);
    const MosaicNetwork *net = mosaic_trainer_network(tr);
    const int D = mosaic_trainer_max_distance(tr) + 1;
    MosaicTrainEpoch row;

    TEST("NewBudgetsAreMetExactlyAtTheNextRewiring") {
        int *b = malloc(sizeof(int) * TILES * D);
        memcpy(b, mosaic_trainer_budgets(tr), sizeof(int) * TILES * D);
        b[0 * D + 1] = 2;  /* tile 0: 2 neighbour links instead of 8 */
        b[2 * D + 3] += 3; /* tile 2: three more at distance 3 */
        b[4 * D + 5] = 0;  /* the centre: none at distance 5 */
        CHECK(mosaic_trainer_set_budgets(tr, b, &err) == MOSAIC_OK);
        CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
        MosaicStatus st = mosaic_trainer_check(tr, &err);
        if (st) printf("  %s\n", err.msg);
        CHECK(st == MOSAIC_OK);
        CHECK(memcmp(b, mosaic_trainer_budgets(tr), sizeof(int) * TILES * D) == 0);
        b[3 * D + 1] = 1000;
        CHECK(mosaic_trainer_set_budgets(tr, b, &err) == MOSAIC_ERR_INPUT);
        printf("  rejected: %s\n", err.msg);
        free(b);
    }

    TEST("VetoKeepsCandidatesOutAndCallbacksMirrorTheLinkSet") {
        memset(mirror_, 0, sizeof mirror_);
        for (int l = 0; l < net->n_links; l++) mirror_[net->link_src[l] * TILES + net->link_dst[l]] = 1;
        int into4_before = 0;
        for (int l = 0; l < net->n_links; l++) into4_before += net->link_dst[l] == 4;
        MosaicRewireHooks h = {veto_, on_add_, on_remove_, NULL};
        mosaic_trainer_set_hooks(tr, &h);
        for (int e = 0; e < 2; e++) {
            CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
            CHECK(mosaic_trainer_check(tr, &err) == MOSAIC_OK);
            CHECK(mirror_matches_(net));
        }
        int into4 = 0;
        for (int l = 0; l < net->n_links; l++) into4 += net->link_dst[l] == 4;
        printf("  links into tile 4: %d before, %d after; %d candidates vetoed; pruned %lld\n", into4_before,
               into4, vetoed_, (long long)row.pruned);
        CHECK(into4 <= into4_before);
        mosaic_trainer_set_hooks(tr, NULL);
    }

    TEST("ForcedOutLinkStaysOut") {
        CHECK(net->n_links > 0);
        int32_t src = net->link_src[0], dst = net->link_dst[0];
        int before = net->n_links;
        CHECK(mosaic_trainer_force_out(tr, src, dst, &err) == MOSAIC_OK);
        CHECK_EQ_INT(net->n_links, before - 1);
        CHECK(find_(net, src, dst) < 0);
        CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
        CHECK(find_(net, src, dst) < 0);
        CHECK(mosaic_trainer_check(tr, &err) == MOSAIC_OK);
        CHECK(mosaic_trainer_force_out(tr, 3, 0, &err) == MOSAIC_ERR_INPUT); /* neuron 3 is on tile 0 */
        mosaic_trainer_unban_all(tr);
    }

    TEST("PerLinkPenaltyShrinksThatLink") {
        /* A protected link (into the output tile) cannot be pruned while we watch it. */
        int l = -1;
        for (int i = 0; i < net->n_links && l < 0; i++)
            if (net->link_dst[i] == TILES - 1) l = i;
        CHECK(l >= 0);
        pen_src_ = net->link_src[l], pen_dst_ = net->link_dst[l];
        double before = 0, after = 0;
        for (int j = 0; j < KN; j++) before += fabs(net->link_w[l * KN + j]);
        mosaic_trainer_set_link_penalty(tr, penalty_, NULL);
        for (int e = 0; e < 4; e++) CHECK(mosaic_trainer_epoch(tr, &train, &test, &row, &err) == MOSAIC_OK);
        l = find_(net, pen_src_, pen_dst_);
        CHECK(l >= 0);
        for (int j = 0; l >= 0 && j < KN; j++) after += fabs(net->link_w[l * KN + j]);
        printf("  L1 of the penalised link: %.4f -> %.4f\n", before, after);
        CHECK(after < 0.5 * before);
        mosaic_trainer_set_link_penalty(tr, NULL, NULL);
    }

    TEST("HooksForDenseMethodsMaskInsteadOfRemoving") {
        MosaicTrainConfig c2;
        MosaicArch a2;
        small_(&c2, &a2, seed);
        c2.method = MOSAIC_METHOD_DEEPR;
        MosaicTrainer *d;
        CHECK(mosaic_trainer_create(&d, &c2, &a2, &err) == MOSAIC_OK);
        int b[TILES * 32] = {0};
        CHECK(mosaic_trainer_set_budgets(d, b, &err) == MOSAIC_ERR_INPUT);
        const MosaicNetwork *dn = mosaic_trainer_network(d);
        int32_t src = dn->link_src[5], dst = dn->link_dst[5];
        CHECK(mosaic_trainer_force_out(d, src, dst, &err) == MOSAIC_OK);
        CHECK(mosaic_trainer_check(d, &err) == MOSAIC_OK);
        CHECK(mosaic_trainer_epoch(d, &train, &test, &row, &err) == MOSAIC_OK);
        MosaicStatus st = mosaic_trainer_check(d, &err);
        if (st) printf("  %s\n", err.msg);
        CHECK(st == MOSAIC_OK);
        int l = find_(dn, src, dst);
        for (int j = 0; l >= 0 && j < KN; j++) CHECK(dn->link_w[l * KN + j] == 0);
        mosaic_trainer_free(d);
    }
    mosaic_trainer_free(tr);
    mosaic_spikeset_free(&train);
    mosaic_spikeset_free(&test);
    return mosaic_test_finish();
}
