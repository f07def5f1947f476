/* mosaic_report: the run report (report.html), one self-contained offline file with inline SVG.
 *
 * Sections: training curves, gamma_d over time, devices M and violations over time, hardware vs software
 * accuracy, a heat map of port utilisation over the cell grid, spike traffic per router, proxy vs
 * measured memory, and the resolved configuration. The caller fills a MosaicReport from the run's
 * history; every array may be empty (the section then says what is missing). */
#ifndef MOSAIC_REPORT_H
#define MOSAIC_REPORT_H

#include "mosaic_arch.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_REPORT_MAX_D 64

typedef struct {
    int epoch;
    double loss, train_acc, test_acc; /* accuracies as fractions in [0, 1] */
    double spikes_per_neuron_step;
    int pruned, grown;
    double gamma[MOSAIC_REPORT_MAX_D + 1]; /* links per distance d (odd d) */
} MosaicEpochRecord;

typedef struct {
    int epoch;
    int mappable;
    int violations;
    double devices_nt, devices_r1, devices_r0, devices_total; /* per-type crossbar sizes and M */
    double proxy_total; /* M predicted by the training-time proxy from gamma_d; NaN if none */
    double worst_util;  /* largest port load / capacity */
    /* The busiest port as numbers (row -1: no port carries a line), kept in history.h5 so that a resumed
     * run names it again; worst_port is its readable form, e.g. "R1h (5,4) in_E 30/32". */
    int worst_row, worst_col, worst_pidx, worst_load, worst_cap;
    char worst_port[64];
    double late_spikes;
    double hw_acc, sw_acc; /* NaN when not measured */
} MosaicHwRecord;

typedef struct {
    const char *title;
    const char *config_yaml; /* resolved configuration, shown verbatim */
    const MosaicArch *arch;
    int max_d;
    int n_epochs;
    const MosaicEpochRecord *epochs;
    int n_hw;
    const MosaicHwRecord *hw;
    const double *port_util;     /* (grid rows x grid cols) max port load / capacity per cell, NaN for none */
    const double *router_spikes; /* (grid rows x grid cols) spikes through each cell in the last run */
    int n_proxy;                 /* proxy-check points */
    const double *proxy_m, *exact_m; /* (n_proxy) */
    /* proxy-check's extras (each may be NULL): the mappability verdicts (proxy: at least half of its draws
     * fit) for the confusion matrix, the points' names and the devices the simulator programmed (NaN where
     * a point was not simulated) for the table of saved networks */
    const int *proxy_fits, *exact_fits;
    const char *const *proxy_label;
    const double *sim_devices;
} MosaicReport;

/* Writes the report to `path` atomically (temporary name, then rename). */
MosaicStatus mosaic_report_write_html(const char *path, const MosaicReport *report, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
