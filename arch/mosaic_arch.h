/* mosaic_arch: the one description of the Mosaic array that training, mapper and simulator share.
 *
 * An R x C array of neuron tiles (NT), each with k neurons, sits in a (2R+1) x (2C+1) grid of cells.
 * NT (r, c) occupies cell (2r+1, 2c+1); cells with one even and one odd coordinate are R1 routers
 * (R1v: even row, NTs to the north and south; R1h: even column, NTs to the west and east); cells with
 * both coordinates even are R0 routers. Every cell has 8 ports (MosaicPort order). Port capacities are
 * given per tile type in the R1v frame; R1h cells use the R1 vector rotated a quarter turn.
 *
 * Geometry rules live here and only here: a module that needs a distance, a cell kind or a capacity
 * calls these functions. See shared docs mosaic-reference.md §1-3 and routing.md. */
#ifndef MOSAIC_ARCH_H
#define MOSAIC_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mosaic_config.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_MAX_SIDE 64 /* tiles per side */
#define MOSAIC_MAX_K 256   /* neurons per tile */
#define MOSAIC_NPORTS 8

typedef enum {
    MOSAIC_IN_N = 0,
    MOSAIC_IN_E,
    MOSAIC_IN_S,
    MOSAIC_IN_W,
    MOSAIC_OUT_N,
    MOSAIC_OUT_E,
    MOSAIC_OUT_S,
    MOSAIC_OUT_W
} MosaicPort;

typedef enum { MOSAIC_DIR_N = 0, MOSAIC_DIR_E = 1, MOSAIC_DIR_S = 2, MOSAIC_DIR_W = 3 } MosaicDir;

typedef enum { MOSAIC_CELL_NT = 0, MOSAIC_CELL_R1V, MOSAIC_CELL_R1H, MOSAIC_CELL_R0 } MosaicCellKind;

typedef enum { MOSAIC_LATE_DROP = 0, MOSAIC_LATE_NEXT_STEP = 1 } MosaicLatePolicy;

/* The device model of the NT crossbars (routing crossbars are binary). */
typedef struct {
    bool ideal;               /* true: weights exactly as trained (no quantisation, no noise) */
    int levels;               /* conductance levels per device of a differential pair; 0 = continuous */
    double gmax;              /* weight of the highest level; 0 = max |w| of the programmed network */
    double programming_noise; /* relative sigma, fraction of Gmax (default max |w|; reference 0.05) */
    double read_noise;        /* relative sigma per read, fraction of Gmax */
    double stuck_off;         /* fraction of devices stuck at zero conductance */
    double stuck_on;          /* fraction of devices stuck at maximum conductance */
    int64_t seed;             /* device variability draw */
} MosaicDeviceModel;

typedef struct {
    int rows, cols;       /* tiles */
    int neurons_per_tile; /* k */
    int cap_nt[MOSAIC_NPORTS];
    int cap_r1[MOSAIC_NPORTS]; /* R1v frame: N/S face the NTs */
    int cap_r0[MOSAIC_NPORTS];
    int cycles_per_step; /* routing cycles per network time step; 0 = longest route in the mapping */
    int late_policy;     /* MosaicLatePolicy */
    MosaicDeviceModel device;
} MosaicArch;

/* ---- device levels: the ONE quantisation rule of the NT crossbars ----
 * A pair programmed at level c (0 .. levels-1) reads +-c * step with step = Gmax / (levels - 1). The
 * simulator programs weights with these functions and the trainer's quantised weights (train.quant.*) are
 * built with them, so a network trained on the levels is programmed exactly. */

/* Gmax of the device model for a network whose largest |w| is `net_max_abs`: dev->gmax if set. */
static inline double mosaic_device_gmax_of(const MosaicDeviceModel *dev, double net_max_abs) {
    return dev->gmax > 0 ? dev->gmax : net_max_abs;
}
/* The conductance step gmax / (levels - 1); 0 for continuous devices (levels < 2). */
double mosaic_device_step(double gmax, int levels);
/* The level of |w|: round(|w| / step) (halves away from zero), at most levels - 1. step > 0. */
int mosaic_device_level(double abs_w, double step, int levels);
/* The weight a pair at `level` reads, with the sign of `sign_of` (float: the networks' weight type). */
float mosaic_device_level_weight(int level, double step, double sign_of);

/* ---- description ---- */

/* The case study: 5x5 tiles of 32 neurons, capacities NT 32, R1 32, R0 8, ideal devices. */
void mosaic_arch_default(MosaicArch *arch);

/* The config table of the architecture keys ("array.rows", "capacity.r0", ...), bound to `arch`. */
MosaicCfgSection mosaic_arch_config_section(MosaicArch *arch);

/* Cross-field checks after loading (e.g. more rows than MOSAIC_MAX_SIDE). `source` names the origin in
 * the message. */
