// The Verilated router (R1 and R0 parameter sets) against a C reference model of the crossbar:
// directed cases (unicast, multicast, collision, read-back, counters, identity, addresses outside the
// map, reset during traffic), then random configurations and random spike traffic compared cycle by
// cycle (outputs, error flag, and every counter read back in the middle of the traffic).
#include <memory>
#include <vector>

#include "Vmosaic_router_r0.h"
#include "Vmosaic_router_r1.h"
#include "mosaic_rng.h"
#include "mosaic_test.h"
#include "verilated.h"

namespace {

// ---- the reference: out_j <= OR_i(in_i AND cfg[i][j]); counters per port; sticky collision ----
struct RouterRef {
    int width;                // lines per side
    int lines;                // 4 * width
    std::vector<uint8_t> cfg; // (lines, lines)
    uint32_t out[4] = {0, 0, 0, 0};
    uint32_t count[8] = {0};
    bool err = false;

    explicit RouterRef(int w) : width(w), lines(4 * w), cfg((size_t)16 * w * w, 0) {}

    // One clock edge: input counters take this cycle's inputs; output counters take what the outputs
    // presented during the cycle this edge ends (the RTL's documented rule), before they change.
    void clock(const uint32_t in[4]) {
        for (int s = 0; s < 4; s++) count[4 + s] += (uint32_t)__builtin_popcount(out[s]);
        std::vector<uint8_t> driven((size_t)lines, 0);
        bool collide = false;
        for (int i = 0; i < lines; i++) {
            if (!((in[i / width] >> (i % width)) & 1u)) continue;
            for (int j = 0; j < lines; j++)
                if (cfg[(size_t)i * lines + j]) {
                    if (driven[(size_t)j]) collide = true;
                    driven[(size_t)j] = 1;
                }
        }
        for (int s = 0; s < 4; s++) {
            out[s] = 0;
            for (int b = 0; b < width; b++)
                if (driven[(size_t)(s * width + b)]) out[s] |= 1u << b;
        }
        for (int s = 0; s < 4; s++) count[s] += (uint32_t)__builtin_popcount(in[s]);
        err = err || collide;
    }
    // The configuration word of row i, word w, as the RTL lays it out.
    uint32_t word(int i, int w) const {
        uint32_t v = 0;
        for (int b = 0; b < 32; b++) {
            int j = 32 * w + b;
            if (j < lines && cfg[(size_t)i * lines + j]) v |= 1u << b;
        }
        return v;
    }
};

// ---- a thin driver over either Verilated class ----
template <class Model> struct Dut {
    VerilatedContext ctx;
    std::unique_ptr<Model> m;
    int width;
    int words_per_row() const { return (4 * width + 31) / 32; }
    // $clog2(words per row), at least 1, as the RTL's WordBits (3 words per row take 2 bits)
    int word_bits() const {
        int b = 1;
        while ((1 << b) < words_per_row()) b++;
        return b;
    }

    Dut(int w, int row, int col) : width(w) {
        m = std::make_unique<Model>(&ctx, "dut");
        m->row_i = (uint8_t)row;
        m->col_i = (uint8_t)col;
        m->cfg_we_i = 0;
        m->clk_i = 0;
        m->rst_ni = 0;
        m->eval();
        m->rst_ni = 1;
        m->eval();
    }
    void set_in(const uint32_t in[4]) {
        m->in_n_i = in[0];
        m->in_e_i = in[1];
        m->in_s_i = in[2];
        m->in_w_i = in[3];
    }
    void tick() {
        m->clk_i = 1;
        m->eval();
        m->clk_i = 0;
        m->eval();
    }
    void write(uint32_t addr, uint32_t data) {
        const uint32_t zero[4] = {0, 0, 0, 0};
        set_in(zero);
        m->cfg_addr_i = (uint16_t)addr;
        m->cfg_wdata_i = data;
        m->cfg_we_i = 1;
        tick();
        m->cfg_we_i = 0;
    }
    uint32_t read(uint32_t addr) {
        m->cfg_addr_i = (uint16_t)addr;
        m->eval();
        return m->cfg_rdata_o;
    }
    uint32_t xbar_addr(int row, int word) const { return ((uint32_t)row << word_bits()) | (uint32_t)word; }
    void program(const RouterRef &ref) {
        for (int i = 0; i < ref.lines; i++)
            for (int w = 0; w < words_per_row(); w++) write(xbar_addr(i, w), ref.word(i, w));
    }
    void out(uint32_t o[4]) const {
        o[0] = m->out_n_o;
        o[1] = m->out_e_o;
        o[2] = m->out_s_o;
        o[3] = m->out_w_o;
    }
};

void set_cfg(RouterRef &ref, int in_side, int in_line, int out_side, int out_line) {
    ref.cfg[(size_t)(in_side * ref.width + in_line) * ref.lines + out_side * ref.width + out_line] = 1;
}

template <class Model> void directed(int width) {
    printf("  width %d\n", width);
    Dut<Model> dut(width, 4, 7);
    RouterRef ref(width);
    TEST("IdentityAndWidthsReadBack") {
        CHECK_EQ_INT(dut.read(0x8009), (7u << 8) | 4u);
        uint32_t w = (uint32_t)width;
        CHECK_EQ_INT(dut.read(0x800A), w | w << 8 | w << 16 | w << 24);
    }
    // W line 0 -> E line 3 (unicast); N line 1 -> S lines 1 and E line 0 (multicast).
    set_cfg(ref, 3, 0, 1, 3);
    set_cfg(ref, 0, 1, 2, 1);
    set_cfg(ref, 0, 1, 1, 0);
    dut.program(ref);
    TEST("ConfigurationReadsBackAsWritten") {
        for (int i = 0; i < ref.lines; i++)
            for (int w = 0; w < dut.words_per_row(); w++)
                CHECK_EQ_INT(dut.read(dut.xbar_addr(i, w)), ref.word(i, w));
    }
    TEST("UnicastAndMulticastTakeOneCycle") {
        uint32_t in[4] = {1u << 1, 0, 0, 1u << 0}, o[4];
        dut.set_in(in);
        dut.out(o);
        CHECK_EQ_INT(o[1], 0); // registered: nothing before the edge
        dut.tick();
        dut.out(o);
        CHECK_EQ_INT(o[0], 0);
        CHECK_EQ_INT(o[1], (1u << 3) | 1u);
        CHECK_EQ_INT(o[2], 1u << 1);
        CHECK_EQ_INT(o[3], 0);
        CHECK_EQ_INT(dut.m->err_o, 0);
        const uint32_t zero[4] = {0, 0, 0, 0};
        dut.set_in(zero);
        dut.tick();
        dut.out(o);
        CHECK_EQ_INT(o[1] | o[2], 0);
    }
    TEST("CountersCountSpikesPerPort") {
        CHECK_EQ_INT(dut.read(0x8000 + 0), 1); // in_N
        CHECK_EQ_INT(dut.read(0x8000 + 3), 1); // in_W
        CHECK_EQ_INT(dut.read(0x8000 + 5), 2); // out_E
        CHECK_EQ_INT(dut.read(0x8000 + 6), 1); // out_S
        CHECK_EQ_INT(dut.read(0x8000 + 4), 0); // out_N
    }
    TEST("AddressesOutsideTheMapReadZero") {
        // rows past the last line, words past the last of a row, status words past 0x800A: nothing aliases
        CHECK_EQ_INT(dut.read(dut.xbar_addr(ref.lines, 0)), 0);
        if (dut.words_per_row() < (1 << dut.word_bits()))
            CHECK_EQ_INT(dut.read(dut.xbar_addr(0, dut.words_per_row())), 0);
        for (uint32_t a : {0x800Bu, 0x800Fu, 0x8010u, 0x8019u, 0x8100u, 0xFFF9u})
            CHECK_EQ_INT(dut.read(a), 0);
    }
    TEST("CollisionRaisesStickyErrorUntilCleared") {
        // E line 2 -> E line 3 as well: with W line 0 active in the same cycle, E line 3 has two drivers.
        set_cfg(ref, 1, 2, 1, 3);
        dut.program(ref);
        uint32_t in[4] = {0, 1u << 2, 0, 0};
        dut.set_in(in);
        dut.tick();
        CHECK_EQ_INT(dut.m->err_o, 0); // one driver at a time is fine
        uint32_t both[4] = {0, 1u << 2, 0, 1u << 0}, o[4];
        dut.set_in(both);
        dut.tick();
        dut.out(o);
        CHECK_EQ_INT(o[1], 1u << 3);
        CHECK_EQ_INT(dut.m->err_o, 1);
        const uint32_t zero[4] = {0, 0, 0, 0};
        dut.set_in(zero);
        dut.tick();
        CHECK_EQ_INT(dut.m->err_o, 1);
        CHECK_EQ_INT(dut.read(0x8008), 1);
        dut.write(0x8008, 3); // clear error and counters
        CHECK_EQ_INT(dut.m->err_o, 0);
        CHECK_EQ_INT(dut.read(0x8000 + 5), 0);
    }
    TEST("ResetDuringTrafficClearsOutputsErrorAndCountersButKeepsTheCrossbar") {
        uint32_t both[4] = {0, 1u << 2, 0, 1u << 0}, o[4];
        dut.set_in(both);
        dut.tick(); // outputs driven, collision flagged, counters running
        dut.m->rst_ni = 0;
        dut.m->eval();
        dut.out(o);
        CHECK_EQ_INT(o[0] | o[1] | o[2] | o[3], 0);
        CHECK_EQ_INT(dut.m->err_o, 0);
        for (uint32_t p = 0; p < 8; p++) CHECK_EQ_INT(dut.read(0x8000 + p), 0);
        dut.m->rst_ni = 1;
        dut.m->eval();
        for (int i = 0; i < ref.lines; i++)
            for (int w = 0; w < dut.words_per_row(); w++)
                CHECK_EQ_INT(dut.read(dut.xbar_addr(i, w)), ref.word(i, w));
        const uint32_t zero[4] = {0, 0, 0, 0};
        dut.set_in(zero);
        dut.tick();
    }
}

template <class Model> void random_traffic(int width, uint64_t seed) {
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, (uint64_t)width);
    for (int trial = 0; trial < 4; trial++) {
        Dut<Model> dut(width, trial, 2 * trial + 1);
        RouterRef ref(width);
        // Sparse random crossbar (about two outputs per input line) plus a few dense rows.
        for (int i = 0; i < ref.lines; i++)
            for (int j = 0; j < ref.lines; j++)
                ref.cfg[(size_t)i * ref.lines + j] = mosaic_rng_below(&rng, (uint64_t)ref.lines) < 2;
        dut.program(ref);
        int mismatches = 0, collisions = 0, counter_mismatches = 0;
        for (int cycle = 0; cycle < 400; cycle++) {
            uint32_t in[4];
            const uint64_t density = 1 + mosaic_rng_below(&rng, 8); // 1/8 .. 8/8 of 1/8 lines active
            for (int s = 0; s < 4; s++) {
                in[s] = 0;
                for (int b = 0; b < width; b++)
                    if (mosaic_rng_below(&rng, 64) < density) in[s] |= 1u << b;
            }
            dut.set_in(in);
            dut.tick();
            ref.clock(in);
            uint32_t o[4];
            dut.out(o);
            for (int s = 0; s < 4; s++) mismatches += o[s] != ref.out[s];
            mismatches += (bool)dut.m->err_o != ref.err;
            collisions += ref.err;
            // every counter, read back while the spikes still flow (not only after an idle cycle)
            if (cycle % 7 == 3)
                for (int p = 0; p < 8; p++)
                    counter_mismatches += dut.read(0x8000 + (uint32_t)p) != ref.count[p];
        }
        CHECK_EQ_INT(counter_mismatches, 0);
        // Output counters count what a port presented during a cycle, at the edge that ends it: one idle
        // cycle brings the last outputs in.
        const uint32_t zero[4] = {0, 0, 0, 0};
        dut.set_in(zero);
        dut.tick();
        ref.clock(zero);
        for (int p = 0; p < 8; p++) CHECK_EQ_INT(dut.read(0x8000 + (uint32_t)p), ref.count[p]);
        CHECK_EQ_INT(mismatches, 0);
        CHECK(collisions > 0); // the random case must exercise the error path too
    }
}

} // namespace

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 20240601);
    TEST("R1 directed") directed<Vmosaic_router_r1>(MOSAIC_R1_WIDTH);
    TEST("R0 directed") directed<Vmosaic_router_r0>(MOSAIC_R0_WIDTH);
    TEST("R1 random traffic matches the reference") random_traffic<Vmosaic_router_r1>(MOSAIC_R1_WIDTH, seed);
    TEST("R0 random traffic matches the reference") random_traffic<Vmosaic_router_r0>(MOSAIC_R0_WIDTH, seed);
    return mosaic_test_finish();
}
