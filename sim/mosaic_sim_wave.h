/* mosaic_sim_wave: a small VCD writer for the array's port-level waveforms.
 *
 * SystemC's own tracer writes only VCD of sc_signals it samples every delta (toolchain notes P6); the
 * array is activity-gated, so cells report their own value changes instead and an idle cell costs
 * nothing in the trace either. Signals live in scopes named by grid coordinates (r1_2_3.out_E); times
 * are routing cycles (1 ns each). FST is produced from the VCD by the CLI with gtkwave's vcd2fst. */
#ifndef MOSAIC_SIM_WAVE_H
#define MOSAIC_SIM_WAVE_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace mosaic {

class VcdWriter {
  public:
    VcdWriter() = default;
    VcdWriter(const VcdWriter &) = delete;
    VcdWriter &operator=(const VcdWriter &) = delete;
    ~VcdWriter() { close(); }

    bool open(const char *path); // false if the file cannot be created (errno set)
    bool is_open() const { return f_ != nullptr; }
    bool close(); // false if a write failed (error(): its errno)
    int error() const { return errno_; }

    // Declarations (before end_header): scopes nest; returns the variable's id.
    void scope(const std::string &name);
    void upscope();
    int wire(const std::string &name, int width);
    // A variable id allocated before its declaration, so that several scopes can declare it: VCD
    // aliases share one identifier code (an input port is the facing output port's wire).
    int reserve(int width);
    void declare(const std::string &name, int id);
    int real(const std::string &name);
    void end_header();
    void dump_zero(); // initial value 0 for every variable (at the current time)

    void time(uint64_t t);
    void change(int id, uint32_t value);
    void change_real(int id, double value);

  private:
    struct Var {
        std::string code;
        int width;
    };
    FILE *f_ = nullptr;
    std::vector<Var> vars_;
    std::vector<char> buf_;
    uint64_t last_time_ = UINT64_MAX;
    bool failed_ = false;
    int errno_ = 0;
    static std::string code_of(int index);
};

} // namespace mosaic

#endif
