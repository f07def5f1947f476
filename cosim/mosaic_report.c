#define _POSIX_C_SOURCE 200809L
#include "mosaic_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_files.h"
#include "mosaic_proxy.h"
#include "mosaic_svg.h"

static void section_(MosaicText *t, const char *title, const char *what) {
    mosaic_text_printf(t, "<section><h2>");
    mosaic_text_escaped(t, title);
    mosaic_text_printf(t, "</h2>");
    if (what) {
        mosaic_text_printf(t, "<p>");
        mosaic_text_escaped(t, what);
        mosaic_text_printf(t, "</p>");
    }
    mosaic_text_printf(t, "\n");
}

static void missing_(MosaicText *t, const char *what) {
    mosaic_text_printf(t, "<p class=\"missing\">");
    mosaic_text_escaped(t, what);
    mosaic_text_printf(t, "</p></section>\n");
}

static void training_(MosaicText *t, const MosaicReport *r) {
    section_(t, "Training", "Loss and accuracy per epoch (software).");
    if (r->n_epochs == 0) return missing_(t, "No epochs recorded yet.");
    int n = r->n_epochs;
    double *x = malloc(sizeof(double) * n * 4);
    if (!x) return missing_(t, "Out of memory.");
    double *loss = x + n, *tr = x + 2 * n, *te = x + 3 * n;
    for (int i = 0; i < n; i++) {
        x[i] = r->epochs[i].epoch;
        loss[i] = r->epochs[i].loss;
        tr[i] = 100 * r->epochs[i].train_acc;
        te[i] = 100 * r->epochs[i].test_acc;
    }
    MosaicSeries sl = {"loss", x, loss, n};
    MosaicChartStyle st = {"Loss", "epoch", "loss", 0, 0};
    mosaic_svg_line_chart(t, &st, &sl, 1);
    MosaicSeries sa[2] = {{"train", x, tr, n}, {"test", x, te, n}};
    MosaicChartStyle sta = {"Accuracy", "epoch", "accuracy (%)", 0, 0};
    mosaic_svg_line_chart(t, &sta, sa, 2);
    mosaic_text_printf(t, "</section>\n");
    free(x);
}

static void gamma_(MosaicText *t, const MosaicReport *r) {
    section_(
        t, "Links per distance (the proxy, gamma_d)",
        "Inter-tile links (with a non-zero weight) at each routing distance d, per epoch: what routing-aware "
        "training holds to its budgets; the other methods are not held to them.");
    if (r->n_epochs == 0) return missing_(t, "No epochs recorded yet.");
    int n = r->n_epochs, nd = 0;
    int ds[MOSAIC_REPORT_MAX_D];
    for (int d = 1; d <= r->max_d && d <= MOSAIC_REPORT_MAX_D; d += 2) {
        int any = 0;
        for (int i = 0; i < n; i++) any |= r->epochs[i].gamma[d] > 0;
        if (any) ds[nd++] = d;
    }
    if (nd == 0) return missing_(t, "No inter-tile links in any epoch.");
    double *buf = malloc(sizeof(double) * n * (nd + 1));
    MosaicSeries *s = malloc(sizeof(MosaicSeries) * nd);
    char(*names)[16] = malloc(sizeof(*names) * nd);
    if (!buf || !s || !names) {
        free(buf), free(s), free(names);
        return missing_(t, "Out of memory.");
    }
    for (int i = 0; i < n; i++) buf[i] = r->epochs[i].epoch;
    for (int j = 0; j < nd; j++) {
        snprintf(names[j], sizeof names[j], "d = %d", ds[j]);
        for (int i = 0; i < n; i++) buf[(j + 1) * n + i] = r->epochs[i].gamma[ds[j]];
        s[j] = (MosaicSeries){names[j], buf, buf + (j + 1) * n, n};
    }
    MosaicChartStyle st = {"gamma_d over training", "epoch", "links", 0, 0};
    mosaic_svg_line_chart(t, &st, s, nd);
    mosaic_text_printf(t, "</section>\n");
    free(buf), free(s), free(names);
}

