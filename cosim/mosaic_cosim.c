#define _POSIX_C_SOURCE 200809L
#include "mosaic_cosim.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_files.h"
#include "mosaic_h5.h"
#include "mosaic_proxy.h"
#include "mosaic_train_run.h"

static const char COSIM_HISTORY_FORMAT_[] = "mosaic-cosim-history"; /* RUN/history.h5 */

/* ---------------------------------------------------------------------------------------------
 * Configuration
 * ------------------------------------------------------------------------------------------- */

void mosaic_cosim_config_default(MosaicCosimConfig *c) {
    memset(c, 0, sizeof *c);
    c->every = 2;
    c->samples = 64;
    c->feedback = MOSAIC_FEEDBACK_CLOSED;
    c->memory_budget = 0;
    c->traffic_penalty = 0;
    c->sim_timeout = 600;
    c->sim_ideal = true;
}

#define F_(key, type, field, lo, hi, choices, help)                                                          \
    { key, type, offsetof(MosaicCosimConfig, field), lo, hi, choices, help, 0, 0 }

static const MosaicCfgField cosim_fields_[] = {
    F_("cosim.every", MOSAIC_CFG_INT, every, 1, 100000, NULL, "hardware checkpoint every K epochs"),
    F_("cosim.samples", MOSAIC_CFG_INT, samples, 1, 1 << 24, NULL,
       "held-out samples simulated per checkpoint: test recordings spread evenly over train.data.test"),
    F_("cosim.feedback", MOSAIC_CFG_ENUM, feedback, 0, 0, "none|closed",
       "none: map and simulate only (open loop); closed: keep training within the hardware"),
    F_("cosim.memory_budget", MOSAIC_CFG_DOUBLE, memory_budget, 0, 1e12, NULL,
       "routing memory M allowed in devices (closed loop; met by pruning the weakest links of distance "
       ">= 3 that lower M, and refusing refills that would exceed it); 0 = port capacities only"),
    F_("cosim.traffic_penalty", MOSAIC_CFG_DOUBLE, traffic_penalty, 0, 1e6, NULL,
       "closed loop: penalty c * rate(source) * hops * sum w^2 per link from measured spikes; 0 = off"),
    F_("cosim.sim_timeout", MOSAIC_CFG_DOUBLE, sim_timeout, 1, 1e7, NULL,
       "seconds before a simulation is declared hung and killed"),
    F_("cosim.sim_ideal", MOSAIC_CFG_BOOL, sim_ideal, 0, 0, NULL,
       "simulate ideal devices (true) or the architecture's device model (false)"),
    F_("cosim.sim_wait", MOSAIC_CFG_BOOL, sim_wait, 0, 0, NULL,
       "training waits for each simulation: every checkpoint is simulated and a run is reproducible "
       "(false: a checkpoint that finds the simulator busy is not simulated)"),
    {"cosim.sim_program", MOSAIC_CFG_STRING, offsetof(MosaicCosimConfig, sim_program), 0, 512, NULL,
     "program run as `<program> sim ...`; empty = this mosaic executable", 0, 0},
};
#undef F_

MosaicCfgSection mosaic_cosim_config_section(MosaicCosimConfig *cfg) {
    MosaicCfgSection s = {cosim_fields_, sizeof cosim_fields_ / sizeof cosim_fields_[0], cfg};
    return s;
}

/* ---------------------------------------------------------------------------------------------
 * Hardware records
 * ------------------------------------------------------------------------------------------- */

static void worst_port_name_(MosaicHwRecord *rec) {
    if (rec->worst_row < 0) {
        snprintf(rec->worst_port, sizeof rec->worst_port, "none");
        return;
    }
    snprintf(rec->worst_port, sizeof rec->worst_port, "%s (%d,%d) %s %d/%d",
             mosaic_cell_kind_name(mosaic_cell_kind(rec->worst_row, rec->worst_col)), rec->worst_row,
             rec->worst_col, mosaic_port_name(rec->worst_pidx), rec->worst_load, rec->worst_cap);
}

