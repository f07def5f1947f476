#include "mosaic_sim_device.h"

#include <cmath>

#include "mosaic_rng.h"

namespace {

// One region of weights (w_in, w_intra or link_w) through the device model; `stream` keeps the draws of
// the regions independent of each other's sizes.
// gmax is a double: a configured device.gmax (a double key) must give the trainer's step exactly.
void program_region(float *w, size_t n, double gmax, const MosaicDeviceModel *dev, uint64_t stream) {
    MosaicRng rng;
    mosaic_rng_derive(&rng, (uint64_t)dev->seed, stream);
    const double step = mosaic_device_step(gmax, dev->levels);
    const double top = step > 0 ? (double)mosaic_device_level_weight(dev->levels - 1, step, 1.0) : 0.0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] == 0.0f) continue; // unprogrammed pair
        const double u = mosaic_rng_uniform(&rng);
        const double noise = mosaic_rng_normal(&rng);
        const double sign = w[i] < 0 ? -1.0 : 1.0;
        if (u < dev->stuck_off) {
            w[i] = 0.0f;
            continue;
        }
        if (u < dev->stuck_off + dev->stuck_on) {
            // One device of the pair reads Gmax; which one is the second half of the uniform draw.
            const double which = (u - dev->stuck_off) / dev->stuck_on;
            w[i] = (float)(which < 0.5 ? gmax : -gmax);
            continue;
        }
        if (step > 0) { // the shared level rule (arch): the trainer's quantised weights land here exactly
            const int level = mosaic_device_level(std::fabs((double)w[i]), step, dev->levels);
            if (level == 0) { // quantised to level 0: the pair stays unprogrammed, hence exactly zero
                w[i] = 0.0f;
                continue;
            }
            w[i] = mosaic_device_level_weight(level, step, sign);
        } else if (std::fabs((double)w[i]) > gmax) { // continuous: no conductance above Gmax either
            w[i] = (float)(sign * gmax);
        }
        if (dev->programming_noise == 0) continue;
        double g = std::fabs((double)w[i]) + dev->programming_noise * gmax * noise;
        if (g < 0) g = 0; // a conductance cannot go negative
        if (g > (step > 0 ? top : gmax)) g = step > 0 ? top : gmax;
        w[i] = (float)(sign * g);
    }
}

} // namespace

float mosaic_device_gmax(const MosaicNetwork *net) {
    const int k = net->arch.neurons_per_tile;
    float m = 0.0f;
    auto scan = [&m](const float *w, size_t n) {
        for (size_t i = 0; i < n; i++) m = std::fmax(m, std::fabs(w[i]));
    };
    scan(net->w_in, (size_t)net->n_input_tiles * k * k);
    scan(net->w_intra, (size_t)mosaic_arch_tiles(&net->arch) * k * k);
    scan(net->link_w, (size_t)net->n_links * k);
    return m;
}

MosaicStatus mosaic_device_program(MosaicNetwork *eff, const MosaicNetwork *net, const MosaicDeviceModel *dev,
                                   MosaicErr *err) {
    MOSAIC_TRY(mosaic_network_copy(eff, net, err));
    if (dev->ideal) return MOSAIC_OK;
    const int k = net->arch.neurons_per_tile;
    const double gmax = mosaic_device_gmax_of(dev, mosaic_device_gmax(net));
    program_region(eff->w_in, (size_t)net->n_input_tiles * k * k, gmax, dev, 1);
    program_region(eff->w_intra, (size_t)mosaic_arch_tiles(&net->arch) * k * k, gmax, dev, 2);
    program_region(eff->link_w, (size_t)net->n_links * k, gmax, dev, 3);
    return MOSAIC_OK;
}
