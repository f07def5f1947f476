/* cli_run: what the commands read from a run folder (`mosaic train` and `mosaic cosim` write the same
 * layout: config.yaml, network.h5, checkpoint.h5, ...). */
#ifndef MOSAIC_CLI_RUN_H
#define MOSAIC_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "mosaic_arch.h"
#include "mosaic_spikeset.h"
#include "mosaic_status.h"
#include "mosaic_train_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The network file that `path` names: `path` itself, or RUN/network.h5 when it is a run folder
 * (*is_run true). A folder without network.h5 is bad input, named in err. */
MosaicStatus cli_run_network(const char *path, char *buf, size_t cap, bool *is_run, MosaicErr *err);

/* Whether `run` is the folder of a mosaic cosim run (it has hw/, which cosim makes first and train
 * never), so that each command resumes only its own kind of run. */
bool cli_run_is_cosim(const char *run);

/* Refuses (exit-code status, message printed as "mosaic <cmd>: error: ...") to start a new run in a
 * folder that already holds one (its checkpoint.h5): the new run would overwrite some of its files and
 * leave others, such as later checkpoints, mixed in. 0 when `out` is free, or holds only a run that
 * ended before its first checkpoint (a note says it starts again). */
int cli_run_refuse_existing(const char *cmd, const char *out);

/* RUN/config.yaml, when present, must start with the line a run writes (MOSAIC_RUN_CONFIG_MARK): an
 * emptied or replaced file would otherwise load as the defaults. */
MosaicStatus cli_run_check_config(const char *run, MosaicErr *err);

/* Checks that `run` (given with `option`, e.g. "--resume") is a run folder: it exists, is a folder, holds
 * config.yaml and, if need_checkpoint, checkpoint.h5. 0, or 2 with one message naming what is missing. */
int cli_run_check_folder(const char *cmd, const char *option, const char *run, bool need_checkpoint);

/* Loads a training configuration that may also hold a cosim section (the main job's, or a cosim run's
 * config.yaml): its keys are checked like any other and left to `mosaic cosim`. *cosim_set (if not
 * NULL): the file or a --set changed one of them. */
MosaicStatus cli_load_train_config(const char *path, const char *const *sets, int nsets, MosaicArch *arch,
                                   MosaicTrainConfig *cfg, bool *cosim_set, MosaicErr *err);

/* A note on stderr when most spikes of a loaded dataset fell after the binning window (a short
 * train.data.window_s, or times in a wrong unit that were not all late enough to be refused). */
void cli_window_note(const char *cmd, const char *path, double window_s, const MosaicSpikeSet *set);

/* A note on stderr naming the --set values (other than train.epochs, the usual one) that a --resume
 * applies from here on: the epochs already done used the run's earlier values. */
void cli_resume_sets_note(const char *cmd, const char *run, const char *const *sets, int nsets);

#ifdef __cplusplus
}
#endif
#endif
