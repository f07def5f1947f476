#include "mosaic_train_config.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "mosaic_bptt.h"
#include "mosaic_profile.h"

void mosaic_train_config_default(MosaicTrainConfig *c) {
    memset(c, 0, sizeof *c);
    c->method = MOSAIC_METHOD_ROUTING_AWARE;
    c->seed = 42;
    c->epochs = 500;
    c->batch = 256;
    c->threads = 0;
    c->lr = 1e-3;
    c->lr_end = 1e-4;
    c->beta1 = 0.9;
    c->beta2 = 0.999;
    c->adam_eps = 1e-8;
    c->clip_norm = 1.0;
    c->weight_noise = -1;
    c->tau_ms = 45;
    c->dt_ms = 1;
    c->threshold = 1;
    c->surrogate = MOSAIC_SURROGATE_REFERENCE;
    c->steps = 100;
    c->window_s = 1.4;
    c->inputs = 128;
    c->classes = 20;
    c->lambda_fr = 10;
    c->target_fr = 5;
    c->init_in = 1.0;
    c->init_rec = 0.5;
    c->birth_min = 0.1;
    c->output_block = MOSAIC_OUTPUT_BLOCK_NONE;
    strcpy(c->profile, "1:0.8,3:0.1");
    c->prune_magnitude = 0.1;
    c->prune_min_strong = 20;
    c->hop_lambda = 1e-7;
    c->hop_rate = 8;
    c->hop_max_log = 15;
    c->hop_prune = 5e-4;
    c->hop_clip_sigma = 2.5;
    c->deepr_l1 = 1e-5;
    c->deepr_temperature = 1e-10;
    c->deepr_birth = 0.01;
    c->quant_levels = 0;
    c->quant_gmax = 1.0;
    c->quant_learn_gmax = 0;
    c->quant_fanin = 0;
    c->quant_fanin_mode = MOSAIC_QUANT_FANIN_SYNAPSES;
    c->quant_removal = MOSAIC_QUANT_REMOVE_L1;
    c->quant_target = -1;
    c->quant_temperature = 0;
    c->data_source = MOSAIC_DATA_SYNTHETIC;
    c->data_offsets = 0;
    c->synth_train = 2000;
    c->synth_test = 500;
    c->synth_seed = 1;
}

#define F_(key, type, field, lo, hi, choices, help)                                                          \
    { "train." key, type, offsetof(MosaicTrainConfig, field), lo, hi, choices, help, 0, 0 }

