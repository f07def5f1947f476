// mosaic_sim: the public API over the SystemC array (mosaic_sim_array.h).
#include "mosaic_sim.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "mosaic_sim_array.h"
#include "mosaic_sim_device.h"
#include "mosaic_sim_wave.h"

namespace {

mosaic::Array *g_array = nullptr; // SystemC elaborates once per process
bool g_in_use = false;
bool g_started = false;

// Configuration-port address of crossbar word `word` of input line `row` (rtl/mosaic_router.sv).
uint32_t xbar_addr(int width, int row, int word) {
    const int words = (4 * width + 31) / 32;
    int bits = 1;
    while ((1 << bits) < words) bits++;
    return ((uint32_t)row << bits) | (uint32_t)word;
}
constexpr uint32_t kCountBase = 0x8000, kControl = 0x8008, kIdentity = 0x8009, kWidths = 0x800A;

} // namespace

struct MosaicSim {
    const MosaicNetwork *net = nullptr;
    const MosaicMapping *map = nullptr;
    MosaicNetwork eff{};
    MosaicInbound inbound{};
    MosaicSimOptions opt{};
    MosaicSimStats stats{};
    std::unique_ptr<mosaic::VcdWriter> wave;
};

void mosaic_sim_options_default(MosaicSimOptions *opt) {
    std::memset(opt, 0, sizeof *opt);
    opt->late_policy = -1;
    opt->use_device_model = 1;
    opt->wave_depth = 1;
    opt->wave_last_step = 10;
}

static void stats_free(MosaicSimStats *s) {
    std::free(s->port_spikes);
    std::free(s->line_spikes);
    std::free(s->peak_lines);
    std::free(s->port_lines);
    std::free(s->port_capacity);
    std::free(s->latency_hist);
    std::free(s->neuron_spikes);
    std::free(s->devices_nt);
    std::free(s->devices_router);
    std::memset(s, 0, sizeof *s);
}

MosaicStatus mosaic_sim_close_wave(MosaicSim *sim, MosaicErr *err) {
    if (!sim || !sim->wave) return MOSAIC_OK;
    const bool ok = sim->wave->close();
    const int code = sim->wave->error();
    if (g_array) g_array->engine.wave = nullptr, g_array->engine.wave_on = false;
    sim->wave.reset();
    if (!ok)
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: writing the waveform failed (%s)", sim->opt.wave_path,
                          code ? std::strerror(code) : "a write failed: disk full?");
    return MOSAIC_OK;
}

void mosaic_sim_free(MosaicSim *sim) {
    if (!sim) return;
    if (sim->wave) sim->wave->close();
    if (g_array) {
        g_array->engine.wave = nullptr;
        g_array->engine.stats = nullptr;
    }
    stats_free(&sim->stats);
    mosaic_inbound_free(&sim->inbound);
    mosaic_network_free(&sim->eff);
    delete sim;
    g_in_use = false;
}

void mosaic_sim_router_widths(int *r1, int *r0) {
    *r1 = MOSAIC_R1_WIDTH;
    *r0 = MOSAIC_R0_WIDTH;
}

MosaicStatus mosaic_sim_check_mapping(const MosaicNetwork *net, const MosaicMapping *map, MosaicErr *err) {
    const MosaicArch *a = &net->arch, *m = &map->arch;
    if (a->rows != m->rows || a->cols != m->cols || a->neurons_per_tile != m->neurons_per_tile)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "mapping: array %dx%d with k=%d, but the network is %dx%d with k=%d", m->rows,
                          m->cols, m->neurons_per_tile, a->rows, a->cols, a->neurons_per_tile);
    if (map->n_links != net->n_links)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "mapping: %d links routed, but the network has %d",
                          map->n_links, net->n_links);
    if (!map->conn || !map->rows || !map->lines)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "mapping: built without MOSAIC_MAP_CONFIG (no line assignment)");
    if (map->n_violations > 0) {
        const MosaicViolation *v = &map->violations[0];
        return mosaic_err(err, MOSAIC_ERR_UNMAPPABLE,
                          "the network does not fit the array: %d port(s) over capacity, worst %s (%d,%d) %s "
                          "carries %d lines for capacity %d",
                          map->n_violations, mosaic_cell_kind_name((MosaicCellKind)v->kind), v->gr, v->gc,
                          mosaic_port_name(v->port), v->count, v->capacity);
    }
    const int k = a->neurons_per_tile;
    if (k > 32 || k > MOSAIC_R1_WIDTH)
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "array.neurons_per_tile = %d: the NT drives one R1 line per neuron and the compiled R1 "
            "has %d lines per side (at most 32)",
            k, MOSAIC_R1_WIDTH);
    const int GR = mosaic_grid_rows(a), GC = mosaic_grid_cols(a);
    for (int gr = 0; gr < GR; gr++)
        for (int gc = 0; gc < GC; gc++) {
            const MosaicCellKind kind = mosaic_cell_kind(gr, gc);
            const int width = kind == MOSAIC_CELL_R0 ? MOSAIC_R0_WIDTH : MOSAIC_R1_WIDTH;
            const int cell = mosaic_cell_index(a, gr, gc);
            for (int p = 0; p < MOSAIC_NPORTS; p++) {
                const int lines = map->lines[mosaic_cp(cell, p)];
                if (lines > width)
                    return mosaic_err(
                        err, MOSAIC_ERR_INPUT,
                        "mapping: %s (%d,%d) port %s needs %d lines but the compiled router RTL "
                        "has %d per side",
                        mosaic_cell_kind_name(kind), gr, gc, mosaic_port_name(p), lines, width);
            }
        }
    return MOSAIC_OK;
}

