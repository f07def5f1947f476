// The Verilated headers come before <systemc>: with SYSTEMC_VERSION defined they expect a SystemC-mode
// model (these are plain C++ models driven from SystemC processes).
#include "Vmosaic_router_r0.h"
#include "Vmosaic_router_r1.h"
#include "verilated.h"

#include "mosaic_sim_array.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <cmath>
#include <cstring>
#include <string>

#include "mosaic_rng.h"

namespace mosaic {

using sc_core::SC_NS;
using sc_core::sc_time;

// One routing clock cycle. Built once: constructing an sc_time from a double on every notification
// shows up in profiles.
static const sc_time &cycle_time() {
    static const sc_time t(1, SC_NS);
    return t;
}

// ---------------------------------------------------------------------------------------------
// Verilated router models behind one interface (one class per compiled width, P12)
// ---------------------------------------------------------------------------------------------

template <class V> class RouterModelT final : public RouterModel {
  public:
    RouterModelT(VerilatedContext *ctx, const char *name, int gr, int gc) : m_(new V(ctx, name)) {
        m_->row_i = (uint8_t)gr;
        m_->col_i = (uint8_t)gc;
        m_->cfg_we_i = 0;
        m_->clk_i = 0;
        m_->rst_ni = 0;
        m_->eval();
        m_->rst_ni = 1;
        m_->eval();
    }
    void clock(const uint32_t in[4], uint32_t out[4], bool *err) override {
        m_->in_n_i = in[0];
        m_->in_e_i = in[1];
        m_->in_s_i = in[2];
        m_->in_w_i = in[3];
        m_->clk_i = 1;
        m_->eval();
        m_->clk_i = 0;
        m_->eval();
        out[0] = m_->out_n_o;
        out[1] = m_->out_e_o;
        out[2] = m_->out_s_o;
        out[3] = m_->out_w_o;
        *err = m_->err_o;
    }
    void write(uint32_t addr, uint32_t data) override {
        m_->in_n_i = 0;
        m_->in_e_i = 0;
        m_->in_s_i = 0;
        m_->in_w_i = 0;
        m_->cfg_addr_i = (uint16_t)addr;
        m_->cfg_wdata_i = data;
        m_->cfg_we_i = 1;
        m_->clk_i = 1;
        m_->eval();
        m_->clk_i = 0;
        m_->cfg_we_i = 0;
        m_->eval();
    }
    uint32_t read(uint32_t addr) override {
        m_->cfg_addr_i = (uint16_t)addr;
        m_->eval();
        return m_->cfg_rdata_o;
    }

  private:
    std::unique_ptr<V> m_;
};

// ---------------------------------------------------------------------------------------------
// Statistics helpers
// ---------------------------------------------------------------------------------------------

// Output ports only: an input port carries exactly what the neighbour's facing output port drives, so
// input statistics are filled in from the outputs when they are read (mosaic_sim_stats).
static inline void count_lines(MosaicSimStats *s, int cell, int port, uint32_t bits) {
    if (!bits) return;
    const int idx = cell * MOSAIC_NPORTS + port;
    const int pop = __builtin_popcount(bits);
    if (pop > s->peak_lines[idx]) s->peak_lines[idx] = pop;
    int64_t *line = s->line_spikes + (size_t)idx * s->max_lines;
    while (bits) {
        line[__builtin_ctz(bits)]++;
        bits &= bits - 1;
    }
}

static const char *const kSide[4] = {"N", "E", "S", "W"};

// Module names carry the kind and the grid coordinates: nt_1_1, r1_0_1, r0_2_2.
static std::string cell_name(int gr, int gc) {
    const MosaicCellKind kind = mosaic_cell_kind(gr, gc);
    const char *prefix = kind == MOSAIC_CELL_NT ? "nt" : kind == MOSAIC_CELL_R0 ? "r0" : "r1";
    return std::string(prefix) + "_" + std::to_string(gr) + "_" + std::to_string(gc);
}

// ---------------------------------------------------------------------------------------------
// RouterTile
// ---------------------------------------------------------------------------------------------

RouterTile::RouterTile(sc_core::sc_module_name name, Engine *engine, VerilatedContext *ctx, int gr, int gc,
                       int cell)
    : sc_module(name), in_n("in_N"), in_e("in_E"), in_s("in_S"), in_w("in_W"), out_n("out_N"), out_e("out_E"),
      out_s("out_S"), out_w("out_W"), e_(engine), gr_(gr), gc_(gc), cell_(cell) {
    const bool r0 = mosaic_cell_kind(gr, gc) == MOSAIC_CELL_R0;
    const std::string vname = std::string(this->name()) + ".rtl";
    if (r0) {
        model_.reset(new RouterModelT<Vmosaic_router_r0>(ctx, vname.c_str(), gr, gc));
        width_ = MOSAIC_R0_WIDTH;
    } else {
        model_.reset(new RouterModelT<Vmosaic_router_r1>(ctx, vname.c_str(), gr, gc));
        width_ = MOSAIC_R1_WIDTH;
    }
    in_[0] = &in_n, in_[1] = &in_e, in_[2] = &in_s, in_[3] = &in_w;
    out_[0] = &out_n, out_[1] = &out_e, out_[2] = &out_s, out_[3] = &out_w;
    SC_METHOD(tick);
    sensitive << wake.ev << engine->clock;
    dont_initialize();
}

RouterTile::~RouterTile() = default;

void RouterTile::clear_run_state() { err_seen_ = false; }

// The cycle after a burst, when no input spike woke the router: the crossbar registers all-zero outputs,
// which is all the RTL clock would do besides counting the outputs it held. That clock is deferred to the
// next active edge (or catch_up), whose counters take the held outputs into account exactly once, so the
// hardware counters stay exact while an idle router costs no process activation.
void RouterTile::idle_clear() {
    if (wake.queued == e_->now) return; // evaluated this cycle: its method sets the outputs
    for (int s = 0; s < 4; s++)
        if (cur_out_[s]) {
            rtl_behind_ = true;
            out_[s]->write(0);
            cur_out_[s] = 0;
            if (e_->wave_on) e_->wave->change(wave_out_[s], 0);
        }
}

void RouterTile::catch_up() {
    if (!rtl_behind_) return;
    const uint32_t zero[4] = {0, 0, 0, 0};
    uint32_t out[4];
    bool err = false;
    model_->clock(zero, out, &err);
    rtl_behind_ = false;
}

void RouterTile::tick() {
    Engine &e = *e_;
    MosaicSimStats *st = e.stats;
    st->cell_evals++;
    uint32_t in[4], out[4];
    for (int s = 0; s < 4; s++) in[s] = in_[s]->read();
    // Woken because a neighbour drove a spike into it (or, naive, every cycle): one clock edge. Its idle
    // successors are not evaluated (idle_clear), and this edge also stands for the last of them.
    bool err = false;
    model_->clock(in, out, &err);
    rtl_behind_ = false;
    st->rtl_clocks++;
    bool any = false;
    for (int s = 0; s < 4; s++) {
        if (out[s] != cur_out_[s]) {
            out_[s]->write(out[s]);
            cur_out_[s] = out[s];
            if (e.wave_on) e.wave->change(wave_out_[s], out[s]);
        }
        if (out[s]) {
            any = true;
            count_lines(st, cell_, MOSAIC_OUT_N + s, out[s]);
            if (wake_nb[s]) e.queue(wake_nb[s]);
        }
    }
    if (any && !e.naive) e.clear_next.push_back(this); // dropped next cycle unless an input spike wakes it
    if (err && !err_seen_) {
        err_seen_ = true;
        st->collisions++;
        if (e.wave_on && wave_err_ >= 0) e.wave->change(wave_err_, 1);
    }
}

void RouterTile::reserve_wave(VcdWriter &w) {
    for (int s = 0; s < 4; s++) wave_out_[s] = w.reserve(width_);
}

void RouterTile::declare_wave(VcdWriter &w, const int *in_ids) {
    w.scope(basename());
    for (int s = 0; s < 4; s++) w.declare(std::string("out_") + kSide[s], wave_out_[s]);
    if (e_->wave_depth >= 2) {
        for (int s = 0; s < 4; s++)
            if (in_ids[s] >= 0) w.declare(std::string("in_") + kSide[s], in_ids[s]);
        wave_err_ = w.wire("err", 1);
    }
    w.upscope();
}

// ---------------------------------------------------------------------------------------------
// NeuronTile
// ---------------------------------------------------------------------------------------------

// The accumulation gets an AVX2 clone chosen at load time, as the engine's own kernels do: lane-wise
// additions in the written order, so the sums do not depend on the clone.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(MOSAIC_NO_CLONES)
#define SIM_HOT_ __attribute__((target_clones("avx2", "default")))
#else
#define SIM_HOT_
#endif

typedef float Vec8 __attribute__((vector_size(32)));

// cur (k) += the rows of the slots set in bits (words of 64 slots), by ascending slot, each as many times
// as count says; clears bits and count. For k = 32 the partial sums stay in four 8-lane registers.
SIM_HOT_ static void add_arrived_rows(float *cur, int k, uint64_t *bits, size_t words, uint8_t *count,
                                      const float *const *rows) {
    if (k == 32) {
        Vec8 acc[4];
        std::memcpy(acc, cur, sizeof acc);
        for (size_t w = 0; w < words; w++) {
            for (uint64_t b = bits[w]; b; b &= b - 1) {
                const size_t slot = w * 64 + (size_t)__builtin_ctzll(b);
                const float *row = rows[slot];
                for (int n = count[slot]; n > 0; n--)
                    for (int q = 0; q < 4; q++) {
                        Vec8 r;
                        std::memcpy(&r, row + 8 * q, sizeof r);
                        acc[q] += r;
                    }
                count[slot] = 0;
            }
            bits[w] = 0;
        }
        std::memcpy(cur, acc, sizeof acc);
        return;
    }
    for (size_t w = 0; w < words; w++) {
        for (uint64_t b = bits[w]; b; b &= b - 1) {
            const size_t slot = w * 64 + (size_t)__builtin_ctzll(b);
            const float *row = rows[slot];
            for (int n = count[slot]; n > 0; n--)
                for (int j = 0; j < k; j++) cur[j] += row[j];
            count[slot] = 0;
        }
        bits[w] = 0;
    }
}

// The shared LIF step kernel for the usual k = 32: a constant trip count and an AVX2 clone let it
// vectorise; the arithmetic per neuron is the kernel's (no FMA: the clone enables AVX2 only).
SIM_HOT_ static void lif_step32(float alpha, float thr, float *v, uint8_t *z, const float *current) {
    mosaic_lif_step(32, alpha, thr, v, z, current);
}

// z (k <= 32 bytes of 0/1) as a bit mask, bit i = z[i]: eight bytes at a time, the multiply gathers
// byte i's low bit into bit 56 + i (no two partial products meet, so no carries).
static inline uint32_t pack_spikes(const uint8_t *z, int k) {
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "pack_spikes reads bytes little-endian");
    uint32_t bits = 0;
    int i = 0;
    for (; i + 8 <= k; i += 8) {
        uint64_t w;
        std::memcpy(&w, z + i, 8);
        bits |= (uint32_t)((w * 0x0102040810204080ull) >> 56) << i;
    }
    for (; i < k; i++) bits |= (uint32_t)z[i] << i;
    return bits;
}