MosaicStatus mosaic_cosim_record_mapping(MosaicHwRecord *rec, const MosaicMapping *m, int draws,
                                         uint64_t seed, MosaicErr *err) {
    const MosaicArch *a = &m->arch;
    rec->mappable = mosaic_mapping_ok(m);
    rec->violations = m->n_violations;
    rec->devices_nt = (double)m->dev_nt;
    rec->devices_r1 = (double)m->dev_r1;
    rec->devices_r0 = (double)m->dev_r0;
    rec->devices_total = (double)m->dev_total;
    rec->worst_util = 0;
    rec->worst_row = -1;
    const int worst = mosaic_mapping_busiest_port(m); /* the port `mosaic map` lists first */
    if (worst >= 0) {
        const int cell = worst / MOSAIC_NPORTS, G = mosaic_grid_cols(a);
        rec->worst_row = cell / G, rec->worst_col = cell % G, rec->worst_pidx = worst % MOSAIC_NPORTS;
        rec->worst_load = m->count[worst];
        rec->worst_cap = mosaic_port_capacity(a, rec->worst_row, rec->worst_col, rec->worst_pidx);
        rec->worst_util = rec->worst_cap > 0 ? (double)rec->worst_load / rec->worst_cap : INFINITY;
    }
    worst_port_name_(rec);
    rec->proxy_total = NAN;
    if (draws > 0) {
        MosaicProxyEstimate est;
        MOSAIC_TRY(mosaic_proxy_estimate(a, m->gamma, draws, seed, &est, err));
        rec->proxy_total = est.mean_m;
    }
    return MOSAIC_OK;
}

void mosaic_cosim_port_util(const MosaicMapping *m, double *util) {
    const MosaicArch *a = &m->arch;
    for (int gr = 0; gr < mosaic_grid_rows(a); gr++)
        for (int gc = 0; gc < mosaic_grid_cols(a); gc++) {
            int cell = mosaic_cell_index(a, gr, gc);
            double u = NAN;
            for (int p = 0; p < MOSAIC_NPORTS; p++) {
                int cap = mosaic_port_capacity(a, gr, gc, p), cnt = m->count[mosaic_cp(cell, p)];
                if (cap > 0 && cnt > 0 && (isnan(u) || (double)cnt / cap > u)) u = (double)cnt / cap;
            }
            util[cell] = u;
        }
}

/* ---------------------------------------------------------------------------------------------
 * Simulation results
 * ------------------------------------------------------------------------------------------- */

void mosaic_sim_outcome_free(MosaicSimOutcome *o) {
    if (!o) return;
    free(o->neuron_spikes);
    free(o->cell_spikes);
    memset(o, 0, sizeof *o);
}

static MosaicStatus read_scalar_i64_(MosaicH5File *f, const char *name, int64_t *v, MosaicErr *err) {
    return mosaic_h5_read_into(f, name, MOSAIC_H5_I64, 0, NULL, v, err);
}

MosaicStatus mosaic_cosim_load_config_string(const char *name, const char *yaml, MosaicArch *arch,
                                             MosaicTrainConfig *cfg, MosaicErr *err) {
    MosaicCosimConfig cosim;
    mosaic_cosim_config_default(&cosim);
    mosaic_arch_default(arch);
    mosaic_train_config_default(cfg);
    MosaicCfgSection sec[3] = {mosaic_arch_config_section(arch), mosaic_train_config_section(cfg),
                               mosaic_cosim_config_section(&cosim)};
    return mosaic_cfg_load_string(name, yaml, sec, 3, err);
}

MosaicStatus mosaic_cosim_recorded_config(const char *net_path, MosaicArch *arch, MosaicTrainConfig *cfg,
                                          int *found, MosaicErr *err) {
    *found = 0;
    MosaicH5File *f = NULL;
    MOSAIC_TRY(mosaic_h5_open(net_path, &f, err));
    char *yaml = NULL;
    MosaicErr absent;
    MosaicStatus st = MOSAIC_OK;
    if (mosaic_h5_attr_read_string(f, "/", "config", &yaml, &absent) == MOSAIC_OK && yaml &&
        strstr(yaml, "\ntrain:")) {
        char name[4200];
        snprintf(name, sizeof name, "%s (its recorded configuration)", net_path);
        st = mosaic_cosim_load_config_string(name, yaml, arch, cfg, err);
        *found = st == MOSAIC_OK;
    }
    free(yaml);
    mosaic_h5_close(f);
    return st;
}