// Writes every crossbar word of every router through its configuration port, then reads all back.
static MosaicStatus program_routers(MosaicSim *sim, mosaic::Array *array, MosaicErr *err) {
    const MosaicMapping *map = sim->map;
    for (auto &rp : array->routers) {
        if (!rp) continue;
        mosaic::RouterTile &r = *rp;
        r.catch_up();
        const int W = r.width(), lines = 4 * W, words = (lines + 31) / 32, cell = r.cell();
        std::vector<uint32_t> mem((size_t)lines * words, 0);
        for (int i = map->conn_offset[cell]; i < map->conn_offset[cell + 1]; i++) {
            const MosaicXbarConn &c = map->conn[i];
            const int row = c.in_port * W + c.in_line, col = (c.out_port - MOSAIC_OUT_N) * W + c.out_line;
            mem[(size_t)row * words + col / 32] |= 1u << (col % 32);
        }
        for (int row = 0; row < lines; row++)
            for (int w = 0; w < words; w++)
                r.model().write(xbar_addr(W, row, w), mem[(size_t)row * words + w]);
        r.model().write(kControl, 3); // clear the collision flag and the spike counters
        r.clear_run_state();
        int gr = cell / mosaic_grid_cols(&map->arch), gc = cell % mosaic_grid_cols(&map->arch);
        const uint32_t id = r.model().read(kIdentity), widths = r.model().read(kWidths);
        if (id != ((uint32_t)gc << 8 | (uint32_t)gr) || (widths & 0xff) != (uint32_t)W)
            return mosaic_err(err, MOSAIC_ERR_INTERNAL,
                              "router (%d,%d): identity register reads 0x%x, widths 0x%x", gr, gc, id,
                              widths);
        int on = 0;
        for (int row = 0; row < lines; row++)
            for (int w = 0; w < words; w++) {
                const uint32_t got = r.model().read(xbar_addr(W, row, w)),
                               want = mem[(size_t)row * words + w];
                if (got != want)
                    return mosaic_err(err, MOSAIC_ERR_INTERNAL,
                                      "router (%d,%d): crossbar row %d word %d reads back 0x%08x, programmed "
                                      "0x%08x",
                                      gr, gc, row, w, got, want);
                on += __builtin_popcount(got);
            }
        sim->stats.devices_router[cell] = on;
    }
    return MOSAIC_OK;
}