MosaicStatus mosaic_arch_validate(const MosaicArch *arch, const char *source, MosaicErr *err);

/* Defaults, then `path` (may be NULL), then each "key=value" of `sets`, then validation. */
MosaicStatus mosaic_arch_load(MosaicArch *arch, const char *path, const char *const *sets, int nsets,
                              MosaicErr *err);

/* ---- geometry: tiles ---- */

static inline int mosaic_arch_tiles(const MosaicArch *a) { return a->rows * a->cols; }

/* The input channels of the reference network (SHD's 700 reduced to 128, mosaic-reference.md §4): the
 * input count of a network known only by its links (a links file, a random network). */
#define MOSAIC_REFERENCE_INPUTS 128

/* Input tiles: the first ceil(n_inputs / k) tiles take the input channels, k each. */
static inline int mosaic_input_tiles(const MosaicArch *a, int n_inputs) {
    return (n_inputs + a->neurons_per_tile - 1) / a->neurons_per_tile;
}
static inline int mosaic_arch_neurons(const MosaicArch *a) { return a->rows * a->cols * a->neurons_per_tile; }
static inline int mosaic_tile_of_neuron(const MosaicArch *a, int neuron) {
    return neuron / a->neurons_per_tile;
}
static inline int mosaic_tile_row(const MosaicArch *a, int tile) { return tile / a->cols; }
static inline int mosaic_tile_col(const MosaicArch *a, int tile) { return tile % a->cols; }

/* Routing tiles crossed from tile a to tile b: 0 for a == b, 1 for neighbours, 2D+1 for same row or
 * column at Manhattan distance D >= 2, else 2D-1. Always odd for a != b. */
int mosaic_tile_distance(const MosaicArch *arch, int a, int b);

/* Largest distance between any two tiles of the array (4n-5 for n x n, n >= 2). */
int mosaic_arch_max_distance(const MosaicArch *arch);

/* counts[d] = number of tiles at distance d from `tile`, for d = 0 .. max_distance (counts must hold
 * max_distance + 1 ints). */
void mosaic_tiles_at_distance(const MosaicArch *arch, int tile, int *counts);

/* ---- geometry: cells ---- */

static inline int mosaic_grid_rows(const MosaicArch *a) { return 2 * a->rows + 1; }
static inline int mosaic_grid_cols(const MosaicArch *a) { return 2 * a->cols + 1; }
static inline int mosaic_cells(const MosaicArch *a) { return mosaic_grid_rows(a) * mosaic_grid_cols(a); }
static inline int mosaic_cell_index(const MosaicArch *a, int gr, int gc) {
    return gr * mosaic_grid_cols(a) + gc;
}

MosaicCellKind mosaic_cell_kind(int gr, int gc);
const char *mosaic_cell_kind_name(MosaicCellKind kind); /* "NT", "R1v", "R1h", "R0" */
const char *mosaic_port_name(int port);                 /* "in_N" ... "out_W" */

static inline void mosaic_tile_cell(const MosaicArch *a, int tile, int *gr, int *gc) {
    *gr = 2 * mosaic_tile_row(a, tile) + 1;
    *gc = 2 * mosaic_tile_col(a, tile) + 1;
}
/* The tile at an NT cell, or -1 for a routing cell. */
int mosaic_cell_tile(const MosaicArch *arch, int gr, int gc);

/* Number of cells of each kind: NT R*C, R1 2RC+R+C (R1v (R+1)C + R1h R(C+1)), R0 (R+1)(C+1). */
int mosaic_count_cells(const MosaicArch *arch, MosaicCellKind kind);
static inline int mosaic_count_r1(const MosaicArch *a) {
    return mosaic_count_cells(a, MOSAIC_CELL_R1V) + mosaic_count_cells(a, MOSAIC_CELL_R1H);
}

/* Capacity of one port of a cell, in lines; R1h cells get the R1 vector rotated a quarter turn. */
int mosaic_port_capacity(const MosaicArch *arch, int gr, int gc, int port);

/* Port in the R1v frame that R1h port `port` corresponds to (identity for other kinds). */
int mosaic_r1h_to_r1v_port(int port);

static inline int mosaic_opposite_dir(int dir) { return (dir + 2) & 3; }

/* One step in direction dir (0 N, 1 E, 2 S, 3 W, the port order) on the cell grid: rows grow
 * southwards, columns eastwards. */
static inline int mosaic_dir_dr(int dir) { return dir == 2 ? 1 : dir == 0 ? -1 : 0; }
static inline int mosaic_dir_dc(int dir) { return dir == 1 ? 1 : dir == 3 ? -1 : 0; }

/* ---- output ---- */

/* Writes the resolved architecture as YAML (the same keys the loader reads). */
void mosaic_arch_write_yaml(FILE *out, const MosaicArch *arch);

#ifdef __cplusplus
}
#endif
#endif