static void hardware_(MosaicText *t, const MosaicReport *r) {
    section_(
        t, "Hardware checkpoints",
        "Every hardware checkpoint maps the current network exactly and runs it on the cycle-level array.");
    if (r->n_hw == 0) return missing_(t, "No hardware checkpoint yet.");
    int n = r->n_hw;
    double *b = malloc(sizeof(double) * n * 6);
    if (!b) return missing_(t, "Out of memory.");
    double *x = b, *m = b + n, *p = b + 2 * n, *v = b + 3 * n, *hw = b + 4 * n, *sw = b + 5 * n;
    for (int i = 0; i < n; i++) {
        x[i] = r->hw[i].epoch;
        m[i] = r->hw[i].devices_total / 1e6;
        p[i] = r->hw[i].proxy_total / 1e6;
        v[i] = r->hw[i].violations;
        hw[i] = 100 * r->hw[i].hw_acc;
        sw[i] = 100 * r->hw[i].sw_acc;
    }
    MosaicSeries sm[2] = {{"exact mapping", x, m, n}, {"proxy estimate", x, p, n}};
    MosaicChartStyle st = {"Routing memory M", "epoch", "devices (millions)", 0, 0};
    mosaic_svg_line_chart(t, &st, sm, 2);
    MosaicSeries sv = {"violations", x, v, n};
    MosaicChartStyle stv = {"Capacity violations", "epoch", "ports over capacity", 0, 0};
    mosaic_svg_line_chart(t, &stv, &sv, 1);
    MosaicSeries sa[2] = {{"hardware", x, hw, n}, {"software", x, sw, n}};
    MosaicChartStyle sta = {"Accuracy on hardware vs in software", "epoch", "accuracy (%)", 0, 0};
    mosaic_svg_line_chart(t, &sta, sa, 2);
    mosaic_text_printf(t, "<table><tr><th>epoch</th><th>mappable</th><th>violations</th><th>M</th><th>NT</th>"
                          "<th>R1</th><th>R0</th><th>worst port</th><th>late spikes</th><th>hw acc</th>"
                          "<th>sw acc</th></tr>\n");
    for (int i = 0; i < n; i++) {
        const MosaicHwRecord *h = &r->hw[i];
        mosaic_text_printf(t,
                           "<tr><td>%d</td><td>%s</td><td>%d</td><td>%.0f</td><td>%.0f</td><td>%.0f</td>"
                           "<td>%.0f</td><td>",
                           h->epoch, h->mappable ? "yes" : "no", h->violations, h->devices_total,
                           h->devices_nt, h->devices_r1, h->devices_r0);
        mosaic_text_escaped(t, h->worst_port);
        /* a checkpoint that was not simulated has no late spikes or hardware accuracy: a dash, not "nan" */
        char late[32] = "&ndash;", hw_acc[32] = "&ndash;", sw_acc[32] = "&ndash;";
        if (!isnan(h->late_spikes)) snprintf(late, sizeof late, "%.0f", h->late_spikes);
        if (!isnan(h->hw_acc)) snprintf(hw_acc, sizeof hw_acc, "%.1f%%", 100 * h->hw_acc);
        if (!isnan(h->sw_acc)) snprintf(sw_acc, sizeof sw_acc, "%.1f%%", 100 * h->sw_acc);
        mosaic_text_printf(t, " (%.0f%%)</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", 100 * h->worst_util,
                           late, hw_acc, sw_acc);
    }
    mosaic_text_printf(t, "</table></section>\n");
    free(b);
}

