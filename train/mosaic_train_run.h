/* mosaic_train_run: what every command that trains needs around the trainer: the configuration (arch +
 * train keys, plus any keys of the calling command), the datasets it names, and the epoch history as
 * CSV and HDF5. Shared by `mosaic train` and `mosaic cosim` so both read and write runs alike. */
#ifndef MOSAIC_TRAIN_RUN_H
#define MOSAIC_TRAIN_RUN_H

#include "mosaic_h5.h"
#include "mosaic_spikeset.h"
#include "mosaic_trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defaults, then the file `path` (may be NULL), then each "key=value" of sets, over the arch and train
 * keys and the caller's `extra` sections (whose defaults the caller sets beforehand); then validates arch
 * and train (the caller validates its own). An unknown key in any of them is an error. */
MosaicStatus mosaic_train_load_config(const char *path, const char *const *sets, int nsets, MosaicArch *arch,
                                      MosaicTrainConfig *cfg, const MosaicCfgSection *extra, int n_extra,
                                      MosaicErr *err);

/* The first line of every run's config.yaml: it tells a folder that a run started (and may restart)
 * from one that merely holds a user's configuration file. */
#define MOSAIC_RUN_CONFIG_MARK "# mosaic-hil run: the resolved configuration (--resume reads it)\n"

/* The resolved configuration (arch, train and extra sections) as YAML, after MOSAIC_RUN_CONFIG_MARK;
 * malloc'd, caller frees. */
char *mosaic_train_config_yaml(MosaicArch *arch, MosaicTrainConfig *cfg, const MosaicCfgSection *extra,
                               int n_extra);

/* Refuses a dataset `data_path` laid out unlike the training set `train_path` (another channel count,
 * other class names): the inputs or the labels would mean something else. Passes when the training set
 * cannot be opened (a run folder moved to another machine). */
MosaicStatus mosaic_train_check_data_layout(const char *train_path, const char *data_path, MosaicErr *err);

/* The training and test sets the configuration names: the built-in synthetic task or SHD-layout files
 * binned as configured. `test_override` (may be NULL) replaces the test file ("synthetic" for the
 * synthetic test set), in which case `train` is left empty. Both sets are zeroed first. */
MosaicStatus mosaic_train_load_data(const MosaicTrainConfig *cfg, const char *test_override,
                                    MosaicSpikeSet *train, MosaicSpikeSet *test, MosaicErr *err);

/* history.csv: one row per epoch with gamma_d columns for odd d up to max_d. Written atomically. */
MosaicStatus mosaic_train_write_history_csv(const char *path, const MosaicTrainEpoch *rows, int n, int max_d,
                                            MosaicErr *err);

/* The /history group (one float64 column per field, gamma as (epochs, MOSAIC_TRAIN_MAX_D)) into a file
 * being written. */
MosaicStatus mosaic_train_write_history_h5(MosaicH5File *f, const MosaicTrainEpoch *rows, int n,
                                           MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