NeuronTile::NeuronTile(sc_core::sc_module_name name, Engine *engine, int phys_tile, int cell)
    : sc_module(name), in_n("in_N"), in_e("in_E"), in_s("in_S"), in_w("in_W"), spikes("spikes"), e_(engine),
      phys_(phys_tile), cell_(cell), k_(0) {
    in_[0] = &in_n, in_[1] = &in_e, in_[2] = &in_s, in_[3] = &in_w;
    SC_METHOD(tick);
    sensitive << wake.ev << engine->clock;
    dont_initialize();
}

void NeuronTile::program(int logical_tile, const MosaicNtRow *rows, int n_rows, int max_lines) {
    const MosaicNetwork *net = e_->net;
    const MosaicInbound *in = e_->inbound;
    logical_ = logical_tile;
    k_ = net->arch.neurons_per_tile;
    max_lines_ = max_lines;
    // Slots: the tile's inbound links (ascending source) merged with its own neurons when its block is
    // recurrent; links never join two neurons of one tile (the block carries those).
    const bool recurrent = mosaic_network_block_kind(net, logical_) == MOSAIC_BLOCK_RECURRENT;
    const int first = in->start[logical_], last = in->start[logical_ + 1], own0 = logical_ * k_;
    std::vector<int32_t> slot_of_inbound((size_t)(last - first), -1);
    row_w_.clear();
    own_slot_.assign((size_t)k_, -1);
    int p = first;
    for (int i = 0; i <= k_; i++) {
        const int32_t bound = i < k_ ? own0 + i : INT32_MAX;
        for (; p < last && in->src[p] < bound; p++) {
            assert(in->src[p] / k_ != logical_);
            slot_of_inbound[(size_t)(p - first)] = (int32_t)row_w_.size();
            row_w_.push_back(net->link_w + (size_t)in->link[p] * k_);
        }
        if (i < k_ && recurrent) {
            own_slot_[(size_t)i] = (int32_t)row_w_.size();
            row_w_.push_back(net->w_intra + (size_t)(own0 + i) * k_);
        }
    }
    row_slot_.assign((size_t)4 * max_lines, -1);
    for (int r = 0; r < n_rows; r++) {
        const int32_t link = rows[r].link;
        int pos = first;
        while (pos < last && in->link[pos] != link) pos++;
        assert(pos < last); // the mapping routes link `link` to this tile
        const size_t idx = (size_t)rows[r].side * max_lines + rows[r].line;
        row_slot_[idx] = slot_of_inbound[(size_t)(pos - first)];
    }
    const size_t words = (row_w_.size() + 63) / 64;
    next_bits_.assign(words, 0);
    after_bits_.assign(words, 0);
    next_count_.assign(row_w_.size(), 0);
    after_count_.assign(row_w_.size(), 0);
    v_.assign((size_t)k_, 0.0f);
    current_.assign((size_t)k_, 0.0f);
    z_.assign((size_t)k_, 0);
    reset_state();
}