static void grid_maps_(MosaicText *t, const MosaicReport *r) {
    section_(
        t, "Where traffic piles up",
        "Left: the busiest port of each cell as a fraction of its capacity (above 1 = over capacity). "
        "Right: spikes through each cell in the last simulation. Neuron tiles sit at odd (row, column).");
    if (!r->arch || (!r->port_util && !r->router_spikes)) return missing_(t, "No mapping measured yet.");
    int gr = mosaic_grid_rows(r->arch), gc = mosaic_grid_cols(r->arch);
    char **labels = malloc(sizeof(char *) * gr * gc);
    char *store = malloc((size_t)gr * gc * 32);
    if (!labels || !store) {
        free(labels), free(store);
        return missing_(t, "Out of memory.");
    }
    for (int i = 0; i < gr; i++)
        for (int j = 0; j < gc; j++) {
            char *l = store + (size_t)(i * gc + j) * 32;
            snprintf(l, 32, "%s (%d,%d)", mosaic_cell_kind_name(mosaic_cell_kind(i, j)), i, j);
            labels[i * gc + j] = l;
        }
    if (r->port_util) {
        MosaicChartStyle st = {"Port utilisation (outlined: over capacity)", NULL, NULL, 420, 380};
        /* 0..1 of capacity; a port over it (an unmappable network) outlined in blue */
        mosaic_svg_heatmap(t, &st, r->port_util, gr, gc, 1, 1, (const char *const *)labels);
    }
    if (r->router_spikes) {
        MosaicChartStyle st = {"Spike traffic per cell", NULL, NULL, 420, 380};
        mosaic_svg_heatmap(t, &st, r->router_spikes, gr, gc, 0, 0, (const char *const *)labels);
    }
    mosaic_text_printf(t, "</section>\n");
    free(labels), free(store);
}

