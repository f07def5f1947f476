/* mosaic_sim_array: the SystemC modules of the array (internal to sim/).
 *
 *   RouterTile  one R1/R0 cell: a Verilated mosaic_router behind sc_in/sc_signal ports;
 *   NeuronTile  one NT: k LIF neurons (train/mosaic_lif.h), the NT crossbar rows (input side/line ->
 *               source) and the spike output into its four R1s;
 *   Array       the top module: elaborates the cells from the architecture, binds neighbours and runs
 *               the time-step structure (mosaic-reference.md §8) in one SC_THREAD.
 *
 * One routing cycle is one nanosecond of simulated time. Every cell is an SC_METHOD statically
 * sensitive to its own wake event and to the array's clock event. Activity-gated, the controller
 * notifies (immediately) only the wake events of the cells a neighbour drove a spike into during the
 * previous cycle: an idle cell is never activated, and the phase ends when no cell is queued. Naive, it
 * notifies the clock event, and every cell runs every cycle. Either way the cells run in the cycle's
 * evaluation phase and their sc_signal writes land at its update phase, so a cell reads at cycle c what
 * its neighbours wrote at cycle c-1: the registered one-hop-per-cycle semantics of the RTL. */
#ifndef MOSAIC_SIM_ARRAY_H
#define MOSAIC_SIM_ARRAY_H

#include <systemc>

#include <memory>
#include <vector>

#include "mosaic_lif.h"
#include "mosaic_sim.h"
#include "mosaic_sim_wave.h"

class VerilatedContext;

namespace mosaic {

class RouterTile;

// A cell's wake event and the cycle it is queued for (so that two neighbours queue it once).
struct Wake {
    sc_core::sc_event ev;
    uint64_t queued = ~0ull;
};

// The state every cell of one run shares: timing, policies, statistics and the waveform.
struct Engine {
    const MosaicNetwork *net = nullptr; // effective weights (after the device model)
    const MosaicInbound *inbound = nullptr;
    int K = 1; // routing cycles per step
    int late_policy = MOSAIC_LATE_DROP;
    bool naive = false;
    double read_sigma = 0.0; // read noise per device read, absolute
    uint64_t read_seed = 0;
    int phase_cycle = 0; // cycle of the routing phase being evaluated (0 = step update)
    // Cells a spike reaches in the next cycle (queued while the current one is evaluated) and the cells
    // being evaluated now; in naive mode the queue only tells whether spikes are still in flight.
    std::vector<Wake *> wake_next, wake_cur;
    // Routers whose registered outputs carry spikes this cycle; next cycle the controller drops those
    // outputs for every one of them that no input spike wakes (an idle router costs no activation).
    std::vector<RouterTile *> clear_next, clear_cur;
    sc_core::sc_event clock; // naive: every cell, every cycle
    uint64_t now = 0;        // global cycle counter (waveform time)
    int64_t global_step = 0;
    bool record_raster = false;
    std::vector<uint8_t> raster; // (steps, N)
    int step = 0;
    MosaicSimStats *stats = nullptr;
    VcdWriter *wave = nullptr;
    bool wave_on = false;
    int64_t wave_first = 0, wave_last = 0; // global steps [first, last) traced
    int wave_depth = 1;

    // Queues a neighbour for the next cycle (once, however many cells drive spikes into it).
    void queue(Wake *w) {
        if (w->queued == now + 1) return;
        w->queued = now + 1;
        wake_next.push_back(w);
    }
};

// A Verilated R1 or R0 model behind one interface (one C++ class per compiled width, toolchain P12).
class RouterModel {
  public:
    virtual ~RouterModel() = default;
    // One clock edge with `in` on the input ports; returns the registered outputs and the error flag.
    virtual void clock(const uint32_t in[4], uint32_t out[4], bool *err) = 0;
    virtual void write(uint32_t addr, uint32_t data) = 0; // configuration port, one clock edge
    virtual uint32_t read(uint32_t addr) = 0;             // configuration port, combinational
};

class RouterTile : public sc_core::sc_module {
  public:
    SC_HAS_PROCESS(RouterTile);
    RouterTile(sc_core::sc_module_name name, Engine *engine, VerilatedContext *ctx, int gr, int gc, int cell);
    ~RouterTile() override;

    sc_core::sc_in<uint32_t> in_n, in_e, in_s, in_w;
    // Written by the router's own method when it is woken, or by the controller thread (idle_clear) in
    // a later delta of a cycle in which it was not.
    sc_core::sc_signal<uint32_t, sc_core::SC_MANY_WRITERS> out_n, out_e, out_s, out_w;
    Wake wake;
    Wake *wake_nb[4] = {nullptr, nullptr, nullptr, nullptr}; // neighbour in direction N..W