void NeuronTile::reset_state() {
    std::fill(v_.begin(), v_.end(), 0.0f);
    std::fill(z_.begin(), z_.end(), 0);
    cur_z_ = 0;
    std::fill(next_bits_.begin(), next_bits_.end(), 0);
    std::fill(after_bits_.begin(), after_bits_.end(), 0);
    std::fill(next_count_.begin(), next_count_.end(), 0);
    std::fill(after_count_.begin(), after_count_.end(), 0);
    next_n_ = after_n_ = 0;
}

void NeuronTile::tick() {
    Engine &e = *e_;
    MosaicSimStats *st = e.stats;
    st->cell_evals++;
    // A spike read at phase cycle c left its source NT at cycle 0 and crossed c-1 routing tiles: every
    // spike of this cycle has the same latency, so the statistics are counted once per cycle.
    const int latency = e.phase_cycle - 1;
    const bool in_time = latency <= e.K, keep = in_time || e.late_policy != MOSAIC_LATE_DROP;
    std::vector<uint64_t> &bits_to = in_time ? next_bits_ : after_bits_;
    std::vector<uint8_t> &count_to = in_time ? next_count_ : after_count_;
    int delivered = 0;
    for (int s = 0; s < 4; s++) {
        uint32_t bits = in_[s]->read();
        if (!bits) continue;
        if (max_lines_ < 32) {
            st->stray += __builtin_popcount(bits >> max_lines_);
            bits &= (1u << max_lines_) - 1;
        }
        const int32_t *slot_of = row_slot_.data() + (size_t)s * max_lines_;
        for (; bits; bits &= bits - 1) {
            const int32_t slot = slot_of[__builtin_ctz(bits)];
            if (slot < 0) {
                st->stray++;
                continue;
            }
            delivered++;
            if (keep) arrive(bits_to, count_to, slot);
        }
    }
    if (!delivered) return;
    st->deliveries += delivered;
    st->latency_hist[std::min(latency, st->max_latency)] += delivered;
    if (in_time) {
        next_n_ += delivered;
        return;
    }
    st->late += delivered;
    if (keep)
        after_n_ += delivered;
    else
        st->late_dropped += delivered;
}

