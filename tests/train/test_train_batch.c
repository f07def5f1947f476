/* The trainer's batch gradient is its definition: the batch cut into GRAD_CHUNKS_ chunks, each chunk the
 * sum of sample_backward over its samples in order, then the chunks in order. The engine fills the
 * backward lanes from pairs of chunks (odd chunk counts, short chunks, batches shorter than the lanes);
 * a sample dropped or counted twice there would still give deterministic runs, so this compares whole
 * epochs against the trainer's one-sample-at-a-time reference path, bit for bit. */
#include <stdlib.h>
#include <string.h>

#include "mosaic_test.h"
#include "mosaic_trainer.h"
#include "mosaic_trainer_internal.h"

static MosaicTrainer *make_(int method, int k, int batch, int fr_neuron, int threads, double surrogate) {
    MosaicTrainConfig c;
    MosaicArch a;
    MosaicErr err;
    mosaic_arch_default(&a);
    a.rows = 3, a.cols = 3, a.neurons_per_tile = k;
    mosaic_train_config_default(&c);
    c.method = method;
    c.seed = 7;
    c.threads = threads;
    c.inputs = 2 * k, c.classes = 4, c.steps = 20;
    c.epochs = 2, c.batch = batch, c.lr = 1e-2, c.lr_end = 1e-3;
    strcpy(c.profile, "1:0.6,3:0.3");
    c.prune_min_strong = k / 4;
    c.lambda_fr = 1, c.target_fr = 1;
    c.fr_mode = fr_neuron ? MOSAIC_RATE_NEURON : MOSAIC_RATE_POPULATION;
    c.surrogate = surrogate;
    MosaicTrainer *tr;
    if (mosaic_trainer_create(&tr, &c, &a, &err)) return printf("%s\n", err.msg), NULL;
    return tr;
}

static int same_weights_(const MosaicNetwork *x, const MosaicNetwork *y) {
    const int k = x->arch.neurons_per_tile, tiles = x->arch.rows * x->arch.cols;
    return x->n_links == y->n_links &&
           !memcmp(x->w_in, y->w_in, sizeof(float) * (size_t)x->n_input_tiles * k * k) &&
           !memcmp(x->w_intra, y->w_intra, sizeof(float) * (size_t)tiles * k * k) &&
           !memcmp(x->link_src, y->link_src, sizeof(int32_t) * (size_t)x->n_links) &&
           !memcmp(x->link_dst, y->link_dst, sizeof(int32_t) * (size_t)x->n_links) &&
           !memcmp(x->link_w, y->link_w, sizeof(float) * (size_t)x->n_links * k);
}

int main(int argc, char **argv) {
    (void)argc, (void)argv;
    MosaicErr err;
    /* Batch sizes: more chunks than lanes per chunk, an odd chunk count left over (5 < 8 chunks),
     * chunks of unequal length, one chunk per sample, a final short batch (97 % 40). */
    static const int batches[] = {64, 40, 13, 5, 37, 97};
    struct {
        int method, k, fr_neuron, threads;
        double surrogate; /* the vector LIF backward reads it too */
    } const cases[] = {{MOSAIC_METHOD_ROUTING_AWARE, 32, 0, 1, MOSAIC_SURROGATE_REFERENCE},
                       {MOSAIC_METHOD_ROUTING_AWARE, 8, 1, 2, MOSAIC_SURROGATE_REFERENCE},
                       {MOSAIC_METHOD_DEEPR, 32, 0, 2, 2.5},
                       {MOSAIC_METHOD_DENSE, 12, 0, 1, MOSAIC_SURROGATE_REFERENCE}};
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const int k = cases[ci].k;
        MosaicSpikeSet train;
        CHECK(mosaic_spikeset_synthetic(&train, 97, 20, 2 * k, 4, 5, 10, &err) == MOSAIC_OK);
        for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
            char name[160];
            snprintf(name, sizeof name, "%sK%dBatch%dRate%sThreads%dSurrogate%gEqualsSampleBySample",
                     mosaic_train_method_name(cases[ci].method), k, batches[bi],
                     cases[ci].fr_neuron ? "PerNeuron" : "Population", cases[ci].threads,
                     cases[ci].surrogate);
            TEST(name) {
                MosaicTrainer *eng = make_(cases[ci].method, k, batches[bi], cases[ci].fr_neuron,
                                           cases[ci].threads, cases[ci].surrogate);
                MosaicTrainer *ref = make_(cases[ci].method, k, batches[bi], cases[ci].fr_neuron,
                                           cases[ci].threads, cases[ci].surrogate);
                MosaicTrainer *init =
                    make_(cases[ci].method, k, batches[bi], cases[ci].fr_neuron, 1, cases[ci].surrogate);
                CHECK(eng && ref && init);
                if (!eng || !ref || !init) continue;
                ref->reference_backward = 1;
                MosaicTrainEpoch row;
                for (int e = 0; e < 2; e++) {
                    CHECK(mosaic_trainer_epoch(eng, &train, NULL, &row, &err) == MOSAIC_OK);
                    CHECK(mosaic_trainer_epoch(ref, &train, NULL, &row, &err) == MOSAIC_OK);
                }
                /* The comparison means something only if training moved the weights. */
                CHECK(!same_weights_(mosaic_trainer_network(eng), mosaic_trainer_network(init)));
                CHECK(same_weights_(mosaic_trainer_network(eng), mosaic_trainer_network(ref)));
                mosaic_trainer_free(eng), mosaic_trainer_free(ref), mosaic_trainer_free(init);
            }
        }
        mosaic_spikeset_free(&train);
    }
    return mosaic_test_finish();
}
