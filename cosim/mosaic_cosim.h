/* mosaic_cosim: hardware-in-the-loop training, the product's main job (driven by `mosaic cosim`).
 *
 * Every `every` epochs a hardware checkpoint exports the network, maps it exactly, and runs the
 * cycle-level array on `samples` held-out samples as a separate process (`mosaic sim`) on the second
 * core while training goes on. What comes back feeds training (mosaic_feedback.h): port loads and routing
 * memory in the closed loop, optionally spike traffic, and hardware accuracy beside software accuracy.
 * With feedback `none` (open loop) the run maps and simulates the same way but changes nothing.
 *
 * This module holds the run's configuration keys (`cosim.*`), the hardware checkpoint records and the
 * run's files; the loop itself lives in cli/cmd_cosim.c. */
#ifndef MOSAIC_COSIM_H
#define MOSAIC_COSIM_H

#include <stdint.h>

#include "mosaic_config.h"
#include "mosaic_h5.h"
#include "mosaic_mapper.h"
#include "mosaic_report.h"
#include "mosaic_status.h"
#include "mosaic_trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MOSAIC_FEEDBACK_NONE = 0, MOSAIC_FEEDBACK_CLOSED = 1 } MosaicFeedbackMode;

typedef struct {
    int every;              /* hardware checkpoint every K epochs (and after the last epoch) */
    int samples;            /* held-out samples simulated per checkpoint */
    int feedback;           /* MosaicFeedbackMode */
    double memory_budget;   /* devices M allowed (closed loop); 0 = only the port capacities */
    double traffic_penalty; /* coefficient of the rate x hops link penalty (closed loop); 0 = off */
    double sim_timeout;     /* seconds before a simulation is declared hung and killed */
    bool sim_ideal;         /* simulate ideal devices instead of the architecture's device model */
    bool sim_wait;          /* training waits for each checkpoint's simulation (reproducible records) */
    char sim_program[512];  /* program run as `<program> sim ...`; empty = this mosaic executable */
} MosaicCosimConfig;

void mosaic_cosim_config_default(MosaicCosimConfig *cfg);
MosaicCfgSection mosaic_cosim_config_section(MosaicCosimConfig *cfg);

/* A configuration text with every key a run folder's config.yaml may hold (arch, train and cosim
 * sections); `name` is what error messages call it. */
MosaicStatus mosaic_cosim_load_config_string(const char *name, const char *yaml, MosaicArch *arch,
                                             MosaicTrainConfig *cfg, MosaicErr *err);

/* The run configuration a network file records: the root attribute "config" that train and cosim write
 * into network.h5 and their checkpoints, so that the file is binned (train.data.steps, window_s) and
 * checked (train.data.train) as its run was. *found = 0 with MOSAIC_OK when the file records none (or
 * one without a train section); an error when it records one that does not load. */
MosaicStatus mosaic_cosim_recorded_config(const char *net_path, MosaicArch *arch, MosaicTrainConfig *cfg,
                                          int *found, MosaicErr *err);

/* Fills the mapping part of a hardware record (mappable, violations, devices, worst port) from an exact
 * mapping, and the proxy's estimate of M from the mapping's gamma_d (`draws` random networks). */
MosaicStatus mosaic_cosim_record_mapping(MosaicHwRecord *rec, const MosaicMapping *map, int draws,
                                         uint64_t seed, MosaicErr *err);

/* util[cell] = the largest routing load / capacity over the cell's ports (NaN for a cell without routed
 * traffic): where the mapping comes closest to (or beyond) the hardware's limits. */
void mosaic_cosim_port_util(const MosaicMapping *map, double *util);

/* What a simulation result file reports to the loop. */
typedef struct {
    double accuracy;
    int64_t samples, steps, late, late_dropped, cycles;
    double wall_s;
    int n_neurons;
    int64_t *neuron_spikes; /* (n_neurons) malloc'd */
    int n_cells;
    double *cell_spikes; /* (n_cells) spikes through the input ports of each cell, malloc'd */
    double *cell_util;   /* (n_cells) busiest port lines / capacity, malloc'd */
    int64_t
        devices_programmed; /* devices the simulator set: NT pairs with a weight plus router crosspoints ON */
} MosaicSimOutcome;

/* The files of one hardware checkpoint of a cosim run folder: its network (RUN/checkpoints/epoch_NNNN.h5)
 * and its hardware files (RUN/hw/epoch_NNNN_<what>: mapping.h5, sim.h5, sim.log). */
void mosaic_cosim_checkpoint_file(const char *run, int epoch, char *buf, size_t n);
void mosaic_cosim_hw_file(const char *run, int epoch, const char *what, char *buf, size_t n);

/* Reads a `mosaic sim` result file; validates the shapes against `arch`. */
MosaicStatus mosaic_cosim_read_sim(const char *path, const MosaicArch *arch, MosaicSimOutcome *out,
                                   MosaicErr *err);
void mosaic_sim_outcome_free(MosaicSimOutcome *out); /* accepts a zeroed struct */

/* Writes the run history (trainer epochs and hardware records) as RUN/history.csv, RUN/hardware.csv and
 * RUN/history.h5 (provenance with the resolved configuration, /history, /hardware), each atomically. */
MosaicStatus mosaic_cosim_write_history(const char *run_dir, const MosaicProvenance *prov,
                                        const MosaicTrainEpoch *rows, int n_rows, int max_d,
                                        const MosaicHwRecord *hw, int n_hw, MosaicErr *err);

/* Reads the hardware records back from RUN/history.h5 (for --resume); *hw is malloc'd. A missing file
 * gives no records and no error. A file of another kind, or records that a run with `epochs_done`
 * epochs cannot have (epochs outside 1 .. epochs_done or not ascending, accuracies outside [0, 1],
 * negative counts), is an error naming the file. */
MosaicStatus mosaic_cosim_read_hardware(const char *run_dir, int epochs_done, MosaicHwRecord **hw, int *n_hw,
                                        MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