static const MosaicCfgField fields_[] = {
    F_("method", MOSAIC_CFG_ENUM, method, 0, 0, "routing-aware|hop-penalty|deepr|dense",
       "training method: routing-aware DeepR, the Mosaic hop-penalty baseline, classic DeepR, dense BPTT"),
    F_("seed", MOSAIC_CFG_INT64, seed, 0, 9.2e18, NULL, "seed of every random draw of the run"),
    F_("epochs", MOSAIC_CFG_INT, epochs, 1, 1e6, NULL, "passes over the training set"),
    F_("batch", MOSAIC_CFG_INT, batch, 1, 65536, NULL, "samples per Adam step (reference 1024)"),
    F_("threads", MOSAIC_CFG_INT, threads, 0, 1024, NULL,
       "OpenMP threads; 0 = OpenMP default (results do not depend on it)"),
    F_("lr", MOSAIC_CFG_DOUBLE, lr, 0, 10, NULL, "Adam learning rate of the first epoch"),
    F_("lr_end", MOSAIC_CFG_DOUBLE, lr_end, 0, 10, NULL,
       "learning rate of the last epoch (exponential decay)"),
    F_("adam.beta1", MOSAIC_CFG_DOUBLE, beta1, 0, 0.999999, NULL, "Adam first-moment decay"),
    F_("adam.beta2", MOSAIC_CFG_DOUBLE, beta2, 0, 0.999999999, NULL, "Adam second-moment decay"),
    F_("adam.eps", MOSAIC_CFG_DOUBLE, adam_eps, 1e-30, 1, NULL, "Adam epsilon"),
    F_("clip_norm", MOSAIC_CFG_DOUBLE, clip_norm, 0, 1e30, NULL, "global gradient-norm clip; 0 = off"),
    F_("weight_noise", MOSAIC_CFG_DOUBLE, weight_noise, -1, 10, NULL,
       "programming noise during training, sigma as a fraction of max |w|; -1 = method default (hop-penalty "
       "0.05, others 0)"),
    F_("neuron.tau_ms", MOSAIC_CFG_DOUBLE, tau_ms, 1e-3, 1e6, NULL, "membrane time constant"),
    F_("neuron.dt_ms", MOSAIC_CFG_DOUBLE, dt_ms, 0, 1e6, NULL,
       "decay per step is exp(-dt/tau); the reference uses 1 ms although a step spans window/steps = 14 ms"),
    F_("neuron.threshold", MOSAIC_CFG_DOUBLE, threshold, 1e-6, 1e6, NULL,
       "firing threshold (reset by subtraction)"),
    F_("neuron.surrogate", MOSAIC_CFG_DOUBLE, surrogate, 0.01, 1e4, NULL,
       "surrogate steepness s: dz/dv = 1 / (s |v - thr| + 1)^2; the reference's 10 is narrow, smaller is "
       "wider"),
    F_("data.steps", MOSAIC_CFG_INT, steps, 2, 100000, NULL,
       "time steps T per sample (the reference binning rule needs 2)"),
    F_("data.window_s", MOSAIC_CFG_DOUBLE, window_s, 1e-6, 1e6, NULL, "time window binned into the T steps"),
    F_("data.inputs", MOSAIC_CFG_INT, inputs, 1, 1 << 20, NULL,
       "input channels; SHD units are reduced to these by the stride rule (700 -> 128 with stride 6, every "
       "offset a sample)"),
    F_("data.classes", MOSAIC_CFG_INT, classes, 2, MOSAIC_MAX_K, NULL,
       "classes = readout neurons (the last ones of the last tile)"),
    F_("loss.lambda_fr", MOSAIC_CFG_DOUBLE, lambda_fr, 0, 1e9, NULL, "weight of the firing-rate term"),
    F_("loss.target_fr", MOSAIC_CFG_DOUBLE, target_fr, 0, 10, NULL,
       "target of 10 * mean(z) (5 = 0.5 spikes per neuron per step)"),
    F_("loss.fr_mode", MOSAIC_CFG_ENUM, fr_mode, 0, 0, "population|neuron",
       "firing-rate term on the mean over all neurons (reference) or the mean over neurons of each "
       "neuron's own term lambda (target - 10 rate_i)^2"),
    F_("init.input", MOSAIC_CFG_DOUBLE, init_in, 0, 1e3, NULL, "input weight std times sqrt(k)"),
    F_("init.recurrent", MOSAIC_CFG_DOUBLE, init_rec, 0, 1e3, NULL, "intra-tile weight std times sqrt(k)"),
    F_("init.birth_min", MOSAIC_CFG_DOUBLE, birth_min, 0, 1e3, NULL,
       "link weights are born with |w| in [birth_min, 2 birth_min) and a random sign"),
    F_("output_block", MOSAIC_CFG_ENUM, output_block, 0, 0, "none|partial",
       "the output tile's intra-tile block: none, or partial as in the reference code (every weight but "
       "readout -> readout)"),
    F_("rewire.profile", MOSAIC_CFG_STRING, profile, 0, 256, NULL,
       "connection profile d:p_d (routing-aware budgets; deepr uses its total as the synapse budget)"),
    F_("rewire.prune_magnitude", MOSAIC_CFG_DOUBLE, prune_magnitude, 0, 1e3, NULL,
       "a link weight is strong when |w| >= this"),
    F_("rewire.min_strong", MOSAIC_CFG_INT, prune_min_strong, 0, MOSAIC_MAX_K, NULL,
       "links with fewer strong weights are pruned each epoch"),
    F_("rewire.every", MOSAIC_CFG_INT, rewire_every, 0, 1000000, NULL,
       "routing-aware: rewire also after every n-th optimizer step of an epoch, not only at its end "
       "(0, the reference: once per epoch)"),
    F_("hop.lambda", MOSAIC_CFG_DOUBLE, hop_lambda, 0, 1e9, NULL,
       "hop penalty weight: lambda * mean(M * W^2)"),
    F_("hop.rate", MOSAIC_CFG_DOUBLE, hop_rate, 0, 100, NULL,
       "M = clip(exp(rate * hops) - 1, 0, exp(max_log))"),
    F_("hop.max_log", MOSAIC_CFG_DOUBLE, hop_max_log, 0, 700, NULL, "log of the largest hop multiplier"),
    F_("hop.prune", MOSAIC_CFG_DOUBLE, hop_prune, 0, 1e3, NULL,
       "recurrent weights below this are zeroed after each step"),
    F_("hop.clip_sigma", MOSAIC_CFG_DOUBLE, hop_clip_sigma, 0, 1e3, NULL,
       "recurrent weights are clipped to +-clip_sigma * their std after each step; 0 = off"),
    F_("deepr.l1", MOSAIC_CFG_DOUBLE, deepr_l1, 0, 1e3, NULL, "L1 shrink per unit learning rate"),
    F_("deepr.temperature", MOSAIC_CFG_DOUBLE, deepr_temperature, 0, 1e3, NULL,
       "noise temperature: sqrt(2 lr T) N(0, 1) per step"),
    F_("deepr.birth", MOSAIC_CFG_DOUBLE, deepr_birth, 1e-9, 1e3, NULL,
       "|w| of a revived synapse (above 0: a synapse of weight 0 is absent from the hardware)"),
    F_("quant.levels", MOSAIC_CFG_INT, quant_levels, 0, 1 << 16, NULL,
       "quantised rewiring: weights are counts 0 .. levels-1 of the device step gmax / (levels - 1) "
       "(the device levels of device.levels); 0 = off"),
    F_("quant.gmax", MOSAIC_CFG_DOUBLE, quant_gmax, 1e-9, 1e9, NULL,
       "weight of the highest level (exported as device.gmax); the initial value when optimised"),
    F_("quant.base", MOSAIC_CFG_ENUM, quant_learn_gmax, 0, 0, "fixed|optimised",
       "base weights +-gmax / (levels - 1): fixed, or optimised with Adam"),
    F_("quant.fanin", MOSAIC_CFG_INT, quant_fanin, 0, 1 << 24, NULL,
       "fan-in limit per neuron (per side of its tile with lines_per_side) enforced after every step; 0 = "
       "none (no rewiring)"),
    F_("quant.fanin_mode", MOSAIC_CFG_ENUM, quant_fanin_mode, 0, 0, "synapses|counts|lines_per_side",
       "what the fan-in counts: input lines with a live synapse, total level counts, or routed input lines "
       "with a live synapse per side of the tile (the side the mapper's route enters by; input rows and the "
       "intra-tile block are not limited)"),
    F_("quant.removal", MOSAIC_CFG_ENUM, quant_removal, 0, 0, "l1|random",
       "which synapses the fan-in projection removes: smallest |w| first, or uniformly at random"),
    F_("quant.target", MOSAIC_CFG_INT, quant_target, -1, 1 << 24, NULL,
       "new random synapses (count 1) are grown up to this fan-in (per side with lines_per_side) after every "
       "step; -1 = quant.fanin, 0 = off"),
    F_("quant.temperature", MOSAIC_CFG_DOUBLE, quant_temperature, 0, 1e3, NULL,
       "DeepR-style noise on live synapses: sqrt(2 lr T) N(0, 1) level steps per step; 0 = off"),
    F_("data.source", MOSAIC_CFG_ENUM, data_source, 0, 0, "synthetic|shd",
       "synthetic: built-in class-dependent spike patterns; shd: train/test files in SHD layout"),
    F_("data.train", MOSAIC_CFG_STRING, data_train, 0, 512, NULL, "training set (SHD layout, .h5 or .h5.gz)"),
    F_("data.test", MOSAIC_CFG_STRING, data_test, 0, 512, NULL, "test set (SHD layout, .h5 or .h5.gz)"),
    F_("data.offsets", MOSAIC_CFG_INT, data_offsets, 0, 1 << 20, NULL,
       "shd: stride offsets (views) of every training recording used, spread over the channel range (6 and "
       "2: offsets 0 and 3); 0 = all. Cuts the epoch; the test set always uses all"),
    F_("data.synthetic.train", MOSAIC_CFG_INT, synth_train, 1, 1 << 24, NULL, "synthetic training samples"),
    F_("data.synthetic.test", MOSAIC_CFG_INT, synth_test, 1, 1 << 24, NULL, "synthetic test samples"),
    F_("data.synthetic.seed", MOSAIC_CFG_INT64, synth_seed, 0, 9.2e18, NULL,
       "seed of the synthetic class patterns"),
};
#undef F_