    int width() const { return width_; }
    int cell() const { return cell_; }
    RouterModel &model() { return *model_; }
    void reserve_wave(VcdWriter &w);
    void declare_wave(VcdWriter &w, const int *in_ids);
    int wave_out(int side) const { return wave_out_[side]; }
    void clear_run_state();
    // The cycle after a burst without input spikes (the router is not queued for this cycle): outputs
    // drop to zero; the RTL clock is deferred.
    void idle_clear();
    // Gives the RTL the idle clock edge the gating skipped (before its counters are read).
    void catch_up();

  private:
    void tick();
    Engine *e_;
    std::unique_ptr<RouterModel> model_;
    int gr_, gc_, cell_, width_;
    uint32_t cur_out_[4] = {0, 0, 0, 0};
    bool err_seen_ = false;
    bool rtl_behind_ = false; // the RTL still holds outputs of a cycle whose idle successor was skipped
    int wave_out_[4] = {-1, -1, -1, -1}, wave_err_ = -1;
    sc_core::sc_in<uint32_t> *in_[4];
    sc_core::sc_signal<uint32_t, sc_core::SC_MANY_WRITERS> *out_[4];
};

class NeuronTile : public sc_core::sc_module {
  public:
    SC_HAS_PROCESS(NeuronTile);
    NeuronTile(sc_core::sc_module_name name, Engine *engine, int phys_tile, int cell);

    sc_core::sc_in<uint32_t> in_n, in_e, in_s, in_w;
    // Line i = neuron i of the tile, a one-cycle pulse, written only from the controller thread
    // (update, end_pulse).
    sc_core::sc_signal<uint32_t> spikes;
    Wake wake;
    Wake *wake_r1[4] = {nullptr, nullptr, nullptr, nullptr};

    // Programs the NT crossbar rows from the mapping; logical tile hosted here.
    void program(int logical_tile, const MosaicNtRow *rows, int n_rows, int max_lines);
    void reset_state();
    void update(const uint8_t *x); // the step-t update at phase cycle 0
    void end_pulse();              // drops the spike lines after their one cycle (phase cycle 1)
    void reserve_wave(VcdWriter &w);
    void declare_wave(VcdWriter &w, const int *in_ids);
    int wave_spikes() const { return wave_spikes_; }

  private:
    void tick();
    // One spike of source slot `slot` into the step-(t+1) (next) or step-(t+2) (after) integration.
    static void arrive(std::vector<uint64_t> &bits, std::vector<uint8_t> &count, int slot) {
        bits[(size_t)slot >> 6] |= 1ull << (slot & 63);
        count[(size_t)slot]++;
    }
    Engine *e_;
    int phys_, cell_, logical_ = 0, k_;
    int max_lines_ = 32;
    // The crossbar rows by source: slot s is the s-th source (ascending neuron id) whose spikes this
    // tile integrates, either another tile's neuron over a link or, for a recurrent block, one of its
    // own neurons; row_w_[s] is the weight row (k) it adds. Walking arrived slots in ascending order is
    // the canonical accumulation order of mosaic_lif_tile_current, with no sort per step.
    std::vector<const float *> row_w_;
    std::vector<int32_t> row_slot_; // (4, max_lines) slot of the link an input line carries, or -1
    std::vector<int32_t> own_slot_; // (k) slot of own neuron i, or -1 (input block: no row)
    // Arrivals integrated at the next update and at the one after (late spikes delivered a step late):
    // a bitmap over slots and a count per slot (a source can arrive twice: late and in time).
    std::vector<uint64_t> next_bits_, after_bits_;
    std::vector<uint8_t> next_count_, after_count_;
    int next_n_ = 0, after_n_ = 0; // arrivals (rows), for the read-noise model
    std::vector<float> v_, current_;
    std::vector<uint8_t> z_;
    uint32_t cur_z_ = 0;      // z_ as a bit mask (the spikes of the last update)
    uint32_t cur_spikes_ = 0; // what the spike lines carry now
    sc_core::sc_in<uint32_t> *in_[4];
    int wave_spikes_ = -1;
    std::vector<int> wave_v_;
};

class Array : public sc_core::sc_module {
  public:
    SC_HAS_PROCESS(Array);
    Array(sc_core::sc_module_name name, const MosaicArch &arch);
    ~Array() override;

    const MosaicArch &arch() const { return arch_; }
    Engine engine;
    std::vector<std::unique_ptr<RouterTile>> routers; // by cell index (null for NT cells)
    std::vector<std::unique_ptr<NeuronTile>> tiles;   // by physical tile

    // Runs one sample inside the simulation (called from mosaic_sim_run through sc_start).
    void start(const uint8_t *x, int steps);
    void declare_wave(VcdWriter &w);

  private:
    void controller();
    void run_sample();
    MosaicArch arch_;
    std::unique_ptr<VerilatedContext> ctx_;
    sc_core::sc_signal<uint32_t> zero_;
    sc_core::sc_event start_ev_;
    const uint8_t *x_ = nullptr;
    int steps_ = 0;
    int wave_step_ = -1, wave_cycle_ = -1, wave_late_ = -1;
};

} // namespace mosaic

#endif
