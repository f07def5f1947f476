#define _POSIX_C_SOURCE 200809L
#include "mosaic_train_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_files.h"
#include "mosaic_shd.h"

/* ---------------------------------------------------------------------------------------------
 * Config and data
 * ------------------------------------------------------------------------------------------- */

#define RUN_MAX_SECTIONS 8

static int sections_(MosaicArch *arch, MosaicTrainConfig *cfg, const MosaicCfgSection *extra, int n_extra,
                     MosaicCfgSection *sec) {
    int n = 0;
    sec[n++] = mosaic_arch_config_section(arch);
    sec[n++] = mosaic_train_config_section(cfg);
    for (int i = 0; i < n_extra && n < RUN_MAX_SECTIONS; i++) sec[n++] = extra[i];
    return n;
}

MosaicStatus mosaic_train_load_config(const char *path, const char *const *sets, int nsets, MosaicArch *arch,
                                      MosaicTrainConfig *cfg, const MosaicCfgSection *extra, int n_extra,
                                      MosaicErr *err) {
    mosaic_arch_default(arch);
    mosaic_train_config_default(cfg);
    MosaicCfgSection sec[RUN_MAX_SECTIONS];
    int ns = sections_(arch, cfg, extra, n_extra, sec);
    if (path) MOSAIC_TRY(mosaic_cfg_load_file(path, sec, (size_t)ns, err));
    for (int i = 0; i < nsets; i++) MOSAIC_TRY(mosaic_cfg_set(sets[i], sec, (size_t)ns, err));
    /* a cross-key check may fail on a value --set gave: name both places */
    char src[4200];
    snprintf(src, sizeof src, "%s%s%s", path ? path : "", path && nsets ? " with " : "",
             nsets || !path ? "--set" : "");
    MOSAIC_TRY(mosaic_arch_validate(arch, src, err));
    return mosaic_train_config_validate(cfg, arch, src, err);
}

char *mosaic_train_config_yaml(MosaicArch *arch, MosaicTrainConfig *cfg, const MosaicCfgSection *extra,
                               int n_extra) {
    MosaicCfgSection sec[RUN_MAX_SECTIONS];
    int ns = sections_(arch, cfg, extra, n_extra, sec);
    char *body = mosaic_cfg_to_string(sec, (size_t)ns);
    if (!body) return NULL;
    const size_t head = strlen(MOSAIC_RUN_CONFIG_MARK), len = strlen(body);
    char *text = malloc(head + len + 1);
    if (text) memcpy(text, MOSAIC_RUN_CONFIG_MARK, head), memcpy(text + head, body, len + 1);
    free(body);
    return text;
}

/* The test set must be laid out like the training set: the same channel count (the stride that reduces
 * units to inputs is computed from it, so another count maps channels differently) and the same class
 * names in the same order (labels are indices into them). Otherwise every score is meaningless. When
 * the training file cannot be opened (a run evaluated after its data moved), there is nothing to check. */
MosaicStatus mosaic_train_check_data_layout(const char *train_path, const char *test_path, MosaicErr *err) {
    MosaicShd *a = NULL, *b = NULL;
    MosaicErr ignored;
    if (mosaic_shd_open(train_path, &a, &ignored) != MOSAIC_OK) return MOSAIC_OK;
    MosaicStatus st = mosaic_shd_open(test_path, &b, err);
    if (st == MOSAIC_OK && mosaic_shd_num_units(a) != mosaic_shd_num_units(b))
        st = mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: %d channels (root attribute n_units); expected %d like the training set %s, whose "
            "channels map onto the inputs",
            test_path, mosaic_shd_num_units(b), mosaic_shd_num_units(a), train_path);
    for (int k = 0; st == MOSAIC_OK && k < mosaic_shd_num_classes(a) && k < mosaic_shd_num_classes(b); k++)
        if (strcmp(mosaic_shd_class_name(a, k), mosaic_shd_class_name(b, k)) != 0)
            st = mosaic_err(err, MOSAIC_ERR_INPUT,
                            "%s: /extra/keys: class %d is '%s'; expected '%s' like the training set %s",
                            test_path, k, mosaic_shd_class_name(b, k), mosaic_shd_class_name(a, k),
                            train_path);
    mosaic_shd_close(a);
    mosaic_shd_close(b);
    return st;
}

MosaicStatus mosaic_train_load_data(const MosaicTrainConfig *c, const char *test_override,
                                    MosaicSpikeSet *train, MosaicSpikeSet *test, MosaicErr *err) {
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    const int synthetic =
        test_override ? !strcmp(test_override, "synthetic") : c->data_source == MOSAIC_DATA_SYNTHETIC;
    if (synthetic) {
        if (!test_override)
            MOSAIC_TRY(mosaic_spikeset_synthetic(train, c->synth_train, c->steps, c->inputs, c->classes,
                                                 (uint64_t)c->synth_seed, (uint64_t)c->synth_seed * 2 + 1,
                                                 err));
        return mosaic_spikeset_synthetic(test, c->synth_test, c->steps, c->inputs, c->classes,
                                         (uint64_t)c->synth_seed, (uint64_t)c->synth_seed * 2 + 2, err);
    }
    const char *test_path = test_override ? test_override : c->data_test;
    MOSAIC_TRY(mosaic_train_check_data_layout(c->data_train, test_path, err));
    if (!test_override)
        MOSAIC_TRY(mosaic_spikeset_load_shd_offsets(train, c->data_train, c->steps, c->window_s, c->inputs,
                                                    c->classes, c->data_offsets, err));
    return mosaic_spikeset_load_shd(test, test_path, c->steps, c->window_s, c->inputs, c->classes, err);
}