void NeuronTile::update(const uint8_t *x) {
    Engine &e = *e_;
    const MosaicNetwork *net = e.net;
    // Rows of step t-1's spikes that reach this tile: routed ones and the tile's own (recurrent block).
    const int own = __builtin_popcount(cur_z_);
    int rows_in = next_n_;
    for (uint32_t b = cur_z_; b; b &= b - 1) {
        const int32_t slot = own_slot_[(size_t)__builtin_ctz(b)];
        if (slot >= 0) {
            arrive(next_bits_, next_count_, slot);
            rows_in++;
        }
    }
    // The canonical order of mosaic_lif_tile_current: zero, the input channels (the kernel itself, with
    // no spike list), then every arrived row by ascending source; the same float32 additions. A tile
    // no spike reached skips the walk (its current is the input current or zero).
    float *cur = current_.data();
    if (x && logical_ < net->n_input_tiles)
        mosaic_lif_tile_current(net, e.inbound, logical_, x, nullptr, 0, cur);
    else
        std::fill(current_.begin(), current_.end(), 0.0f);
    if (rows_in > 0)
        add_arrived_rows(cur, k_, next_bits_.data(), next_bits_.size(), next_count_.data(), row_w_.data());
    if (e.read_sigma > 0) {
        // Each active row adds an independent read error per device: the column sums carry
        // sqrt(rows) times the per-device sigma.
        int rows = next_n_ + own;
        if (x && logical_ < net->n_input_tiles)
            for (int i = 0; i < k_; i++) {
                const int c = logical_ * k_ + i;
                rows += c < net->n_inputs && x[c];
            }
        if (rows > 0) {
            // One stream per (step, tile): no two tiles of any array (at most MOSAIC_MAX_SIDE^2) share one.
            constexpr uint64_t kTileStreams = (uint64_t)MOSAIC_MAX_SIDE * MOSAIC_MAX_SIDE;
            MosaicRng rng;
            mosaic_rng_derive(&rng, e.read_seed, (uint64_t)e.global_step * kTileStreams + (uint64_t)phys_);
            const double sd = e.read_sigma * std::sqrt((double)rows);
            for (int j = 0; j < k_; j++) current_[(size_t)j] += (float)(sd * mosaic_rng_normal(&rng));
        }
    }
    if (k_ == 32)
        lif_step32(net->alpha, net->threshold, v_.data(), z_.data(), current_.data());
    else
        mosaic_lif_step(k_, net->alpha, net->threshold, v_.data(), z_.data(), current_.data());
    // Late arrivals of the coming phase's predecessor are integrated at the next update.
    next_bits_.swap(after_bits_);
    next_count_.swap(after_count_);
    next_n_ = after_n_;
    after_n_ = 0;

    const uint32_t bits = pack_spikes(z_.data(), k_);
    cur_z_ = bits;
    for (uint32_t b = bits; b; b &= b - 1) e.stats->neuron_spikes[logical_ * k_ + __builtin_ctz(b)]++;
    if (e.record_raster) {
        const int N = mosaic_arch_neurons(&net->arch);
        uint8_t *row = e.raster.data() + (size_t)e.step * N + (size_t)logical_ * k_;
        for (int i = 0; i < k_; i++) row[i] = z_[(size_t)i];
    }
    if (e.wave_on && !wave_v_.empty())
        for (int i = 0; i < k_; i++) e.wave->change_real(wave_v_[(size_t)i], v_[(size_t)i]);
    if (bits) {
        spikes.write(bits);
        cur_spikes_ = bits;
        if (e.wave_on) e.wave->change(wave_spikes_, bits);
        count_lines(e.stats, cell_, MOSAIC_OUT_N, bits); // the same lines leave on all four sides
        for (int s = 0; s < 4; s++)
            if (wake_r1[s]) e.queue(wake_r1[s]);
    }
}

