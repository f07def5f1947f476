#include "mosaic_sim_wave.h"

#include <cerrno>

namespace mosaic {

std::string VcdWriter::code_of(int index) {
    // Identifier codes are strings over the printable characters '!' .. '~'.
    std::string s;
    do {
        s.push_back((char)('!' + index % 94));
        index /= 94;
    } while (index > 0);
    return s;
}

bool VcdWriter::open(const char *path) {
    f_ = std::fopen(path, "w");
    if (!f_) return false;
    buf_.resize(1 << 20);
    std::setvbuf(f_, buf_.data(), _IOFBF, buf_.size());
    std::fprintf(f_, "$date mosaic sim $end\n$version mosaic-hil SystemC array $end\n$timescale 1ns $end\n");
    return true;
}

bool VcdWriter::close() {
    if (!f_) return !failed_;
    // A write that failed on the way (a full disk) leaves the stream's error flag; the last flush may
    // fail only in fclose. Either way the dump is incomplete.
    if (std::ferror(f_)) { // errno is long gone: writing again tells why (if anything is left to write)
        failed_ = true;
        std::clearerr(f_);
        errno = 0;
        if (std::fputc('\n', f_) == EOF || std::fflush(f_) != 0) errno_ = errno;
    }
    errno = 0;
    if (std::fclose(f_) != 0 && !failed_) failed_ = true, errno_ = errno;
    f_ = nullptr;
    return !failed_;
}

void VcdWriter::scope(const std::string &name) { std::fprintf(f_, "$scope module %s $end\n", name.c_str()); }
void VcdWriter::upscope() { std::fprintf(f_, "$upscope $end\n"); }

int VcdWriter::reserve(int width) {
    const int id = (int)vars_.size();
    vars_.push_back({code_of(id), width});
    return id;
}

void VcdWriter::declare(const std::string &name, int id) {
    const Var &v = vars_[(size_t)id];
    if (v.width == 1)
        std::fprintf(f_, "$var wire 1 %s %s $end\n", v.code.c_str(), name.c_str());
    else
        std::fprintf(f_, "$var wire %d %s %s [%d:0] $end\n", v.width, v.code.c_str(), name.c_str(),
                     v.width - 1);
}

int VcdWriter::wire(const std::string &name, int width) {
    const int id = reserve(width);
    declare(name, id);
    return id;
}

int VcdWriter::real(const std::string &name) {
    const int id = (int)vars_.size();
    vars_.push_back({code_of(id), 0});
    std::fprintf(f_, "$var real 64 %s %s $end\n", vars_.back().code.c_str(), name.c_str());
    return id;
}

void VcdWriter::end_header() { std::fprintf(f_, "$enddefinitions $end\n"); }

void VcdWriter::dump_zero() {
    std::fprintf(f_, "$dumpvars\n");
    for (size_t i = 0; i < vars_.size(); i++) {
        if (vars_[i].width == 0)
            change_real((int)i, 0.0);
        else
            change((int)i, 0);
    }
    std::fprintf(f_, "$end\n");
}

void VcdWriter::time(uint64_t t) {
    if (t == last_time_) return;
    last_time_ = t;
    std::fprintf(f_, "#%llu\n", (unsigned long long)t);
}

void VcdWriter::change(int id, uint32_t value) {
    const Var &v = vars_[(size_t)id];
    if (v.width == 1) {
        std::fprintf(f_, "%c%s\n", value ? '1' : '0', v.code.c_str());
        return;
    }
    char bits[40];
    int n = 0;
    // Leading zeros may be dropped in VCD; keep at least one digit.
    int top = 31;
    while (top > 0 && !((value >> top) & 1u)) top--;
    for (int b = top; b >= 0; b--) bits[n++] = ((value >> b) & 1u) ? '1' : '0';
    bits[n] = 0;
    if (std::fprintf(f_, "b%s %s\n", bits, v.code.c_str()) < 0) failed_ = true;
}

void VcdWriter::change_real(int id, double value) {
    if (std::fprintf(f_, "r%.9g %s\n", value, vars_[(size_t)id].code.c_str()) < 0) failed_ = true;
}

} // namespace mosaic