static MosaicStatus stats_alloc(MosaicSimStats *s, const MosaicNetwork *net, const MosaicMapping *map,
                                MosaicErr *err) {
    const MosaicArch *a = &net->arch;
    s->n_cells = mosaic_cells(a);
    s->max_lines = std::max({MOSAIC_R1_WIDTH, MOSAIC_R0_WIDTH, a->neurons_per_tile});
    s->max_latency = std::max(map->max_route, 1) + 1;
    const size_t cp = (size_t)s->n_cells * MOSAIC_NPORTS;
    s->port_spikes = (int64_t *)std::calloc(cp, sizeof(int64_t));
    s->line_spikes = (int64_t *)std::calloc(cp * s->max_lines, sizeof(int64_t));
    s->peak_lines = (int32_t *)std::calloc(cp, sizeof(int32_t));
    s->port_lines = (int32_t *)std::calloc(cp, sizeof(int32_t));
    s->port_capacity = (int32_t *)std::calloc(cp, sizeof(int32_t));
    s->latency_hist = (int64_t *)std::calloc((size_t)s->max_latency + 1, sizeof(int64_t));
    s->neuron_spikes = (int64_t *)std::calloc((size_t)mosaic_arch_neurons(a), sizeof(int64_t));
    s->devices_nt = (int32_t *)std::calloc((size_t)mosaic_arch_tiles(a), sizeof(int32_t));
    s->devices_router = (int32_t *)std::calloc((size_t)s->n_cells, sizeof(int32_t));
    if (!s->port_spikes || !s->line_spikes || !s->peak_lines || !s->port_lines || !s->port_capacity ||
        !s->latency_hist || !s->neuron_spikes || !s->devices_nt || !s->devices_router)
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "simulator statistics: out of memory");
    const int GC = mosaic_grid_cols(a);
    for (int cell = 0; cell < s->n_cells; cell++)
        for (int p = 0; p < MOSAIC_NPORTS; p++) {
            s->port_lines[cell * MOSAIC_NPORTS + p] = map->lines[mosaic_cp(cell, p)];
            s->port_capacity[cell * MOSAIC_NPORTS + p] = mosaic_port_capacity(a, cell / GC, cell % GC, p);
        }
    const int k = a->neurons_per_tile;
    // NT crossbar: one row per input line of the four sides plus the k x k block (input or recurrent).
    s->nt_rows =
        a->cap_nt[MOSAIC_IN_N] + a->cap_nt[MOSAIC_IN_E] + a->cap_nt[MOSAIC_IN_S] + a->cap_nt[MOSAIC_IN_W] + k;
    s->nt_cols = k;
    s->r1_side = 4 * MOSAIC_R1_WIDTH;
    s->r0_side = 4 * MOSAIC_R0_WIDTH;
    return MOSAIC_OK;
}

// Devices an NT crossbar has programmed: the non-zero weights of its block and of its link rows, as
// programmed (a weight the device model rounded to level 0, or a pair stuck off, holds no device).
static void count_nt_devices(MosaicSim *sim) {
    const MosaicNetwork *net = &sim->eff;
    const MosaicMapping *map = sim->map;
    const int k = net->arch.neurons_per_tile, tiles = mosaic_arch_tiles(&net->arch);
    for (int p = 0; p < tiles; p++) {
        const int t = map->inverse[p];
        int n = 0;
        const MosaicBlockKind kind = mosaic_network_block_kind(net, t);
        const float *block = kind == MOSAIC_BLOCK_INPUT       ? net->w_in + (size_t)t * k * k
                             : kind == MOSAIC_BLOCK_RECURRENT ? net->w_intra + (size_t)t * k * k
                                                              : nullptr;
        if (block)
            for (int i = 0; i < k * k; i++) n += block[i] != 0.0f;
        for (int r = map->row_offset[p]; r < map->row_offset[p + 1]; r++) {
            const float *w = net->link_w + (size_t)map->rows[r].link * k;
            for (int j = 0; j < k; j++) n += w[j] != 0.0f;
        }
        sim->stats.devices_nt[p] = n;
    }
}