static int cmp_double_(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The error distribution of the proxy's memory: a line of quantiles and a histogram of |proxy - exact| /
 * exact, as proxy-check prints them. */
static void proxy_errors_(MosaicText *t, const MosaicReport *r) {
    const int n = r->n_proxy;
    double *rel = malloc(sizeof(double) * (size_t)n);
    if (!rel) return;
    for (int i = 0; i < n; i++) rel[i] = fabs(r->proxy_m[i] - r->exact_m[i]) / r->exact_m[i];
    qsort(rel, (size_t)n, sizeof *rel, cmp_double_);
    const double q[2] = {mosaic_quantile_sorted(rel, n, 0.5), mosaic_quantile_sorted(rel, n, 0.9)};
    mosaic_text_printf(t,
                       "<p>|proxy &minus; exact| / exact over %d networks: median %.2f %%, 90th percentile "
                       "%.2f %%, largest %.2f %%.</p>\n",
                       n, 100 * q[0], 100 * q[1], 100 * rel[n - 1]);
    static const char *const names[6] = {"< 1 %", "1-2 %", "2-5 %", "5-10 %", "10-20 %", ">= 20 %"};
    static const double edges[5] = {0.01, 0.02, 0.05, 0.10, 0.20};
    double counts[6] = {0};
    for (int i = 0; i < n; i++) {
        int b = 0;
        while (b < 5 && rel[i] >= edges[b]) b++;
        counts[b]++;
    }
    MosaicChartStyle st = {"Memory error of the proxy", "|proxy - exact| / exact", "networks", 420, 300};
    mosaic_svg_bar_chart(t, &st, names, counts, 6);
    free(rel);
}

/* The mappability confusion matrix and the table of saved networks (with the simulator's devices). */
static void proxy_tables_(MosaicText *t, const MosaicReport *r) {
    if (r->proxy_fits && r->exact_fits) {
        int c[2][2]; /* [proxy fits][exact fits] */
        mosaic_proxy_confusion(r->proxy_fits, r->exact_fits, r->n_proxy, c);
        mosaic_text_printf(t,
                           "<table><caption>Mappability (proxy: fits when at least half of its draws "
                           "fit)</caption><tr><th></th><th>exact: fits</th><th>exact: does not</th></tr>"
                           "<tr><th>proxy: fits</th><td>%d</td><td>%d</td></tr><tr><th>proxy: does "
                           "not</th><td>%d</td><td>%d</td></tr><tr><th>agreement</th><td colspan=\"2\">%.1f "
                           "%%</td></tr></table>\n",
                           c[1][1], c[1][0], c[0][1], c[0][0], 100.0 * (c[1][1] + c[0][0]) / r->n_proxy);
    }
    if (!r->proxy_label || !r->sim_devices) return;
    int shown = 0;
    for (int i = 0; i < r->n_proxy; i++) {
        if (isnan(r->sim_devices[i])) continue;
        if (!shown++)
            mosaic_text_printf(t,
                               "<table><caption>Saved networks the co-simulation ran on the array: the "
                               "proxy's memory, the mapper's exact M, and the devices the simulator "
                               "programmed (NT weights and router crosspoints)</caption><tr><th>network</th>"
                               "<th>proxy M</th><th>exact M</th><th>fits</th><th>simulator: devices "
                               "programmed</th></tr>\n");
        mosaic_text_printf(t, "<tr><td style=\"text-align:left\">");
        mosaic_text_escaped(t, r->proxy_label[i]);
        mosaic_text_printf(t, "</td><td>%.0f</td><td>%.0f</td><td>%s</td><td>%.0f</td></tr>\n", r->proxy_m[i],
                           r->exact_m[i], r->exact_fits && r->exact_fits[i] ? "yes" : "no",
                           r->sim_devices[i]);
    }
    if (shown) mosaic_text_printf(t, "</table>\n");
}

static void proxy_(MosaicText *t, const MosaicReport *r) {
    section_(t, "Proxy vs exact mapping", "Memory predicted from gamma_d against the mapper's exact count.");
    if (r->n_proxy == 0) return missing_(t, "No proxy check recorded.");
    double *b = malloc(sizeof(double) * r->n_proxy * 2);
    if (!b) return missing_(t, "Out of memory.");
    for (int i = 0; i < r->n_proxy; i++) b[i] = r->proxy_m[i] / 1e6, b[r->n_proxy + i] = r->exact_m[i] / 1e6;
    MosaicSeries s = {"networks", b, b + r->n_proxy, r->n_proxy};
    MosaicChartStyle st = {"Memory: proxy vs exact", "proxy (M devices)", "exact (M devices)", 420, 380};
    mosaic_svg_scatter(t, &st, &s, 1, 1);
    proxy_errors_(t, r);
    proxy_tables_(t, r);
    mosaic_text_printf(t, "</section>\n");
    free(b);
}

static const char *css_ =
    "body{font-family:sans-serif;max-width:1200px;margin:24px auto;color:#222}"
    "section{margin:24px 0;border-top:1px solid #ddd}svg{margin:6px;vertical-align:top}"
    "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px "
    "6px;text-align:right}"
    ".missing{color:#888;font-style:italic}pre{background:#f6f6f6;padding:8px;font-size:11px;overflow:auto}";

MosaicStatus mosaic_report_write_html(const char *path, const MosaicReport *r, MosaicErr *err) {
    MosaicText t;
    mosaic_text_init(&t);
    mosaic_text_printf(&t, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    mosaic_text_escaped(&t, r->title ? r->title : "mosaic-hil run report");
    mosaic_text_printf(&t, "</title><style>%s</style></head><body>\n<h1>", css_);
    mosaic_text_escaped(&t, r->title ? r->title : "mosaic-hil run report");
    mosaic_text_printf(&t, "</h1>\n");
    if (r->arch)
        mosaic_text_printf(
            &t, "<p>Array %d&times;%d tiles of %d neurons; capacities NT %d, R1 %d, R0 %d lines.</p>\n",
            r->arch->rows, r->arch->cols, r->arch->neurons_per_tile, r->arch->cap_nt[1], r->arch->cap_r1[1],
            r->arch->cap_r0[1]);
    /* proxy-check's report has proxy points only: no training or hardware sections to call empty */
    const int proxy_only = r->n_epochs == 0 && r->n_hw == 0 && r->n_proxy > 0;
    if (!proxy_only) {
        training_(&t, r);
        gamma_(&t, r);
        hardware_(&t, r);
        grid_maps_(&t, r);
    }
    proxy_(&t, r);
    section_(&t, "Configuration",
             proxy_only ? "The architecture checked." : "The resolved configuration of this run.");
    mosaic_text_printf(&t, "<pre>");
    mosaic_text_escaped(&t, r->config_yaml ? r->config_yaml : "(not recorded)");
    mosaic_text_printf(&t, "</pre></section>\n</body></html>\n");
    if (t.failed) {
        mosaic_text_free(&t);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory while composing the report", path);
    }
    MosaicStatus st = mosaic_write_file_atomic(path, t.data, t.len, err);
    mosaic_text_free(&t);
    return st;
}