void NeuronTile::end_pulse() {
    if (!cur_spikes_) return;
    spikes.write(0);
    cur_spikes_ = 0;
    if (e_->wave_on) e_->wave->change(wave_spikes_, 0);
}

void NeuronTile::reserve_wave(VcdWriter &w) { wave_spikes_ = w.reserve(e_->net->arch.neurons_per_tile); }

void NeuronTile::declare_wave(VcdWriter &w, const int *in_ids) {
    w.scope(basename());
    w.declare("spikes", wave_spikes_);
    wave_v_.clear();
    if (e_->wave_depth >= 2) {
        for (int s = 0; s < 4; s++)
            if (in_ids[s] >= 0) w.declare(std::string("in_") + kSide[s], in_ids[s]);
        for (int i = 0; i < e_->net->arch.neurons_per_tile; i++)
            wave_v_.push_back(w.real("v_" + std::to_string(i)));
    }
    w.upscope();
}

// ---------------------------------------------------------------------------------------------
// Array
// ---------------------------------------------------------------------------------------------

Array::Array(sc_core::sc_module_name name, const MosaicArch &arch)
    : sc_module(name), arch_(arch), ctx_(new VerilatedContext), zero_("zero") {
    const int GR = mosaic_grid_rows(&arch), GC = mosaic_grid_cols(&arch);
    routers.resize((size_t)mosaic_cells(&arch));
    tiles.resize((size_t)mosaic_arch_tiles(&arch));
    for (int gr = 0; gr < GR; gr++)
        for (int gc = 0; gc < GC; gc++) {
            const int cell = mosaic_cell_index(&arch, gr, gc);
            const std::string nm = cell_name(gr, gc);
            if (mosaic_cell_kind(gr, gc) == MOSAIC_CELL_NT)
                tiles[(size_t)mosaic_cell_tile(&arch, gr, gc)].reset(
                    new NeuronTile(nm.c_str(), &engine, mosaic_cell_tile(&arch, gr, gc), cell));
            else
                routers[(size_t)cell].reset(new RouterTile(nm.c_str(), &engine, ctx_.get(), gr, gc, cell));
        }
    // Wiring: the input of side X of a cell is the output of side opposite(X) of its neighbour in
    // direction X; an NT's output is its spike signal on every side; outside the grid reads zero.
    auto out_of = [&](int gr, int gc, int side) -> sc_core::sc_signal_in_if<uint32_t> * {
        if (gr < 0 || gc < 0 || gr >= GR || gc >= GC) return &zero_;
        if (mosaic_cell_kind(gr, gc) == MOSAIC_CELL_NT)
            return &tiles[(size_t)mosaic_cell_tile(&arch, gr, gc)]->spikes;
        RouterTile *r = routers[(size_t)mosaic_cell_index(&arch, gr, gc)].get();
        sc_core::sc_signal_in_if<uint32_t> *o[4] = {&r->out_n, &r->out_e, &r->out_s, &r->out_w};
        return o[side];
    };
    auto wake_of = [&](int gr, int gc) -> Wake * {
        if (gr < 0 || gc < 0 || gr >= GR || gc >= GC) return nullptr;
        if (mosaic_cell_kind(gr, gc) == MOSAIC_CELL_NT)
            return &tiles[(size_t)mosaic_cell_tile(&arch, gr, gc)]->wake;
        return &routers[(size_t)mosaic_cell_index(&arch, gr, gc)]->wake;
    };
    for (int gr = 0; gr < GR; gr++)
        for (int gc = 0; gc < GC; gc++) {
            sc_core::sc_in<uint32_t> *in[4];
            Wake **wake;
            if (mosaic_cell_kind(gr, gc) == MOSAIC_CELL_NT) {
                NeuronTile *t = tiles[(size_t)mosaic_cell_tile(&arch, gr, gc)].get();
                in[0] = &t->in_n, in[1] = &t->in_e, in[2] = &t->in_s, in[3] = &t->in_w;
                wake = t->wake_r1;
            } else {
                RouterTile *r = routers[(size_t)mosaic_cell_index(&arch, gr, gc)].get();
                in[0] = &r->in_n, in[1] = &r->in_e, in[2] = &r->in_s, in[3] = &r->in_w;
                wake = r->wake_nb;
            }
            for (int s = 0; s < 4; s++) {
                in[s]->bind(*out_of(gr + mosaic_dir_dr(s), gc + mosaic_dir_dc(s), mosaic_opposite_dir(s)));
                wake[s] = wake_of(gr + mosaic_dir_dr(s), gc + mosaic_dir_dc(s));
            }
        }
    SC_THREAD(controller);
}

