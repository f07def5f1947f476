#include "mosaic_arch.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Description and its config keys
 * ------------------------------------------------------------------------------------------- */

void mosaic_arch_default(MosaicArch *a) {
    memset(a, 0, sizeof *a);
    a->rows = 5;
    a->cols = 5;
    a->neurons_per_tile = 32;
    for (int p = 0; p < MOSAIC_NPORTS; p++) {
        a->cap_nt[p] = 32;
        a->cap_r1[p] = 32;
        a->cap_r0[p] = 8;
    }
    a->cycles_per_step = 0;
    a->late_policy = MOSAIC_LATE_DROP;
    a->device.ideal = true;
    a->device.levels = 0;
    a->device.gmax = 0.0;
    a->device.programming_noise = 0.05;
    a->device.read_noise = 0.0;
    a->device.stuck_off = 0.0;
    a->device.stuck_on = 0.0;
    a->device.seed = 1;
}

#define F_(key, type, field, lo, hi, choices, help)                                                          \
    { key, type, offsetof(MosaicArch, field), lo, hi, choices, help, 0, 0 }

static const MosaicCfgField arch_fields_[] = {
    F_("array.rows", MOSAIC_CFG_INT, rows, 1, MOSAIC_MAX_SIDE, NULL, "neuron-tile rows R"),
    F_("array.cols", MOSAIC_CFG_INT, cols, 1, MOSAIC_MAX_SIDE, NULL, "neuron-tile columns C"),
    F_("array.neurons_per_tile", MOSAIC_CFG_INT, neurons_per_tile, 1, MOSAIC_MAX_K, NULL,
       "neurons per tile k"),
    F_("capacity.nt", MOSAIC_CFG_INT8, cap_nt, 0, 4096, NULL,
       "NT port widths in lines: in_N in_E in_S in_W out_N out_E out_S out_W (or one number)"),
    F_("capacity.r1", MOSAIC_CFG_INT8, cap_r1, 0, 4096, NULL,
       "R1 port widths in the R1v frame (N/S face NTs), opposite sides equal; turned a quarter for R1h"),
    F_("capacity.r0", MOSAIC_CFG_INT8, cap_r0, 0, 4096, NULL, "R0 port widths in lines"),
    F_("timing.cycles_per_step", MOSAIC_CFG_INT, cycles_per_step, 0, 1 << 20, NULL,
       "routing cycles per time step; 0 = the longest route of the mapping"),
    F_("timing.late_spikes", MOSAIC_CFG_ENUM, late_policy, 0, 0, "drop|next_step",
       "what happens to a spike that needs more cycles than a step has"),
    F_("device.ideal", MOSAIC_CFG_BOOL, device.ideal, 0, 0, NULL,
       "ideal NT crossbar devices: weights exactly as trained"),
    F_("device.levels", MOSAIC_CFG_INT, device.levels, 0, 1 << 16, NULL,
       "conductance levels per device of a differential pair; 0 = continuous"),
    F_("device.gmax", MOSAIC_CFG_DOUBLE, device.gmax, 0, 1e30, NULL,
       "weight of the highest level, the largest conductance (step = gmax / (levels - 1); larger "
       "weights are clipped to it); 0 = max |w| of the network"),
    F_("device.programming_noise", MOSAIC_CFG_DOUBLE, device.programming_noise, 0, 10, NULL,
       "programming noise sigma, fraction of Gmax (device.gmax; by default max |w|, as the reference)"),
    F_("device.read_noise", MOSAIC_CFG_DOUBLE, device.read_noise, 0, 10, NULL,
       "read noise sigma per read, fraction of Gmax (device.gmax; by default max |w|)"),
    F_("device.stuck_off", MOSAIC_CFG_DOUBLE, device.stuck_off, 0, 1, NULL,
       "fraction of programmed device pairs (non-zero weights) stuck at zero conductance"),
    F_("device.stuck_on", MOSAIC_CFG_DOUBLE, device.stuck_on, 0, 1, NULL,
       "fraction of programmed device pairs with one device stuck at Gmax"),
    F_("device.seed", MOSAIC_CFG_INT64, device.seed, 0, 9.2e18, NULL, "seed of the device variability draw"),
};
#undef F_

MosaicCfgSection mosaic_arch_config_section(MosaicArch *arch) {
    MosaicCfgSection s = {arch_fields_, sizeof arch_fields_ / sizeof arch_fields_[0], arch};
    return s;
}

MosaicStatus mosaic_arch_validate(const MosaicArch *a, const char *source, MosaicErr *err) {
    if (a->device.stuck_off + a->device.stuck_on > 1.0)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: keys 'device.stuck_off' + 'device.stuck_on': expected a sum in [0, 1], got %g",
                          source, a->device.stuck_off + a->device.stuck_on);
    if (a->device.levels == 1)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: key 'device.levels': expected 0 (continuous) or at least 2, got 1", source);
    /* R1h cells take the R1 vector turned a quarter (routing.md): which way it turns matters only for a
     * vector that is not 180-degree symmetric, and routing.md's vectors always are, so such a vector
     * has no defined meaning for half the R1s. NT and R0 vectors apply port by port as given. */
    static const char *const names[4] = {"in_N/in_S", "in_E/in_W", "out_N/out_S", "out_E/out_W"};
    static const int first[4] = {MOSAIC_IN_N, MOSAIC_IN_E, MOSAIC_OUT_N, MOSAIC_OUT_E};
    for (int i = 0; i < 4; i++) {
        const int p = first[i], q = p + 2; /* the opposite side */
        if (a->cap_r1[p] != a->cap_r1[q])
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: key 'capacity.r1': %s are %d and %d; expected equal opposite sides (a "
                              "180-degree symmetric vector, routing.md), since R1h cells use the vector "
                              "turned a quarter",
                              source, names[i], a->cap_r1[p], a->cap_r1[q]);
    }
    return MOSAIC_OK;
}

