// The NT device model: ideal devices keep every weight bit-identical; quantisation puts every programmed
// weight on the level grid within half a step; programming noise has the requested sigma (fraction of
// Gmax, by default max |w|); stuck devices appear at the requested rate; zero weights stay unprogrammed; one
// seed, one draw.
#include <cmath>

#include "mosaic_sim_device.h"
#include "sim_test_util.h"

int main(int argc, char **argv) {
    const uint64_t seed = mosaic_test_seed(argc, argv, 3);
    MosaicArch arch;
    mosaic_arch_default(&arch);
    MosaicNetwork net;
    if (!sim_test_network(&net, &arch, "1:0.8,3:0.02", seed)) return EXIT_FAILURE;
    const int k = arch.neurons_per_tile;
    const size_t n_link = (size_t)net.n_links * k;
    const float gmax = mosaic_device_gmax(&net);
    MosaicErr err;
    printf("gmax %.4f, %zu link weights\n", gmax, n_link);
    TEST("IdealDevicesKeepWeightsBitIdentical") {
        MosaicDeviceModel dev = arch.device;
        dev.ideal = true;
        MosaicNetwork eff;
        CHECK(mosaic_device_program(&eff, &net, &dev, &err) == MOSAIC_OK);
        CHECK(memcmp(eff.link_w, net.link_w, n_link * sizeof(float)) == 0);
        CHECK(memcmp(eff.w_in, net.w_in, (size_t)net.n_input_tiles * k * k * sizeof(float)) == 0);
        mosaic_network_free(&eff);
    }
    TEST("QuantisedWeightsSitOnTheLevelGrid") {
        MosaicDeviceModel dev = arch.device;
        dev.ideal = false, dev.levels = 9, dev.programming_noise = 0;
        MosaicNetwork eff;
        CHECK(mosaic_device_program(&eff, &net, &dev, &err) == MOSAIC_OK);
        const double step = gmax / 8.0;
        int off_grid = 0, too_far = 0;
        for (size_t i = 0; i < n_link; i++) {
            const double q = eff.link_w[i] / step;
            off_grid += std::fabs(q - std::round(q)) > 1e-4;
            too_far += std::fabs(eff.link_w[i] - net.link_w[i]) > step / 2 + 1e-6;
        }
        CHECK_EQ_INT(off_grid, 0);
        CHECK_EQ_INT(too_far, 0);
        mosaic_network_free(&eff);
    }
    TEST("ProgrammingNoiseHasTheRequestedSigma") {
        MosaicDeviceModel dev = arch.device;
        dev.ideal = false, dev.levels = 0, dev.programming_noise = 0.05, dev.seed = (int64_t)seed;
        MosaicNetwork eff, again;
        CHECK(mosaic_device_program(&eff, &net, &dev, &err) == MOSAIC_OK);
        CHECK(mosaic_device_program(&again, &net, &dev, &err) == MOSAIC_OK);
        CHECK(memcmp(eff.link_w, again.link_w, n_link * sizeof(float)) == 0); // one seed, one draw
        double sum = 0, sum2 = 0;
        long n = 0, zeros_kept = 0, zeros = 0;
        for (size_t i = 0; i < n_link; i++) {
            if (net.link_w[i] == 0.0f) {
                zeros++;
                zeros_kept += eff.link_w[i] == 0.0f;
                continue;
            }
            if (std::fabs(net.link_w[i]) < 4 * 0.05 * gmax) continue; // clipping at 0 would bias the spread
            const double d = (double)std::fabs(eff.link_w[i]) - std::fabs(net.link_w[i]);
            sum += d, sum2 += d * d, n++;
        }
        const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
        printf("  %ld weights: mean shift %.5f, sigma %.5f (want %.5f)\n", n, mean, sd, 0.05 * gmax);
        CHECK(n > 1000);
        CHECK(std::fabs(mean) < 0.1 * 0.05 * gmax);
        CHECK_NEAR(sd / (0.05 * gmax), 1.0, 0.08);
        CHECK_EQ_INT(zeros_kept, zeros);
        mosaic_network_free(&eff);
        mosaic_network_free(&again);
    }
    TEST("StuckDevicesAppearAtTheRequestedRate") {
        MosaicDeviceModel dev = arch.device;
        dev.ideal = false, dev.levels = 0, dev.programming_noise = 0, dev.stuck_off = 0.1,
        dev.stuck_on = 0.05;
        MosaicNetwork eff;
        CHECK(mosaic_device_program(&eff, &net, &dev, &err) == MOSAIC_OK);
        long off = 0, on = 0, n = 0;
        for (size_t i = 0; i < n_link; i++) {
            if (net.link_w[i] == 0.0f) continue;
            n++;
            off += eff.link_w[i] == 0.0f;
            on += std::fabs(eff.link_w[i]) == gmax && std::fabs(net.link_w[i]) != gmax;
        }
        printf("  stuck off %.4f (want 0.1), stuck on %.4f (want 0.05)\n", (double)off / n, (double)on / n);
        CHECK_NEAR((double)off / n, 0.1, 0.01);
        CHECK_NEAR((double)on / n, 0.05, 0.01);
        mosaic_network_free(&eff);
    }
    TEST("ContinuousWeightsAreClippedAtAConfiguredGmax") {
        // A conductance cannot exceed Gmax, quantised or not; the default Gmax (max |w|) clips nothing.
        MosaicDeviceModel dev = arch.device;
        dev.ideal = false, dev.levels = 0, dev.programming_noise = 0, dev.gmax = 0.5 * gmax;
        MosaicNetwork eff;
        CHECK(mosaic_device_program(&eff, &net, &dev, &err) == MOSAIC_OK);
        long clipped = 0, above = 0, changed_below = 0;
        for (size_t i = 0; i < n_link; i++) {
            const double w = std::fabs(net.link_w[i]), e = std::fabs(eff.link_w[i]);
            above += e > dev.gmax;
            if (w > dev.gmax)
                clipped += (float)e == (float)dev.gmax && (eff.link_w[i] < 0) == (net.link_w[i] < 0);
            else
                changed_below += eff.link_w[i] != net.link_w[i];
        }
        CHECK(clipped > 0);
        CHECK_EQ_INT(above, 0);
        CHECK_EQ_INT(changed_below, 0);
        mosaic_network_free(&eff);
        dev.gmax = 0; // max |w|
        CHECK(mosaic_device_program(&eff, &net, &dev, &err) == MOSAIC_OK);
        CHECK(memcmp(eff.link_w, net.link_w, n_link * sizeof(float)) == 0);
        mosaic_network_free(&eff);
    }
    mosaic_network_free(&net);
    return mosaic_test_finish();
}