MosaicCfgSection mosaic_train_config_section(MosaicTrainConfig *cfg) {
    MosaicCfgSection s = {fields_, sizeof fields_ / sizeof fields_[0], cfg};
    return s;
}

/* The quantised-rewiring keys against each other, the method and the device model. */
static MosaicStatus quant_validate_(const MosaicTrainConfig *c, const MosaicArch *arch, const char *source,
                                    MosaicErr *err) {
    if (c->quant_levels == 0) return MOSAIC_OK;
    if (c->quant_levels == 1)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: key 'train.quant.levels': expected 0 (off) or at least 2, got 1", source);
    if (c->method == MOSAIC_METHOD_DEEPR)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: key 'train.quant.levels': quantised rewiring works with the methods "
                          "routing-aware, hop-penalty and dense, not deepr (both rewire synapses)",
                          source);
    if (arch->device.levels != 0 && arch->device.levels != c->quant_levels)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: keys 'device.levels' (%d) and 'train.quant.levels' (%d): expected equal "
                          "values (or device.levels 0; the export sets it)",
                          source, arch->device.levels, c->quant_levels);
    if (arch->device.gmax != 0 && (arch->device.gmax != c->quant_gmax || c->quant_learn_gmax))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: keys 'device.gmax' (%g) and 'train.quant.gmax' (%g): expected device.gmax 0 "
                          "(the export sets it) or the same fixed value",
                          source, arch->device.gmax, c->quant_gmax);
    if (c->quant_target > 0 && c->quant_fanin > 0 && c->quant_target > c->quant_fanin)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: key 'train.quant.target': expected at most train.quant.fanin = %d, got %d",
                          source, c->quant_fanin, c->quant_target);
    return MOSAIC_OK;
}

