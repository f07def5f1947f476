#include "mosaic_sim_result.h"

#include <vector>

namespace {

// Chains writes: the first failure keeps its message and the rest are skipped.
struct Writer {
    MosaicH5File *f;
    MosaicErr *err;
    MosaicStatus st = MOSAIC_OK;
    void ds(const char *name, MosaicH5Type type, std::vector<int64_t> dims, const void *data,
            const char *units, const char *desc) {
        if (st == MOSAIC_OK)
            st = mosaic_h5_write(f, name, type, (int)dims.size(), dims.data(), data, units, desc, err);
    }
    void i64(const char *name, int64_t v, const char *units, const char *desc) {
        ds(name, MOSAIC_H5_I64, {}, &v, units, desc);
    }
};

} // namespace

MosaicStatus mosaic_sim_result_write(const char *path, const MosaicArch *arch, const MosaicSimStats *s,
                                     const MosaicSimSamples *smp, const MosaicProvenance *prov,
                                     MosaicErr *err) {
    MosaicH5File *f = nullptr;
    MOSAIC_TRY(mosaic_h5_create(path, &f, err));
    Writer w{f, err};
    w.st = mosaic_h5_write_provenance(f, prov, err);
    if (w.st == MOSAIC_OK) w.st = mosaic_h5_attr_write_string(f, "/", "format", MOSAIC_SIM_FORMAT, err);
    if (w.st == MOSAIC_OK) w.st = mosaic_h5_attr_write_int64(f, "/", "format_version", 1, err);
    const int64_t S = smp->n_samples, C = smp->n_classes, cells = s->n_cells;
    w.ds("samples/index", MOSAIC_H5_I64, {S}, smp->index, "1", "view index of the sample in the dataset");
    w.ds("samples/label", MOSAIC_H5_I32, {S}, smp->label, "class", "true class");
    w.ds("samples/predicted", MOSAIC_H5_I32, {S}, smp->predicted, "class",
         "argmax of the readout spike counts (lowest class on ties)");
    w.ds("samples/counts", MOSAIC_H5_I32, {S, C}, smp->counts, "spikes", "readout spike counts per sample");
    int correct = 0;
    for (int i = 0; i < smp->n_samples; i++) correct += smp->label[i] == smp->predicted[i];
    const double acc = S ? (double)correct / (double)S : 0.0;
    w.ds("accuracy", MOSAIC_H5_F64, {}, &acc, "1", "fraction of samples predicted correctly on the array");
    std::vector<int32_t> gr((size_t)cells), gc((size_t)cells), kind((size_t)cells);
    for (int c = 0; c < cells; c++) {
        gr[(size_t)c] = c / mosaic_grid_cols(arch);
        gc[(size_t)c] = c % mosaic_grid_cols(arch);
        kind[(size_t)c] = mosaic_cell_kind(gr[(size_t)c], gc[(size_t)c]);
    }
    w.ds("cells/gr", MOSAIC_H5_I32, {cells}, gr.data(), "cell", "grid row of the cell");
    w.ds("cells/gc", MOSAIC_H5_I32, {cells}, gc.data(), "cell", "grid column of the cell");
    w.ds("cells/kind", MOSAIC_H5_I32, {cells}, kind.data(), "enum", "0 NT, 1 R1v, 2 R1h, 3 R0");
    w.ds("ports/spikes", MOSAIC_H5_I64, {cells, 8}, s->port_spikes, "spikes",
         "spikes per port (in_N in_E in_S in_W out_N out_E out_S out_W); routers: read from their RTL "
         "counters");
    w.ds("ports/lines", MOSAIC_H5_I32, {cells, 8}, s->port_lines, "lines", "lines assigned by the mapping");
    w.ds("ports/capacity", MOSAIC_H5_I32, {cells, 8}, s->port_capacity, "lines", "port capacity");
    w.ds("ports/peak_lines", MOSAIC_H5_I32, {cells, 8}, s->peak_lines, "lines",
         "most lines of the port active in one cycle");
    w.ds("lines/spikes", MOSAIC_H5_I64, {cells, 8, s->max_lines}, s->line_spikes, "spikes",
         "spikes per line");
    w.ds("latency/histogram", MOSAIC_H5_I64, {s->max_latency + 1}, s->latency_hist, "deliveries",
         "spike arrivals at NT crossbar rows by hops (routing cycles) from emission, late ones included "
         "(dropped or integrated a step later, see /late); the last bin also counts longer ones");
    w.i64("late/late", s->late, "deliveries", "deliveries that needed more cycles than a step has");
    w.i64("late/late_dropped", s->late_dropped, "deliveries", "late deliveries dropped");
    w.i64("late/deliveries", s->deliveries, "deliveries",
          "all spike arrivals at NT crossbar rows, late ones included (late_dropped of them not integrated)");
    w.i64("late/stray", s->stray, "spikes", "spikes on NT input lines without a programmed row");
    w.i64("late/collisions", s->collisions, "routers", "routers whose collision flag rose");
    w.ds("devices/nt", MOSAIC_H5_I32, {smp->n_tiles}, s->devices_nt, "devices",
         "NT crossbar devices programmed (non-zero weights), by physical tile");
    w.ds("devices/router", MOSAIC_H5_I32, {cells}, s->devices_router, "devices",
         "router crossbar devices ON, read back through the configuration port");
    const int32_t xbar[4] = {s->nt_rows, s->nt_cols, s->r1_side, s->r0_side};
    w.ds("devices/crossbar", MOSAIC_H5_I32, {4}, xbar, "lines",
         "compiled crossbar dimensions of the hardware: NT rows, NT columns, R1 side, R0 side; the devices "
         "a mapping needs (routing memory M) are in the mapping file's /devices");
    w.ds("neurons/spikes", MOSAIC_H5_I64, {smp->n_neurons}, s->neuron_spikes, "spikes",
         "spikes per logical neuron over all samples");
    w.i64("timing/steps", s->steps, "steps", "time steps simulated");
    w.i64("timing/cycles", s->cycles, "cycles", "routing cycles simulated (activity-gated)");
    w.i64("timing/cell_evals", s->cell_evals, "evaluations", "router and NT process activations");
    w.i64("timing/rtl_clocks", s->rtl_clocks, "edges", "clock edges given to the Verilated routers");
    w.i64("timing/cycles_per_step", s->cycles_per_step, "cycles", "routing cycles per step K");
    w.i64("timing/late_policy", s->late_policy, "enum", "0 drop, 1 next_step");
    w.ds("timing/wall_s", MOSAIC_H5_F64, {}, &smp->wall_s, "s", "wall time of the simulation");
    if (w.st != MOSAIC_OK) {
        mosaic_h5_abort(f);
        return w.st;
    }
    return mosaic_h5_commit(f, err);
}