MosaicStatus mosaic_sim_create(MosaicSim **out, const MosaicNetwork *net, const MosaicMapping *map,
                               const MosaicSimOptions *opt_in, MosaicErr *err) {
    *out = nullptr;
    MosaicSimOptions opt;
    if (opt_in)
        opt = *opt_in;
    else
        mosaic_sim_options_default(&opt);
    if (g_in_use)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "simulator: only one simulation may exist at a time per process");
    MOSAIC_TRY(mosaic_sim_check_mapping(net, map, err));
    const MosaicArch *a = &net->arch;
    if (g_array) {
        const MosaicArch &e = g_array->arch();
        if (e.rows != a->rows || e.cols != a->cols || e.neurons_per_tile != a->neurons_per_tile)
            return mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "simulator: this process already elaborated a %dx%d array (SystemC elaborates once); "
                "a %dx%d array needs a new process",
                e.rows, e.cols, a->rows, a->cols);
    } else {
        // Libraries never print: SystemC's banner goes to stdout when its kernel starts unless this is set.
        setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
        g_array = new mosaic::Array("mosaic", *a);
    }
    std::unique_ptr<MosaicSim> sim(new MosaicSim);
    sim->net = net;
    sim->map = map;
    sim->opt = opt;
    MosaicStatus st = stats_alloc(&sim->stats, net, map, err);
    if (st != MOSAIC_OK) {
        stats_free(&sim->stats);
        return st;
    }
    MosaicDeviceModel dev = a->device;
    if (!opt.use_device_model) dev.ideal = true;
    st = mosaic_device_program(&sim->eff, net, &dev, err);
    if (st == MOSAIC_OK) st = mosaic_inbound_build(&sim->inbound, &sim->eff, err);
    if (st != MOSAIC_OK) {
        stats_free(&sim->stats);
        mosaic_network_free(&sim->eff);
        return st;
    }
    g_in_use = true; // from here on mosaic_sim_free releases everything
    MosaicSim *s = sim.release();
    MosaicSimStats *stats = &s->stats;
    mosaic::Engine &e = g_array->engine;
    e.net = &s->eff;
    e.inbound = &s->inbound;
    e.K = opt.cycles_per_step > 0  ? opt.cycles_per_step
          : a->cycles_per_step > 0 ? a->cycles_per_step
                                   : std::max(map->max_route, 1);
    e.late_policy = opt.late_policy >= 0 ? opt.late_policy : a->late_policy;
    e.naive = opt.naive;
    e.read_sigma = dev.ideal ? 0.0 : dev.read_noise * mosaic_device_gmax_of(&dev, mosaic_device_gmax(net));
    e.read_seed = (uint64_t)dev.seed ^ 0x5eadull;
    e.record_raster = opt.record_raster;
    e.stats = stats;
    e.wake_next.clear();
    e.global_step = 0;
    e.wave = nullptr;
    e.wave_on = false;
    e.wave_depth = opt.wave_depth;
    e.wave_first = opt.wave_first_step;
    e.wave_last = opt.wave_last_step;
    stats->cycles_per_step = e.K;
    stats->late_policy = e.late_policy;

    st = program_routers(s, g_array, err);
    if (st != MOSAIC_OK) {
        mosaic_sim_free(s);
        return st;
    }
    for (int p = 0; p < mosaic_arch_tiles(a); p++)
        g_array->tiles[(size_t)p]->program(map->inverse[p], map->rows + map->row_offset[p],
                                           map->row_offset[p + 1] - map->row_offset[p], stats->max_lines);
    count_nt_devices(s);
    if (opt.wave_path) {
        s->wave.reset(new mosaic::VcdWriter);
        if (!s->wave->open(opt.wave_path)) {
            const int e_no = errno;
            mosaic_sim_free(s);
            return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create the waveform file: %s", opt.wave_path,
                              std::strerror(e_no));
        }
        e.wave = s->wave.get();
        g_array->declare_wave(*s->wave);
    }
    *out = s;
    return MOSAIC_OK;
}

MosaicStatus mosaic_sim_run(MosaicSim *sim, const uint8_t *x, int steps, int32_t *counts, int *predicted,
                            MosaicErr *err) {
    const MosaicNetwork *net = sim->net;
    const int N = mosaic_arch_neurons(&net->arch), C = net->n_classes;
    if (steps < 1)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "simulator: a sample needs at least one step, got %d",
                          steps);
    mosaic::Engine &e = g_array->engine;
    std::vector<int64_t> before(sim->stats.neuron_spikes + N - C, sim->stats.neuron_spikes + N);
    if (e.record_raster) e.raster.assign((size_t)steps * N, 0);
    if (!g_started) {
        // Elaboration and initialisation: the controller thread must be waiting before it is notified.
        sc_core::sc_start(sc_core::SC_ZERO_TIME);
        g_started = true;
    }
    g_array->start(x, steps);
    sc_core::sc_start();
    sim->stats.samples++;
    int best = 0;
    for (int c = 0; c < C; c++) {
        const int64_t n = sim->stats.neuron_spikes[N - C + c] - before[(size_t)c];
        if (counts) counts[c] = (int32_t)n;
        if (n > sim->stats.neuron_spikes[N - C + best] - before[(size_t)best]) best = c;
    }
    if (predicted) *predicted = best;
    return MOSAIC_OK;
}

