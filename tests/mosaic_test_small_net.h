/* The small network most training-based tests share: k = 16 neurons per tile, 32 inputs, 4 classes of
 * the synthetic task, 30 steps, routing-aware at p1 0.5 / p3 0.1, a few epochs at a high learning rate
 * and the gentle firing-rate term. A test changes what it is about after the call. */
#ifndef MOSAIC_TEST_SMALL_NET_H
#define MOSAIC_TEST_SMALL_NET_H

#include <stdint.h>
#include <string.h>

#include "mosaic_arch.h"
#include "mosaic_train_config.h"

static inline void mosaic_test_small_net(MosaicTrainConfig *c, MosaicArch *a, int rows, int cols,
                                         uint64_t seed) {
    mosaic_arch_default(a);
    a->rows = rows, a->cols = cols, a->neurons_per_tile = 16;
    mosaic_train_config_default(c);
    c->method = MOSAIC_METHOD_ROUTING_AWARE;
    c->seed = (int64_t)seed;
    c->inputs = 32, c->classes = 4, c->steps = 30;
    c->epochs = 4, c->batch = 32, c->lr = 1e-2, c->lr_end = 3e-3;
    strcpy(c->profile, "1:0.5,3:0.1");
    c->prune_min_strong = 8;
    c->lambda_fr = 1, c->target_fr = 1;
}

#endif