void mosaic_cosim_checkpoint_file(const char *run, int epoch, char *buf, size_t n) {
    snprintf(buf, n, "%s/checkpoints/epoch_%04d.h5", run, epoch);
}

void mosaic_cosim_hw_file(const char *run, int epoch, const char *what, char *buf, size_t n) {
    snprintf(buf, n, "%s/hw/epoch_%04d_%s", run, epoch, what);
}

MosaicStatus mosaic_cosim_read_sim(const char *path, const MosaicArch *arch, MosaicSimOutcome *o,
                                   MosaicErr *err) {
    memset(o, 0, sizeof *o);
    MosaicH5File *f = NULL;
    MOSAIC_TRY(mosaic_h5_open(path, &f, err));
    const int cells = mosaic_cells(arch), n = mosaic_arch_neurons(arch);
    char *format = NULL;
    MosaicStatus st = mosaic_h5_attr_read_string(f, "/", "format", &format, err);
    if (st == MOSAIC_OK && strcmp(format, MOSAIC_SIM_FORMAT) != 0)
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: root attribute 'format' is '%s'; expected '%s'", path,
                        format, MOSAIC_SIM_FORMAT);
    free(format);
    if (st == MOSAIC_OK) st = mosaic_h5_read_into(f, "accuracy", MOSAIC_H5_F64, 0, NULL, &o->accuracy, err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_read_into(f, "timing/wall_s", MOSAIC_H5_F64, 0, NULL, &o->wall_s, err);
    if (st == MOSAIC_OK) st = read_scalar_i64_(f, "timing/steps", &o->steps, err);
    if (st == MOSAIC_OK) st = read_scalar_i64_(f, "timing/cycles", &o->cycles, err);
    if (st == MOSAIC_OK) st = read_scalar_i64_(f, "late/late", &o->late, err);
    if (st == MOSAIC_OK) st = read_scalar_i64_(f, "late/late_dropped", &o->late_dropped, err);
    int64_t dims[2] = {-1, 0};
    void *labels = NULL;
    if (st == MOSAIC_OK) st = mosaic_h5_read(f, "samples/label", MOSAIC_H5_I32, 1, dims, &labels, err);
    o->samples = dims[0];
    free(labels);
    if (st == MOSAIC_OK) {
        o->n_neurons = n;
        o->neuron_spikes = malloc(sizeof(int64_t) * (size_t)n);
        o->n_cells = cells;
        o->cell_spikes = malloc(sizeof(double) * (size_t)cells);
        if (!o->neuron_spikes || !o->cell_spikes)
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    }
    int64_t nd[1] = {n};
    if (st == MOSAIC_OK)
        st = mosaic_h5_read_into(f, "neurons/spikes", MOSAIC_H5_I64, 1, nd, o->neuron_spikes, err);
    int64_t *ps = NULL;
    int64_t pd[2] = {cells, 8};
    if (st == MOSAIC_OK) st = mosaic_h5_read(f, "ports/spikes", MOSAIC_H5_I64, 2, pd, (void **)&ps, err);
    if (st == MOSAIC_OK)
        for (int c = 0; c < cells; c++) {
            double s = 0;
            for (int p = 0; p < 4; p++) s += (double)ps[c * 8 + p]; /* spikes entering the cell */
            o->cell_spikes[c] = s;
        }
    free(ps);
    /* what the hardware holds programmed, as the simulator read it back */
    int64_t td[1] = {mosaic_arch_tiles(arch)}, cd[1] = {cells};
    int32_t *dev = NULL;
    if (st == MOSAIC_OK) st = mosaic_h5_read(f, "devices/nt", MOSAIC_H5_I32, 1, td, (void **)&dev, err);
    for (int64_t i = 0; st == MOSAIC_OK && i < td[0]; i++) o->devices_programmed += dev[i];
    free(dev);
    dev = NULL;
    if (st == MOSAIC_OK) st = mosaic_h5_read(f, "devices/router", MOSAIC_H5_I32, 1, cd, (void **)&dev, err);
    for (int64_t i = 0; st == MOSAIC_OK && i < cd[0]; i++) o->devices_programmed += dev[i];
    free(dev);
    mosaic_h5_close(f);
    /* the traffic penalty prices links with these rates: a neuron spikes at most once per step */
    if (st == MOSAIC_OK && (o->steps <= 0 || !(o->accuracy >= 0 && o->accuracy <= 1)))
        st = mosaic_err(err, MOSAIC_ERR_INPUT,
                        "%s: timing/steps %lld and accuracy %g; expected steps > 0 and an accuracy in [0, 1]",
                        path, (long long)o->steps, o->accuracy);
    for (int i = 0; st == MOSAIC_OK && i < n; i++)
        if (o->neuron_spikes[i] < 0 || o->neuron_spikes[i] > o->steps)
            st = mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: neurons/spikes[%d] is %lld; expected 0 .. timing/steps = %lld (one spike per step "
                "at most)",
                path, i, (long long)o->neuron_spikes[i], (long long)o->steps);
    if (st != MOSAIC_OK) mosaic_sim_outcome_free(o);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * History files
 * ------------------------------------------------------------------------------------------- */

static char *csv_hw_(const MosaicHwRecord *h, int n) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return NULL;
    fprintf(m,
            "epoch,mappable,violations,devices_nt,devices_r1,devices_r0,devices_total,proxy_total,worst_util,"
            "worst_port,late_spikes,hw_acc,sw_acc\n");
    for (int i = 0; i < n; i++)
        fprintf(m, "%d,%d,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.4f,\"%s\",%.0f,%.6f,%.6f\n", h[i].epoch,
                h[i].mappable, h[i].violations, h[i].devices_nt, h[i].devices_r1, h[i].devices_r0,
                h[i].devices_total, h[i].proxy_total, h[i].worst_util, h[i].worst_port, h[i].late_spikes,
                h[i].hw_acc, h[i].sw_acc);
    fclose(m);
    return buf;
}