MosaicStatus mosaic_arch_load(MosaicArch *arch, const char *path, const char *const *sets, int nsets,
                              MosaicErr *err) {
    mosaic_arch_default(arch);
    MosaicCfgSection sec = mosaic_arch_config_section(arch);
    if (path) MOSAIC_TRY(mosaic_cfg_load_file(path, &sec, 1, err));
    for (int i = 0; i < nsets; i++) MOSAIC_TRY(mosaic_cfg_set(sets[i], &sec, 1, err));
    return mosaic_arch_validate(arch, path ? path : "--set", err);
}

void mosaic_arch_write_yaml(FILE *out, const MosaicArch *arch) {
    MosaicCfgSection sec = mosaic_arch_config_section((MosaicArch *)arch);
    mosaic_cfg_write(out, &sec, 1);
}

/* ---------------------------------------------------------------------------------------------
 * Tiles and distances
 * ------------------------------------------------------------------------------------------- */

int mosaic_tile_distance(const MosaicArch *arch, int a, int b) {
    int dr = abs(mosaic_tile_row(arch, a) - mosaic_tile_row(arch, b));
    int dc = abs(mosaic_tile_col(arch, a) - mosaic_tile_col(arch, b));
    int D = dr + dc;
    if (D == 0) return 0;
    if (D == 1) return 1;
    /* A straight route steps out into a router row (or column) and back in: two extra routers. */
    if (dr == 0 || dc == 0) return 2 * D + 1;
    return 2 * D - 1;
}

int mosaic_arch_max_distance(const MosaicArch *a) {
    int best = 0;
    int n = mosaic_arch_tiles(a);
    /* The maximum is attained from a corner tile. */
    const int corners[4] = {0, a->cols - 1, (a->rows - 1) * a->cols, n - 1};
    for (int c = 0; c < 4; c++)
        for (int t = 0; t < n; t++) {
            int d = mosaic_tile_distance(a, corners[c], t);
            if (d > best) best = d;
        }
    return best;
}

void mosaic_tiles_at_distance(const MosaicArch *a, int tile, int *counts) {
    int maxd = mosaic_arch_max_distance(a);
    memset(counts, 0, sizeof(int) * (size_t)(maxd + 1));
    int n = mosaic_arch_tiles(a);
    for (int t = 0; t < n; t++) counts[mosaic_tile_distance(a, tile, t)]++;
}

/* ---------------------------------------------------------------------------------------------
 * Cells and ports
 * ------------------------------------------------------------------------------------------- */

MosaicCellKind mosaic_cell_kind(int gr, int gc) {
    int ro = gr & 1, co = gc & 1;
    if (ro && co) return MOSAIC_CELL_NT;
    if (!ro && !co) return MOSAIC_CELL_R0;
    return ro ? MOSAIC_CELL_R1H : MOSAIC_CELL_R1V;
}

const char *mosaic_cell_kind_name(MosaicCellKind kind) {
    static const char *names[] = {"NT", "R1v", "R1h", "R0"};
    return (unsigned)kind < 4 ? names[kind] : "?";
}

const char *mosaic_port_name(int port) {
    static const char *names[] = {"in_N", "in_E", "in_S", "in_W", "out_N", "out_E", "out_S", "out_W"};
    return (unsigned)port < MOSAIC_NPORTS ? names[port] : "?";
}

int mosaic_cell_tile(const MosaicArch *a, int gr, int gc) {
    if (mosaic_cell_kind(gr, gc) != MOSAIC_CELL_NT) return -1;
    return ((gr - 1) / 2) * a->cols + (gc - 1) / 2;
}

int mosaic_count_cells(const MosaicArch *a, MosaicCellKind kind) {
    int R = a->rows, C = a->cols;
    switch (kind) {
    case MOSAIC_CELL_NT: return R * C;
    case MOSAIC_CELL_R1V: return (R + 1) * C;
    case MOSAIC_CELL_R1H: return R * (C + 1);
    case MOSAIC_CELL_R0: return (R + 1) * (C + 1);
    }
    return 0;
}

int mosaic_r1h_to_r1v_port(int port) {
    /* Quarter turn: the R1h's W/E (NT-facing) sides become the R1v frame's N/S. */
    int out = port >= 4;
    int dir = port & 3;
    return out * 4 + ((dir + 1) & 3);
}

int mosaic_port_capacity(const MosaicArch *a, int gr, int gc, int port) {
    switch (mosaic_cell_kind(gr, gc)) {
    case MOSAIC_CELL_NT: return a->cap_nt[port];
    case MOSAIC_CELL_R1V: return a->cap_r1[port];
    case MOSAIC_CELL_R1H: return a->cap_r1[mosaic_r1h_to_r1v_port(port)];
    case MOSAIC_CELL_R0: return a->cap_r0[port];
    }
    return 0;
}

double mosaic_device_step(double gmax, int levels) { return levels >= 2 ? gmax / (levels - 1) : 0.0; }

int mosaic_device_level(double abs_w, double step, int levels) {
    const double c = round(abs_w / step);
    return c >= levels - 1 ? levels - 1 : (int)c;
}

float mosaic_device_level_weight(int level, double step, double sign_of) {
    const double g = level * step;
    return (float)(sign_of < 0 ? -g : g);
}