Array::~Array() = default;

void Array::start(const uint8_t *x, int steps) {
    x_ = x;
    steps_ = steps;
    start_ev_.notify(sc_core::SC_ZERO_TIME);
}

void Array::controller() {
    for (;;) {
        wait(start_ev_);
        run_sample();
        sc_core::sc_pause();
    }
}

void Array::run_sample() {
    Engine &e = engine;
    MosaicSimStats *st = e.stats;
    const MosaicNetwork *net = e.net;
    for (auto &t : tiles) t->reset_state();
    e.wake_next.clear();
    for (int t = 0; t < steps_; t++) {
        // Every step starts in a fresh cycle (the previous phase's last writes have landed), so that the
        // update's spikes never share a cycle with the last hop.
        e.phase_cycle = 0;
        e.now++;
        e.step = t;
        e.wave_on = e.wave && e.global_step >= e.wave_first && e.global_step < e.wave_last;
        if (e.wave_on) {
            e.wave->time(e.now);
            e.wave->change(wave_step_, (uint32_t)e.global_step);
            e.wave->change(wave_cycle_, 0);
        }
        const uint8_t *x = x_ + (size_t)t * net->n_inputs;
        for (auto &nt : tiles) nt->update(x); // all neuron tiles in this one process
        st->steps++;
        wait(cycle_time());
        // Routing phase: K cycles are the hardware's; cycles past K+1 only deliver late spikes.
        int c = 0;
        for (;;) {
            e.wake_cur.swap(e.wake_next);
            e.wake_next.clear();
            if (e.naive ? c >= e.K + 1 && e.wake_cur.empty() : e.wake_cur.empty()) break;
            c++;
            e.phase_cycle = c; // set before the cells of cycle c run
            e.now++;
            if (e.wave_on) {
                e.wave->time(e.now);
                e.wave->change(wave_cycle_, (uint32_t)c);
                if (c == e.K + 2) e.wave->change(wave_late_, 1);
            }
            // The NT output register holds its spikes for one cycle: the R1s read them in this cycle,
            // and this write lands at its end, without waking every NT just to drop its pulse.
            if (c == 1)
                for (auto &nt : tiles) nt->end_pulse();
            // Routers that drove spikes last cycle and receive none now register all-zero outputs.
            e.clear_cur.swap(e.clear_next);
            e.clear_next.clear();
            for (RouterTile *r : e.clear_cur) r->idle_clear();
            if (e.naive)
                e.clock.notify();
            else
                for (Wake *w : e.wake_cur) w->ev.notify();
            wait(cycle_time()); // the cells of cycle c run, then their writes land
            st->cycles++;
        }
        if (e.wave_on && c >= e.K + 2) { // down after the last (late) cycle, not within it
            e.wave->time(e.now + 1);
            e.wave->change(wave_late_, 0);
        }
        e.global_step++;
    }
}