MosaicStatus mosaic_cosim_write_history(const char *dir, const MosaicProvenance *prov,
                                        const MosaicTrainEpoch *r, int n, int max_d, const MosaicHwRecord *h,
                                        int nh, MosaicErr *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/history.csv", dir);
    MOSAIC_TRY(mosaic_train_write_history_csv(path, r, n, max_d, err));
    char *csv = csv_hw_(h, nh);
    if (!csv) return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/hardware.csv", dir);
    MosaicStatus st = mosaic_write_text_atomic(path, csv, err);
    free(csv);
    if (st != MOSAIC_OK) return st;

    snprintf(path, sizeof path, "%s/history.h5", dir);
    MosaicH5File *f = NULL;
    MOSAIC_TRY(mosaic_h5_create(path, &f, err));
    st = mosaic_h5_write_provenance(f, prov, err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_string(f, "/", "format", COSIM_HISTORY_FORMAT_, err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_int64(f, "/", "format_version", 1, err);
    if (st == MOSAIC_OK) st = mosaic_train_write_history_h5(f, r, n, err);
    if (st == MOSAIC_OK) st = mosaic_h5_group(f, "hardware", err);
    if (st == MOSAIC_OK && nh > 0) {
        const struct {
            const char *name;
            size_t off;
            int is_int;
            const char *units, *desc;
        } cols[] = {
            {"epoch", offsetof(MosaicHwRecord, epoch), 1, "epoch",
             "epochs trained at the hardware checkpoint"},
            {"mappable", offsetof(MosaicHwRecord, mappable), 1, "bool", "1 if every port is within capacity"},
            {"violations", offsetof(MosaicHwRecord, violations), 1, "ports", "ports above capacity"},
            {"devices_nt", offsetof(MosaicHwRecord, devices_nt), 0, "devices", "NT crossbar size"},
            {"devices_r1", offsetof(MosaicHwRecord, devices_r1), 0, "devices", "R1 crossbar size"},
            {"devices_r0", offsetof(MosaicHwRecord, devices_r0), 0, "devices", "R0 crossbar size"},
            {"devices_total", offsetof(MosaicHwRecord, devices_total), 0, "devices", "routing memory M"},
            {"proxy_total", offsetof(MosaicHwRecord, proxy_total), 0, "devices", "M predicted by the proxy"},
            {"worst_util", offsetof(MosaicHwRecord, worst_util), 0, "1", "busiest port load / capacity"},
            {"worst_row", offsetof(MosaicHwRecord, worst_row), 1, "cell",
             "grid row of the busiest port; -1: none"},
            {"worst_col", offsetof(MosaicHwRecord, worst_col), 1, "cell", "grid column of the busiest port"},
            {"worst_port", offsetof(MosaicHwRecord, worst_pidx), 1, "port",
             "busiest port: 0-3 in_N,in_E,in_S,in_W; 4-7 out_N,out_E,out_S,out_W"},
            {"worst_load", offsetof(MosaicHwRecord, worst_load), 1, "lines",
             "lines through the busiest port"},
            {"worst_capacity", offsetof(MosaicHwRecord, worst_cap), 1, "lines",
             "capacity of the busiest port"},
            {"late_spikes", offsetof(MosaicHwRecord, late_spikes), 0, "deliveries",
             "late spikes in simulation"},
            {"hw_acc", offsetof(MosaicHwRecord, hw_acc), 0, "1",
             "accuracy on the simulated array (NaN: none)"},
            {"sw_acc", offsetof(MosaicHwRecord, sw_acc), 0, "1", "software accuracy on the same samples"},
        };
        double *v = malloc(sizeof(double) * (size_t)nh);
        if (!v) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
        for (size_t c = 0; c < sizeof cols / sizeof cols[0] && st == MOSAIC_OK; c++) {
            for (int i = 0; i < nh; i++) {
                const char *p = (const char *)&h[i] + cols[c].off;
                v[i] = cols[c].is_int ? (double)*(const int *)p : *(const double *)p;
            }
            char name[64];
            snprintf(name, sizeof name, "hardware/%s", cols[c].name);
            int64_t dims[1] = {nh};
            st = mosaic_h5_write(f, name, MOSAIC_H5_F64, 1, dims, v, cols[c].units, cols[c].desc, err);
        }
        free(v);
    }
    if (st != MOSAIC_OK) {
        mosaic_h5_abort(f);
        return st;
    }
    return mosaic_h5_commit(f, err);
}

/* Why record i cannot be one of a run's with `done` epochs (NULL when it can). */
static const char *record_problem_(const MosaicHwRecord *r, const MosaicHwRecord *prev) {
    const double acc[2] = {r->hw_acc, r->sw_acc};
    if (prev && r->epoch <= prev->epoch) return "epochs not in ascending order";
    if (r->mappable != 0 && r->mappable != 1) return "mappable neither 0 nor 1";
    for (int k = 0; k < 2; k++)
        if (!isnan(acc[k]) && !(acc[k] >= 0 && acc[k] <= 1)) return "an accuracy outside [0, 1]";
    if (!(r->violations >= 0) || !(r->devices_total >= 0) || !(r->late_spikes >= 0 || isnan(r->late_spikes)))
        return "a negative count";
    return NULL;
}

MosaicStatus mosaic_cosim_read_hardware(const char *dir, int epochs_done, MosaicHwRecord **out, int *n_out,
                                        MosaicErr *err) {
    *out = NULL;
    *n_out = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/history.h5", dir);
    FILE *probe = fopen(path, "rb");
    if (!probe) return MOSAIC_OK;
    fclose(probe);
    MosaicH5File *f = NULL;
    MOSAIC_TRY(mosaic_h5_open(path, &f, err));
    MosaicStatus st = MOSAIC_OK;
    char *format = NULL;
    MosaicErr ferr;
    if (mosaic_h5_attr_read_string(f, "/", "format", &format, &ferr) != MOSAIC_OK || !format ||
        strcmp(format, COSIM_HISTORY_FORMAT_) != 0)
        st = mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: root attribute 'format' is %s%s%s; expected 'mosaic-cosim-history' (the history a "
            "mosaic cosim run writes)",
            path, format ? "'" : "", format ? format : "missing", format ? "'" : "");
    free(format);
    if (st != MOSAIC_OK) {
        mosaic_h5_close(f);
        return st;
    }
    if (!mosaic_h5_exists(f, "hardware/epoch")) {
        mosaic_h5_close(f);
        return MOSAIC_OK;
    }
    int64_t dims[1] = {-1};
    double *epoch = NULL;
    st = mosaic_h5_read(f, "hardware/epoch", MOSAIC_H5_F64, 1, dims, (void **)&epoch, err);
    int n = (int)dims[0];
    MosaicHwRecord *h = st == MOSAIC_OK ? calloc((size_t)(n ? n : 1), sizeof *h) : NULL;
    if (st == MOSAIC_OK && !h) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    /* The worst-port columns came later: files without them still resume, the port unnamed. */
    const char *names[] = {"mappable",    "violations",    "devices_nt",  "devices_r1",
                           "devices_r0",  "devices_total", "proxy_total", "worst_util",
                           "late_spikes", "hw_acc",        "sw_acc",      "worst_row",
                           "worst_col",   "worst_port",    "worst_load",  "worst_capacity"};
    enum { NCOLS = sizeof names / sizeof names[0], NREQUIRED = 11 };
    double *vals[NCOLS] = {0};
    int have_worst = 1;
    for (int c = 0; c < NCOLS && st == MOSAIC_OK; c++) {
        char name[64];
        snprintf(name, sizeof name, "hardware/%s", names[c]);
        if (c >= NREQUIRED && !mosaic_h5_exists(f, name)) {
            have_worst = 0;
            continue;
        }
        int64_t d[1] = {n};
        vals[c] = malloc(sizeof(double) * (size_t)(n ? n : 1));
        if (!vals[c])
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
        else
            st = mosaic_h5_read_into(f, name, MOSAIC_H5_F64, 1, d, vals[c], err);
    }
    for (int i = 0; i < n && st == MOSAIC_OK; i++) {
        if (!(epoch[i] >= 1 &&
              epoch[i] <= epochs_done)) { /* before the cast: nan or 1e20 do not fit an int */
            st = mosaic_err(err, MOSAIC_ERR_INPUT,
                            "%s: /hardware/epoch[%d] is %g; expected an epoch the run has done (1 .. %d)",
                            path, i, epoch[i], epochs_done);
            break;
        }
        /* the integer columns: a cast of nan or 1e20 to int is undefined */
        static const int int_cols[] = {0, 1, 11, 12, 13, 14, 15};
        for (size_t k = 0; k < sizeof int_cols / sizeof int_cols[0] && st == MOSAIC_OK; k++) {
            const int col = int_cols[k];
            if (vals[col] && !(fabs(vals[col][i]) < 1e9))
                st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: /hardware/%s[%d] is %g; expected a whole count",
                                path, names[col], i, vals[col][i]);
        }
        if (st != MOSAIC_OK) break;
        h[i].epoch = (int)epoch[i];
        h[i].mappable = (int)vals[0][i];
        h[i].violations = (int)vals[1][i];
        h[i].devices_nt = vals[2][i];
        h[i].devices_r1 = vals[3][i];
        h[i].devices_r0 = vals[4][i];
        h[i].devices_total = vals[5][i];
        h[i].proxy_total = vals[6][i];
        h[i].worst_util = vals[7][i];
        h[i].late_spikes = vals[8][i];
        h[i].hw_acc = vals[9][i];
        h[i].sw_acc = vals[10][i];
        if (have_worst) {
            h[i].worst_row = (int)vals[11][i], h[i].worst_col = (int)vals[12][i];
            h[i].worst_pidx = (int)vals[13][i], h[i].worst_load = (int)vals[14][i];
            h[i].worst_cap = (int)vals[15][i];
            worst_port_name_(&h[i]);
        } else {
            h[i].worst_row = -1;
            snprintf(h[i].worst_port, sizeof h[i].worst_port, "(not recorded)");
        }
        const char *why = record_problem_(&h[i], i ? &h[i - 1] : NULL);
        if (why)
            st = mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: /hardware record %d (epoch %d): %s; expected the records of a run with %d epochs "
                "done",
                path, i, h[i].epoch, why, epochs_done);
    }
    for (int c = 0; c < NCOLS; c++) free(vals[c]);
    free(epoch);
    mosaic_h5_close(f);
    if (st != MOSAIC_OK) {
        free(h);
        return st;
    }
    *out = h;
    *n_out = n;
    return MOSAIC_OK;
}