MosaicStatus mosaic_train_config_validate(const MosaicTrainConfig *c, const MosaicArch *arch,
                                          const char *source, MosaicErr *err) {
    const int k = arch->neurons_per_tile, tiles = mosaic_arch_tiles(arch);
    const int in_tiles = mosaic_input_tiles(arch, c->inputs);
    if (in_tiles >= tiles)
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: key 'train.data.inputs': %d inputs need %d input tiles; expected fewer than the "
            "%d tiles of the %dx%d array (the last tile holds the readout)",
            source, c->inputs, in_tiles, tiles, arch->rows, arch->cols);
    if (c->classes > k)
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: key 'train.data.classes': expected at most %d (the neurons of the output tile), got %d",
            source, k, c->classes);
    if (c->lr_end > c->lr)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: key 'train.lr_end': expected at most train.lr = %g, got %g", source, c->lr,
                          c->lr_end);
    if (c->weight_noise < 0 && c->weight_noise != -1)
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: key 'train.weight_noise': expected -1 (the method's default) or a sigma from 0 "
            "to 10, got %g",
            source, c->weight_noise);
    if (c->prune_min_strong > k)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: key 'train.rewire.min_strong': expected at most k = %d, got %d", source, k,
                          c->prune_min_strong);
    MOSAIC_TRY(quant_validate_(c, arch, source, err));
    MosaicProfile prof;
    MosaicErr perr;
    if (mosaic_profile_parse(&prof, c->profile, "train.rewire.profile", &perr) != MOSAIC_OK)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: %s", source, perr.msg);
    if (c->data_source == MOSAIC_DATA_SHD && (!c->data_train[0] || !c->data_test[0]))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: keys 'train.data.train' and 'train.data.test': expected two file names when "
                          "train.data.source is shd",
                          source);
    return MOSAIC_OK;
}