void Array::declare_wave(VcdWriter &w) {
    const int GR = mosaic_grid_rows(&arch_), GC = mosaic_grid_cols(&arch_);
    // Every output port first, so that input ports can be declared as aliases of the facing outputs.
    for (auto &r : routers)
        if (r) r->reserve_wave(w);
    for (auto &t : tiles) t->reserve_wave(w);
    auto out_id = [&](int gr, int gc, int side) {
        if (gr < 0 || gc < 0 || gr >= GR || gc >= GC) return -1;
        if (mosaic_cell_kind(gr, gc) == MOSAIC_CELL_NT)
            return tiles[(size_t)mosaic_cell_tile(&arch_, gr, gc)]->wave_spikes();
        return routers[(size_t)mosaic_cell_index(&arch_, gr, gc)]->wave_out(side);
    };
    w.scope(basename());
    wave_step_ = w.wire("step", 32);
    wave_cycle_ = w.wire("cycle", 32); // K may be up to 2^20 (--cycles-per-step)
    wave_late_ = w.wire("late_phase", 1);
    for (int gr = 0; gr < GR; gr++)
        for (int gc = 0; gc < GC; gc++) {
            int in_ids[4];
            for (int s = 0; s < 4; s++)
                in_ids[s] = out_id(gr + mosaic_dir_dr(s), gc + mosaic_dir_dc(s), mosaic_opposite_dir(s));
            const int cell = mosaic_cell_index(&arch_, gr, gc);
            if (routers[(size_t)cell])
                routers[(size_t)cell]->declare_wave(w, in_ids);
            else
                tiles[(size_t)mosaic_cell_tile(&arch_, gr, gc)]->declare_wave(w, in_ids);
        }
    w.upscope();
    w.end_header();
    w.time(0);
    w.dump_zero();
}

} // namespace mosaic
