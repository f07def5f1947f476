/* The run report composes every section from a run's history, escapes what it shows, is written
 * atomically, and (with --out FILE) leaves a sample report for the headless-browser render test. */
#include <math.h>

#include "mosaic_report.h"
#include "mosaic_test.h"

static void fill_(MosaicArch *a, MosaicEpochRecord *ep, int ne, MosaicHwRecord *hw, int nh, double *util,
                  double *spikes, double *pm, double *em) {
    mosaic_arch_default(a);
    for (int i = 0; i < ne; i++) {
        memset(&ep[i], 0, sizeof ep[i]);
        ep[i].epoch = i + 1;
        ep[i].loss = 3.0 / (i + 1);
        ep[i].train_acc = 0.05 + 0.6 * i / ne;
        ep[i].test_acc = 0.05 + 0.5 * i / ne;
        ep[i].gamma[1] = 2046;
        ep[i].gamma[3] = 205 - i;
    }
    for (int i = 0; i < nh; i++) {
        memset(&hw[i], 0, sizeof hw[i]);
        hw[i].epoch = 2 * (i + 1);
        hw[i].mappable = i == nh - 1;
        hw[i].violations = nh - 1 - i;
        hw[i].devices_total = 7e5 - 1e4 * i;
        hw[i].proxy_total = 6.8e5;
        hw[i].worst_util = 1.2 - 0.1 * i;
        snprintf(hw[i].worst_port, sizeof hw[i].worst_port, "R1h (5,4) in_E <x>");
        hw[i].hw_acc = 0.4 + 0.01 * i;
        hw[i].sw_acc = 0.42 + 0.01 * i;
    }
    hw[1].hw_acc = hw[1].late_spikes = NAN; /* a checkpoint that was not simulated */
    int cells = mosaic_cells(a);
    for (int c = 0; c < cells; c++) {
        util[c] = (c % 7) / 6.0;
        spikes[c] = c % 5 ? 100.0 * c : NAN;
    }
    for (int i = 0; i < 20; i++) pm[i] = 5e5 + 1e4 * i, em[i] = 5.2e5 + 1.1e4 * i;
}

int main(int argc, char **argv) {
    const char *out = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--out")) out = argv[i + 1];
    MosaicArch arch;
    MosaicEpochRecord ep[12];
    MosaicHwRecord hw[6];
    double util[121], spikes[121], pm[20], em[20];
    fill_(&arch, ep, 12, hw, 6, util, spikes, pm, em);
    MosaicReport r = {"Run <demo> & report",
                      "array:\n  rows: 5 # <&>\n",
                      &arch,
                      15,
                      12,
                      ep,
                      6,
                      hw,
                      util,
                      spikes,
                      20,
                      pm,
                      em,
                      NULL,
                      NULL,
                      NULL,
                      NULL};
    /* proxy-check's extras: verdicts for the confusion matrix, names, one simulated saved network */
    int pfit[20], efit[20];
    const char *names[20];
    double simd[20];
    for (int i = 0; i < 20; i++)
        pfit[i] = i < 10, efit[i] = i < 12, names[i] = i == 19 ? "RUN/checkpoints/epoch_<0003>.h5" : "random",
        simd[i] = i == 19 ? 123456 : NAN;
    r.proxy_fits = pfit, r.exact_fits = efit, r.proxy_label = names, r.sim_devices = simd;
    MosaicErr err;
    char path[512];
    snprintf(path, sizeof path, "%s", out ? out : "test_report.html");

    TEST("WritesEverySection") {
        CHECK(mosaic_report_write_html(path, &r, &err) == MOSAIC_OK);
        FILE *fp = fopen(path, "rb");
        CHECK(fp != NULL);
        static char buf[1 << 20];
        size_t n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
        buf[n] = 0;
        if (fp) fclose(fp);
        CHECK(strstr(buf, "Run &lt;demo&gt; &amp; report") != NULL);
        CHECK(strstr(buf, "rows: 5 # &lt;&amp;&gt;") != NULL);
        const char *heads[] = {"Training",
                               "gamma_d",
                               "Hardware checkpoints",
                               "Where traffic piles up",
                               "Proxy vs exact mapping",
                               "Configuration"};
        for (int i = 0; i < 6; i++) CHECK(strstr(buf, heads[i]) != NULL);
        CHECK(strstr(buf, "<script") == NULL); /* offline, no scripts */
        CHECK(strstr(buf, "http://") ==
              strstr(buf, "http://www.w3.org/2000/svg")); /* only the SVG namespace */
        CHECK(strstr(buf, "d = 3") != NULL);
        CHECK(strstr(buf, "class=\"missing\"") == NULL);
        /* the checkpoint without a simulation shows dashes, not "nan" */
        CHECK(strstr(buf, "<td>&ndash;</td><td>&ndash;</td><td>43.0%</td>") != NULL);
        CHECK(strstr(buf, "nan") == NULL);
        /* proxy: the error distribution, the confusion matrix (10 fit both, 2 only exactly, 8 neither)
         * and the saved network the simulator ran, its name escaped */
        CHECK(strstr(buf, "Memory error of the proxy") != NULL && strstr(buf, "median ") != NULL);
        CHECK(strstr(buf, "<tr><th>proxy: fits</th><td>10</td><td>0</td></tr><tr><th>proxy: does "
                          "not</th><td>2</td><td>8</td></tr>") != NULL);
        CHECK(strstr(buf,
                     "epoch_&lt;0003&gt;.h5</td><td>690000</td><td>729000</td><td>no</td><td>123456</td>") !=
              NULL);
    }
    TEST("EmptyHistorySaysWhatIsMissing") {
        MosaicReport e = {0};
        char p2[600];
        snprintf(p2, sizeof p2, "%s.empty.html", path);
        CHECK(mosaic_report_write_html(p2, &e, &err) == MOSAIC_OK);
        FILE *fp = fopen(p2, "rb");
        static char buf[1 << 16];
        size_t n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
        buf[n] = 0;
        if (fp) fclose(fp);
        CHECK(strstr(buf, "No epochs recorded yet.") != NULL);
        CHECK(strstr(buf, "No hardware checkpoint yet.") != NULL);
        remove(p2);
    }
    TEST("UnwritableDirectoryIsAnIoErrorNamingThePath") {
        CHECK(mosaic_report_write_html("/nonexistent-dir/report.html", &r, &err) == MOSAIC_ERR_IO);
        CHECK(strstr(err.msg, "/nonexistent-dir/report.html") != NULL);
    }
    return mosaic_test_finish();
}