const char *mosaic_train_config_unused_note(const MosaicTrainConfig *c) {
    static char note[1024];
    note[0] = 0;
    if (c->rewire_every != 0) {
        const char *why = c->method == MOSAIC_METHOD_DEEPR         ? "deepr, which rewires after every step"
                          : c->method == MOSAIC_METHOD_HOP_PENALTY ? "hop-penalty, which does not rewire"
                          : c->method == MOSAIC_METHOD_DENSE       ? "dense, which does not rewire"
                                                                   : NULL;
        if (why) snprintf(note, sizeof note, "train.rewire.every has no effect with method %s", why);
    }
    /* Keys of the other methods, changed from their defaults (the method reads none of them). */
    MosaicTrainConfig def;
    mosaic_train_config_default(&def);
    enum {
        RA_ = 1 << MOSAIC_METHOD_ROUTING_AWARE,
        HOP_ = 1 << MOSAIC_METHOD_HOP_PENALTY,
        DEEPR_ = 1 << MOSAIC_METHOD_DEEPR
    };
    const struct {
        const char *key;
        bool changed;
        int used_by;
    } method_keys[] = {
        {"rewire.profile", strcmp(c->profile, def.profile) != 0, RA_ | DEEPR_},
        {"rewire.prune_magnitude", c->prune_magnitude != def.prune_magnitude, RA_},
        {"rewire.min_strong", c->prune_min_strong != def.prune_min_strong, RA_},
        {"init.birth_min", c->birth_min != def.birth_min, RA_ | DEEPR_},
        {"hop.lambda", c->hop_lambda != def.hop_lambda, HOP_},
        {"hop.rate", c->hop_rate != def.hop_rate, HOP_},
        {"hop.max_log", c->hop_max_log != def.hop_max_log, HOP_},
        {"hop.prune", c->hop_prune != def.hop_prune, HOP_},
        {"hop.clip_sigma", c->hop_clip_sigma != def.hop_clip_sigma, HOP_},
        {"deepr.l1", c->deepr_l1 != def.deepr_l1, DEEPR_},
        {"deepr.temperature", c->deepr_temperature != def.deepr_temperature, DEEPR_},
        {"deepr.birth", c->deepr_birth != def.deepr_birth, DEEPR_},
    };
    char unused[400] = "";
    for (size_t i = 0; i < sizeof method_keys / sizeof method_keys[0]; i++)
        if (method_keys[i].changed && !(method_keys[i].used_by & (1 << c->method)))
            snprintf(unused + strlen(unused), sizeof unused - strlen(unused), "%strain.%s",
                     unused[0] ? ", " : "", method_keys[i].key);
    if (unused[0])
        snprintf(note + strlen(note), sizeof note - strlen(note), "%s%s %s no effect with method %s",
                 note[0] ? "; " : "", unused, strchr(unused, ',') ? "have" : "has",
                 mosaic_train_method_name(c->method));
    /* The quantisation keys a run would silently ignore: all of them with quantisation off, the fan-in
     * projection's without a fan-in limit. */
    const MosaicTrainConfig *d = &def;
    const bool off = c->quant_levels == 0, no_limit = c->quant_fanin == 0;
    const struct {
        const char *key;
        bool changed, ignored;
    } keys[] = {
        {"gmax", c->quant_gmax != d->quant_gmax, off},
        {"base", c->quant_learn_gmax != d->quant_learn_gmax, off},
        {"fanin", c->quant_fanin != d->quant_fanin, off},
        {"temperature", c->quant_temperature != d->quant_temperature, off},
        {"fanin_mode", c->quant_fanin_mode != d->quant_fanin_mode, off || no_limit},
        {"removal", c->quant_removal != d->quant_removal, off || no_limit},
        {"target", c->quant_target != d->quant_target, off || no_limit},
    };
    char list[200] = "";
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (keys[k].changed && keys[k].ignored)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%strain.quant.%s", list[0] ? ", " : "",
                     keys[k].key);
    if (list[0])
        snprintf(note + strlen(note), sizeof note - strlen(note), "%s%s %s no effect %s", note[0] ? "; " : "",
                 list, strchr(list, ',') ? "have" : "has",
                 off ? "with train.quant.levels 0 (quantised rewiring off)"
                     : "without a fan-in limit (train.quant.fanin 0)");
    return note[0] ? note : NULL;
}

double mosaic_train_config_alpha(const MosaicTrainConfig *c) { return exp(-c->dt_ms / c->tau_ms); }

double mosaic_train_config_noise(const MosaicTrainConfig *c) {
    if (c->weight_noise >= 0) return c->weight_noise;
    return c->method == MOSAIC_METHOD_HOP_PENALTY ? 0.05 : 0.0;
}

const char *mosaic_train_method_name(int method) {
    static const char *names[] = {"routing-aware", "hop-penalty", "deepr", "dense"};
    return method >= 0 && method < 4 ? names[method] : "?";
}