/* ---------------------------------------------------------------------------------------------
 * History
 * ------------------------------------------------------------------------------------------- */

MosaicStatus mosaic_train_write_history_csv(const char *path, const MosaicTrainEpoch *rows, int n, int max_d,
                                            MosaicErr *err) {
    char *s = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&s, &len);
    if (!m) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    fprintf(m, "epoch,lr,loss,train_acc,test_acc,test_loss,rate,pruned,grown,shortfall,params,links");
    for (int d = 1; d <= max_d && d < MOSAIC_TRAIN_MAX_D; d += 2) fprintf(m, ",gamma_d%d", d);
    fprintf(m, ",samples_per_s,seconds\n");
    for (int r = 0; r < n; r++) {
        const MosaicTrainEpoch *e = rows + r;
        /* epochs count from 1 here, as on the console, in hardware.csv and in checkpoint names */
        fprintf(m, "%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%lld,%lld,%lld,%lld,%lld", e->epoch + 1, e->lr, e->loss,
                e->train_acc, e->test_acc, e->test_loss, e->rate, (long long)e->pruned, (long long)e->grown,
                (long long)e->shortfall, (long long)e->params, (long long)e->links);
        for (int d = 1; d <= max_d && d < MOSAIC_TRAIN_MAX_D; d += 2)
            fprintf(m, ",%lld", (long long)e->gamma[d]);
        fprintf(m, ",%.6g,%.6g\n", e->samples_per_s, e->seconds);
    }
    if (fclose(m) != 0 || !s) {
        free(s);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    }
    MosaicStatus st = mosaic_write_text_atomic(path, s, err);
    free(s);
    return st;
}

MosaicStatus mosaic_train_write_history_h5(MosaicH5File *f, const MosaicTrainEpoch *rows, int n,
                                           MosaicErr *err) {
    MosaicStatus st = MOSAIC_OK;
    double *col = malloc(sizeof(double) * (size_t)(n ? n : 1));
    int64_t *gam = malloc(sizeof(int64_t) * (size_t)(n ? n : 1) * MOSAIC_TRAIN_MAX_D);
    if (!col || !gam) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", mosaic_h5_path(f));
    const int64_t dims[2] = {n, MOSAIC_TRAIN_MAX_D};
#define COL_(name, expr, units, desc)                                                                        \
    if (st == MOSAIC_OK) {                                                                                   \
        for (int r = 0; r < n; r++) col[r] = (double)(rows[r].expr);                                         \
        st = mosaic_h5_write(f, "history/" name, MOSAIC_H5_F64, 1, dims, col, units, desc, err);             \
    }
    COL_("epoch", epoch + 1, "1", "epochs done after this row: 1 for the first, as in hardware.csv")
    COL_("lr", lr, "1", "Adam learning rate of the epoch")
    COL_("loss", loss, "nats", "mean training loss (cross-entropy + firing-rate term + penalties)")
    COL_("train_acc", train_acc, "1", "training accuracy during the epoch")
    COL_("test_acc", test_acc, "1", "test accuracy after the epoch")
    COL_("test_loss", test_loss, "nats", "test cross-entropy after the epoch")
    COL_("rate", rate, "spikes/neuron/step", "mean activity on the training set")
    COL_("pruned", pruned, "links", "links pruned by the epoch's rewirings")
    COL_("grown", grown, "links", "links grown by the epoch's rewirings")
    COL_("shortfall", shortfall, "links",
         "budget slots left empty after the epoch's last rewiring (no admissible candidate); deepr: "
         "synapses of its budget the closed loop's hardware left no slot for")
    COL_("params", params, "weights", "active weights")
    COL_("links", links, "links", "links with a non-zero weight")
    COL_("samples_per_s", samples_per_s, "samples/s", "training throughput")
    COL_("seconds", seconds, "s", "wall time of the epoch incl. rewiring and test")
#undef COL_
    if (st == MOSAIC_OK) {
        for (int r = 0; r < n; r++)
            memcpy(gam + (size_t)r * MOSAIC_TRAIN_MAX_D, rows[r].gamma, sizeof rows[r].gamma);
        st = mosaic_h5_write(f, "history/gamma", MOSAIC_H5_I64, 2, dims, gam, "links",
                             "links per distance gamma_d (column d; even columns are 0), the mapping proxy",
                             err);
    }
    free(col), free(gam);
    return st;
}