const uint8_t *mosaic_sim_raster(const MosaicSim *sim, int *steps) {
    (void)sim;
    const mosaic::Engine &e = g_array->engine;
    if (!e.record_raster || e.raster.empty()) {
        if (steps) *steps = 0;
        return nullptr;
    }
    if (steps) *steps = (int)(e.raster.size() / (size_t)mosaic_arch_neurons(&e.net->arch));
    return e.raster.data();
}

// Input-port statistics from the outputs that feed them (the cells count only what they drive); an NT's
// spikes leave on all four sides and are counted once, as out_N.
static void fill_input_stats(MosaicSimStats *s, const MosaicArch *a) {
    const int GR = mosaic_grid_rows(a), GC = mosaic_grid_cols(a), L = s->max_lines;
    for (int cell = 0; cell < s->n_cells; cell++) {
        if (mosaic_cell_kind(cell / GC, cell % GC) != MOSAIC_CELL_NT) continue;
        for (int p = MOSAIC_OUT_E; p <= MOSAIC_OUT_W; p++) {
            std::memcpy(s->line_spikes + ((size_t)cell * MOSAIC_NPORTS + p) * L,
                        s->line_spikes + ((size_t)cell * MOSAIC_NPORTS + MOSAIC_OUT_N) * L,
                        sizeof(int64_t) * L);
            s->peak_lines[cell * MOSAIC_NPORTS + p] = s->peak_lines[cell * MOSAIC_NPORTS + MOSAIC_OUT_N];
        }
    }
    for (int cell = 0; cell < s->n_cells; cell++) {
        const int gr = cell / GC, gc = cell % GC;
        for (int side = 0; side < 4; side++) {
            const int r = gr + mosaic_dir_dr(side), c = gc + mosaic_dir_dc(side);
            int64_t *dst = s->line_spikes + ((size_t)cell * MOSAIC_NPORTS + MOSAIC_IN_N + side) * L;
            int32_t *peak = s->peak_lines + cell * MOSAIC_NPORTS + MOSAIC_IN_N + side;
            if (r < 0 || c < 0 || r >= GR || c >= GC) {
                std::memset(dst, 0, sizeof(int64_t) * L);
                *peak = 0;
                continue;
            }
            const int from =
                (mosaic_cell_index(a, r, c)) * MOSAIC_NPORTS + MOSAIC_OUT_N + mosaic_opposite_dir(side);
            std::memcpy(dst, s->line_spikes + (size_t)from * L, sizeof(int64_t) * L);
            *peak = s->peak_lines[from];
        }
    }
}

const MosaicSimStats *mosaic_sim_stats(MosaicSim *sim) {
    MosaicSimStats *s = &sim->stats;
    fill_input_stats(s, &sim->net->arch);
    for (int cell = 0; cell < s->n_cells; cell++) {
        int64_t *ports = s->port_spikes + (size_t)cell * MOSAIC_NPORTS;
        if (g_array->routers[(size_t)cell]) {
            // The routers count in hardware; read their counters through the configuration port.
            g_array->routers[(size_t)cell]->catch_up();
            for (int p = 0; p < MOSAIC_NPORTS; p++)
                ports[p] = g_array->routers[(size_t)cell]->model().read(kCountBase + (uint32_t)p);
        } else {
            for (int p = 0; p < MOSAIC_NPORTS; p++) {
                const int64_t *line = s->line_spikes + ((size_t)cell * MOSAIC_NPORTS + p) * s->max_lines;
                int64_t sum = 0;
                for (int l = 0; l < s->max_lines; l++) sum += line[l];
                ports[p] = sum;
            }
        }
    }
    return s;
}

int mosaic_sim_read_device(MosaicSim *sim, int cell, int in_port, int in_line, int out_port, int out_line) {
    (void)sim;
    if (cell < 0 || cell >= (int)g_array->routers.size() || !g_array->routers[(size_t)cell]) return -1;
    mosaic::RouterTile &r = *g_array->routers[(size_t)cell];
    const int W = r.width();
    if (in_port < MOSAIC_IN_N || in_port > MOSAIC_IN_W || out_port < MOSAIC_OUT_N ||
        out_port > MOSAIC_OUT_W || in_line < 0 || in_line >= W || out_line < 0 || out_line >= W)
        return -1;
    const int row = in_port * W + in_line, col = (out_port - MOSAIC_OUT_N) * W + out_line;
    return (int)((r.model().read(xbar_addr(W, row, col / 32)) >> (col % 32)) & 1u);
}
