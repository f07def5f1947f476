/* cli_run: the network and configuration of a run folder (see cli_run.h). */
#include "cli_run.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mosaic_cosim.h"
#include "mosaic_train_run.h"

MosaicStatus cli_run_network(const char *path, char *buf, size_t cap, bool *is_run, MosaicErr *err) {
    struct stat sb;
    *is_run = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (!*is_run) {
        snprintf(buf, cap, "%s", path);
        return MOSAIC_OK;
    }
    snprintf(buf, cap, "%s/network.h5", path);
    if (access(buf, F_OK) != 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: a folder without network.h5 (expected a network file, or the folder of a "
                          "mosaic train or mosaic cosim run)",
                          path);
    return MOSAIC_OK;
}

bool cli_run_is_cosim(const char *run) {
    char hw[4200];
    snprintf(hw, sizeof hw, "%s/hw", run);
    struct stat sb;
    return stat(hw, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* True when the file starts with the line a run writes at the top of its config.yaml. */
static bool run_config_marked_(const char *cfg) {
    char first[256] = "";
    FILE *f = fopen(cfg, "r");
    if (!f) return false;
    if (!fgets(first, sizeof first, f)) first[0] = 0;
    fclose(f);
    return strcmp(first, MOSAIC_RUN_CONFIG_MARK) == 0;
}

MosaicStatus cli_run_check_config(const char *run, MosaicErr *err) {
    char cfg[4200];
    snprintf(cfg, sizeof cfg, "%s/config.yaml", run);
    if (access(cfg, F_OK) == 0 && !run_config_marked_(cfg))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: does not start with the line a run writes (%.*s); expected the resolved "
                          "configuration of the run (emptied or replaced?)",
                          cfg, (int)strcspn(MOSAIC_RUN_CONFIG_MARK, "\n"), MOSAIC_RUN_CONFIG_MARK);
    return MOSAIC_OK;
}

/* A run writes its history after every epoch, beside checkpoint.h5: one without the other is a run whose
 * checkpoint was lost, not one that never got to its first epoch. */
static bool lost_checkpoint_(const char *run) {
    char ckpt[4200], hist[4200];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.h5", run);
    snprintf(hist, sizeof hist, "%s/history.csv", run);
    return access(ckpt, F_OK) != 0 && access(hist, F_OK) == 0;
}

int cli_run_refuse_existing(const char *cmd, const char *out) {
    char cfg[4200], ckpt[4200];
    snprintf(cfg, sizeof cfg, "%s/config.yaml", out);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.h5", out);
    if (lost_checkpoint_(out)) {
        fprintf(stderr,
                "mosaic %s: error: --out %s: the folder holds a run whose checkpoint.h5 is missing (its "
                "history.csv says it has done epochs); restore checkpoint.h5, or give another --out\n",
                cmd, out);
        return 2;
    }
    if (access(ckpt, F_OK) == 0) {
        fprintf(
            stderr,
            "mosaic %s: error: --out %s: the folder already holds a run (checkpoint.h5); continue it with "
            "`mosaic %s --resume %s`, or give another --out\n",
            cmd, out, cmd, out);
        return 2;
    }
    if (access(cfg, F_OK) != 0) return 0;
    /* A run stopped before its first checkpoint has nothing to resume: it is started again. A
     * config.yaml that no run wrote is the user's own file, which the new run would overwrite. */
    if (!run_config_marked_(cfg)) {
        fprintf(stderr,
                "mosaic %s: error: --out %s: the folder holds a config.yaml that no run wrote; a run writes "
                "its own there, so give another --out\n",
                cmd, out);
        return 2;
    }
    printf("mosaic %s: note: %s holds a run that ended before its first epoch (no checkpoint.h5); "
           "starting it again\n",
           cmd, out);
    return 0;
}

int cli_run_check_folder(const char *cmd, const char *option, const char *run, bool need_checkpoint) {
    struct stat sb;
    char cfg[4200], ckpt[4200], why[8800];
    snprintf(cfg, sizeof cfg, "%s/config.yaml", run);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.h5", run);
    if (stat(run, &sb) != 0)
        snprintf(why, sizeof why, "no such run folder");
    else if (!S_ISDIR(sb.st_mode))
        snprintf(why, sizeof why,
                 "a file; expected the folder of a mosaic train or mosaic cosim run (its --out)");
    else if (access(cfg, F_OK) != 0)
        snprintf(
            why, sizeof why,
            "not a run folder (no config.yaml); expected the --out folder of mosaic train or mosaic cosim");
    else if (!run_config_marked_(cfg))
        snprintf(why, sizeof why,
                 "config.yaml does not start with the line a run writes: it is not the run's resolved "
                 "configuration (emptied or replaced?)");
    else if (need_checkpoint && lost_checkpoint_(run))
        snprintf(why, sizeof why,
                 "checkpoint.h5 is missing, but history.csv says the run has done epochs: restore "
                 "checkpoint.h5 (nothing was changed)");
    else if (need_checkpoint && access(ckpt, F_OK) != 0)
        snprintf(why, sizeof why,
                 "the run ended before its first epoch (no checkpoint.h5), so there is nothing to %s; "
                 "start it again with `mosaic %s --config %s --out %s`",
                 strcmp(cmd, "eval") ? "continue" : "score",
                 strcmp(cmd, "eval") ? cmd : (cli_run_is_cosim(run) ? "cosim" : "train"), cfg, run);
    else
        return 0;
    fprintf(stderr, "mosaic %s: error: %s %s: %s\n", cmd, option, run, why);
    return 2;
}

MosaicStatus cli_load_train_config(const char *path, const char *const *sets, int nsets, MosaicArch *arch,
                                   MosaicTrainConfig *cfg, bool *cosim_set, MosaicErr *err) {
    MosaicCosimConfig cosim, defaults;
    memset(&cosim, 0, sizeof cosim);
    memset(&defaults, 0, sizeof defaults);
    mosaic_cosim_config_default(&cosim);
    mosaic_cosim_config_default(&defaults);
    MosaicCfgSection extra = mosaic_cosim_config_section(&cosim);
    MosaicStatus st = mosaic_train_load_config(path, sets, nsets, arch, cfg, &extra, 1, err);
    if (cosim_set) *cosim_set = memcmp(&cosim, &defaults, sizeof cosim) != 0;
    return st;
}

void cli_window_note(const char *cmd, const char *path, double window_s, const MosaicSpikeSet *set) {
    if (set->spikes_read <= 0 || 2 * set->spikes_outside <= set->spikes_read) return;
    fprintf(stderr,
            "mosaic %s: note: %.1f %% of the spikes in %s lie at or after the end of the %g s window "
            "(train.data.window_s) and are not used\n",
            cmd, 100.0 * (double)set->spikes_outside / (double)set->spikes_read, path, window_s);
}

void cli_resume_sets_note(const char *cmd, const char *run, const char *const *sets, int nsets) {
    char list[1024] = "";
    for (int i = 0; i < nsets; i++) {
        if (!strncmp(sets[i], "train.epochs=", 13)) continue;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "", sets[i]);
    }
    if (list[0])
        fprintf(stderr,
                "mosaic %s: note: the resumed run continues with %s; the epochs already done used "
                "%s/config.yaml's "
                "earlier values (the rewritten config.yaml records the new ones)\n",
                cmd, list, run);
}
