/* mosaic_sim: the cycle-accurate Mosaic array (SystemC) with Verilated routing tiles.
 *
 * The array is elaborated from the shared architecture description: one NeuronTile module per NT (k LIF
 * neurons stepped with train/mosaic_lif.h, an in-memory crossbar with a device model), one RouterTile
 * module per R1/R0 cell wrapping the Verilated mosaic_router RTL (rtl/). Routers are programmed from
 * the mapper's line assignment through their configuration port and read back.
 *
 * Time (mosaic-reference.md §8): at the start of step t every NT integrates the spikes routed during
 * step t-1 (and its input channels) and fires; its spikes enter the four adjacent R1s; then the routing
 * phase runs one router hop per clock cycle. A spike that crosses d routing tiles is read by its
 * destination NT d cycles into the phase; with K routing cycles per step it is late when d > K: counted,
 * then dropped or integrated one step later (late_policy). The phase ends as soon as no spike is in
 * flight (activity gating: only cells whose inputs carry a spike are evaluated in a cycle).
 *
 * SystemC elaborates once per process: the first mosaic_sim_create fixes the array geometry (rows,
 * cols, k); later creates in the same process reuse the modules and re-program them (a different
 * geometry is refused). Only one MosaicSim may exist at a time. */
#ifndef MOSAIC_SIM_H
#define MOSAIC_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "mosaic_mapper.h"
#include "mosaic_network.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int cycles_per_step;  /* K; 0 = net->arch.cycles_per_step, and if that is 0 the mapping's longest route */
    int late_policy;      /* MosaicLatePolicy; -1 = net->arch.late_policy */
    int use_device_model; /* 1: net->arch.device (ideal or not); 0: force ideal devices */
    bool naive;           /* benchmark baseline: every cell evaluated every cycle, full K cycles per step */
    bool record_raster;   /* keep every spike of the last sample (mosaic_sim_raster) */
    const char *wave_path;   /* VCD file to write, or NULL */
    int64_t wave_first_step; /* window of global steps [first, last) traced (steps count across samples) */
    int64_t wave_last_step;
    int wave_depth; /* 1: NT spikes, router outputs, step/cycle; 2: + router inputs and error
                       flags, NT membrane potentials */
} MosaicSimOptions;

void mosaic_sim_options_default(MosaicSimOptions *opt);

/* Statistics accumulated over all samples run since create (or mosaic_sim_stats_reset). Arrays are
 * indexed by grid cell (mosaic_cell_index), port (MosaicPort order) and line. */
typedef struct {
    int n_cells, max_lines;         /* max_lines = widest port of any cell (k or router width) */
    int64_t samples, steps, cycles; /* simulated: samples, time steps, routing cycles (incl. drains) */
    int64_t cell_evals;             /* router and NT evaluations (the work activity gating saves) */
    int64_t rtl_clocks;             /* clock edges given to Verilated routers while running samples */
    int64_t *port_spikes;           /* (n_cells, 8) spikes per port; routers: read from the RTL counters */
    int64_t *line_spikes;           /* (n_cells, 8, max_lines) spikes per line */
    int32_t *peak_lines;            /* (n_cells, 8) most lines of the port active in one cycle */
    int32_t *port_lines;            /* (n_cells, 8) lines assigned by the mapping */
    int32_t *port_capacity;         /* (n_cells, 8) mosaic_port_capacity */
    int max_latency;                /* histogram bins 0 .. max_latency */
    int64_t *latency_hist;          /* (max_latency + 1) deliveries by hops (cycles) from emission */
    int64_t deliveries;             /* spikes delivered to NT crossbar rows (in time or late) */
    int64_t late;                   /* deliveries that needed more than K cycles */
    int64_t late_dropped;           /* of which dropped (late_policy drop) */
    int64_t stray;                  /* spikes arriving on an NT input line no row is programmed for */
    int64_t collisions;             /* routers whose error flag rose (two drivers on one line) */
    int64_t *neuron_spikes;         /* (N) spikes per logical neuron */
    int32_t *devices_nt;            /* (tiles, physical) NT crossbar devices programmed (non-zero weights) */
    int32_t *devices_router;        /* (n_cells) router crossbar devices ON (read back from the RTL) */
    int nt_rows, nt_cols;           /* NT crossbar size: input-side rows (4 sides) + k block rows, k cols */
    int r1_side, r0_side;           /* router crossbar sizes (lines per side x 4), devices = side^2 */
    int cycles_per_step;            /* K used */
    int late_policy;
} MosaicSimStats;

typedef struct MosaicSim MosaicSim;

/* Elaborates (first call) or re-uses the array, programs the routers from `map` (built with
 * MOSAIC_MAP_CONFIG, no violations) through their configuration ports, reads every word back and
 * programs the NT crossbars through the device model. Errors: MOSAIC_ERR_UNMAPPABLE if the mapping has
 * violations; MOSAIC_ERR_INPUT for a mapping of another architecture, a port needing more lines than
 * the compiled RTL has, or a geometry other than the one already elaborated; MOSAIC_ERR_INTERNAL if the
 * read-back differs. `net` and `map` are borrowed and must outlive the simulator. */
MosaicStatus mosaic_sim_create(MosaicSim **out, const MosaicNetwork *net, const MosaicMapping *map,
                               const MosaicSimOptions *opt, MosaicErr *err);

/* What mosaic_sim_create checks before it elaborates anything: the mapping is of this network, has no
 * violations, and needs no more lines on a router side than the compiled RTL has (so that a caller,
 * e.g. the co-simulation, can say why a network is not simulated without starting a simulator). */
MosaicStatus mosaic_sim_check_mapping(const MosaicNetwork *net, const MosaicMapping *map, MosaicErr *err);

/* The lines per side compiled into the Verilated R1 and R0 routers (MOSAIC_R1_WIDTH, MOSAIC_R0_WIDTH). */
void mosaic_sim_router_widths(int *r1, int *r0);
/* Closes the waveform file (if any) and reports whether every write reached it: MOSAIC_ERR_IO naming
 * the file when one failed (a full disk). Call before mosaic_sim_free to know. */
MosaicStatus mosaic_sim_close_wave(MosaicSim *sim, MosaicErr *err);
void mosaic_sim_free(MosaicSim *sim); /* accepts NULL; closes the waveform file, ignoring errors */

/* Runs one sample: x is (steps, n_inputs) input spikes (0/1). Writes the spike counts of the readout
 * (the last n_classes neurons) to counts (n_classes) and returns the argmax class (lowest index on
 * ties) in *predicted. Neuron state is reset at the start of every sample. */
MosaicStatus mosaic_sim_run(MosaicSim *sim, const uint8_t *x, int steps, int32_t *counts, int *predicted,
                            MosaicErr *err);

/* The spikes of the last sample when record_raster was set: (steps, N) 0/1 by logical neuron. */
const uint8_t *mosaic_sim_raster(const MosaicSim *sim, int *steps);

/* Refreshes the RTL counters into stats->port_spikes and returns the statistics. */
const MosaicSimStats *mosaic_sim_stats(MosaicSim *sim);

/* Reads crossbar device (in_port, in_line) -> (out_port, out_line) of router cell `cell` through its
 * configuration port: 1 ON, 0 OFF, -1 not a router or out of range. */
int mosaic_sim_read_device(MosaicSim *sim, int cell, int in_port, int in_line, int out_port, int out_line);

#ifdef __cplusplus
}
#endif
#endif
