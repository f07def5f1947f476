/* mosaic_sim_result: the simulation result file (HDF5 through traces/mosaic_h5.h, readable with h5py).
 *
 *   /                     provenance attributes (mosaic_h5), format = "mosaic-sim", format_version = 1
 *   /samples/index        (S) view index of each sample in the dataset
 *   /samples/label        (S) true class, /samples/predicted (S) argmax of the readout counts
 *   /samples/counts       (S, n_classes) readout spike counts per sample
 *   /accuracy             scalar: fraction of samples predicted correctly
 *   /cells/gr, /cells/gc, /cells/kind   (cells) grid coordinates and MosaicCellKind of every cell
 *   /ports/spikes         (cells, 8) spikes per port (routers: their RTL counters)
 *   /ports/lines          (cells, 8) lines assigned by the mapping; /ports/capacity (cells, 8)
 *   /ports/peak_lines     (cells, 8) most lines active in one cycle
 *   /lines/spikes         (cells, 8, max_lines) spikes per line
 *   /latency/histogram    (max_latency + 1) deliveries per hop count
 *   /late/...             scalars late, late_dropped, deliveries, stray, collisions
 *   /devices/nt           (tiles) NT crossbar devices programmed; /devices/router (cells) ON devices
 *   /devices/crossbar     [nt_rows, nt_cols, r1_side, r0_side]
 *   /neurons/spikes       (N) spikes per logical neuron over all samples
 *   /timing/...           scalars steps, cycles, cell_evals, rtl_clocks, cycles_per_step, late_policy, wall_s
 */
#ifndef MOSAIC_SIM_RESULT_H
#define MOSAIC_SIM_RESULT_H

#include "mosaic_h5.h"
#include "mosaic_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int n_samples, n_classes, n_neurons, n_tiles;
    const int64_t *index;     /* (n_samples) */
    const int32_t *label;     /* (n_samples) */
    const int32_t *predicted; /* (n_samples) */
    const int32_t *counts;    /* (n_samples, n_classes) */
    double wall_s;
} MosaicSimSamples;

/* Writes the result file (temp name + rename). */
MosaicStatus mosaic_sim_result_write(const char *path, const MosaicArch *arch, const MosaicSimStats *stats,
                                     const MosaicSimSamples *samples, const MosaicProvenance *prov,
                                     MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
