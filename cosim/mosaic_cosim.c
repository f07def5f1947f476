#define _POSIX_C_SOURCE 200809L
#include "mosaic_cosim.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_h5.h"
#include "mosaic_proxy.h"

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
       "held-out samples simulated per checkpoint"),
    F_("cosim.feedback", MOSAIC_CFG_ENUM, feedback, 0, 0, "none|closed",
       "none: map and simulate only (open loop); closed: keep training within the hardware"),
    F_("cosim.memory_budget", MOSAIC_CFG_DOUBLE, memory_budget, 0, 1e12, NULL,
       "routing memory M allowed in devices (closed loop); 0 = port capacities only"),
    F_("cosim.traffic_penalty", MOSAIC_CFG_DOUBLE, traffic_penalty, 0, 1e6, NULL,
       "closed loop: penalty c * rate(source) * hops * sum w^2 per link from measured spikes; 0 = off"),
    F_("cosim.sim_timeout", MOSAIC_CFG_DOUBLE, sim_timeout, 1, 1e7, NULL,
       "seconds before a simulation is declared hung and killed"),
    F_("cosim.sim_ideal", MOSAIC_CFG_BOOL, sim_ideal, 0, 0, NULL,
       "simulate ideal devices (true) or the architecture's device model (false)"),
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
    snprintf(rec->worst_port, sizeof rec->worst_port, "none");
    for (int gr = 0; gr < mosaic_grid_rows(a); gr++)
        for (int gc = 0; gc < mosaic_grid_cols(a); gc++) {
            int cell = mosaic_cell_index(a, gr, gc);
            for (int p = 0; p < MOSAIC_NPORTS; p++) {
                int cap = mosaic_port_capacity(a, gr, gc, p), cnt = m->count[mosaic_cp(cell, p)];
                if (cap <= 0 || cnt <= 0) continue;
                double u = (double)cnt / cap;
                if (u > rec->worst_util) {
                    rec->worst_util = u;
                    snprintf(rec->worst_port, sizeof rec->worst_port, "%s (%d,%d) %s %d/%d",
                             mosaic_cell_kind_name(mosaic_cell_kind(gr, gc)), gr, gc, mosaic_port_name(p),
                             cnt, cap);
                }
            }
        }
    rec->proxy_total = NAN;
    if (draws > 0) {
        MosaicProfile prof;
        mosaic_proxy_profile_of(a, m->gamma, &prof);
        MosaicProxyEstimate est;
        MOSAIC_TRY(mosaic_proxy_estimate(a, &prof, draws, seed, &est, err));
        rec->proxy_total = est.mean_m;
    }
    return MOSAIC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Simulation results
 * ------------------------------------------------------------------------------------------- */

void mosaic_sim_outcome_free(MosaicSimOutcome *o) {
    if (!o) return;
    free(o->neuron_spikes);
    free(o->cell_spikes);
    free(o->cell_util);
    memset(o, 0, sizeof *o);
}

static MosaicStatus read_scalar_i64_(MosaicH5File *f, const char *name, int64_t *v, MosaicErr *err) {
    return mosaic_h5_read_into(f, name, MOSAIC_H5_I64, 0, NULL, v, err);
}

MosaicStatus mosaic_cosim_read_sim(const char *path, const MosaicArch *arch, MosaicSimOutcome *o,
                                   MosaicErr *err) {
    memset(o, 0, sizeof *o);
    MosaicH5File *f = NULL;
    MOSAIC_TRY(mosaic_h5_open(path, &f, err));
    const int cells = mosaic_cells(arch), n = mosaic_arch_neurons(arch);
    MosaicStatus st = mosaic_h5_read_into(f, "accuracy", MOSAIC_H5_F64, 0, NULL, &o->accuracy, err);
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
        o->cell_util = malloc(sizeof(double) * (size_t)cells);
        if (!o->neuron_spikes || !o->cell_spikes || !o->cell_util)
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    }
    int64_t nd[1] = {n};
    if (st == MOSAIC_OK)
        st = mosaic_h5_read_into(f, "neurons/spikes", MOSAIC_H5_I64, 1, nd, o->neuron_spikes, err);
    int64_t *ps = NULL;
    int32_t *lines = NULL, *cap = NULL;
    int64_t pd[2] = {cells, 8};
    if (st == MOSAIC_OK) st = mosaic_h5_read(f, "ports/spikes", MOSAIC_H5_I64, 2, pd, (void **)&ps, err);
    if (st == MOSAIC_OK) st = mosaic_h5_read(f, "ports/lines", MOSAIC_H5_I32, 2, pd, (void **)&lines, err);
    if (st == MOSAIC_OK) st = mosaic_h5_read(f, "ports/capacity", MOSAIC_H5_I32, 2, pd, (void **)&cap, err);
    if (st == MOSAIC_OK)
        for (int c = 0; c < cells; c++) {
            double s = 0, u = NAN;
            for (int p = 0; p < 4; p++) s += (double)ps[c * 8 + p]; /* spikes entering the cell */
            for (int p = 0; p < 8; p++)
                if (cap[c * 8 + p] > 0 && lines[c * 8 + p] > 0) {
                    double x = (double)lines[c * 8 + p] / cap[c * 8 + p];
                    if (isnan(u) || x > u) u = x;
                }
            o->cell_spikes[c] = s;
            o->cell_util[c] = u;
        }
    free(ps), free(lines), free(cap);
    mosaic_h5_close(f);
    if (st != MOSAIC_OK) mosaic_sim_outcome_free(o);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * History files
 * ------------------------------------------------------------------------------------------- */

static MosaicStatus write_text_(const char *path, const char *text, MosaicErr *err) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    int ok = fputs(text, fp) >= 0;
    ok &= fclose(fp) == 0;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    return MOSAIC_OK;
}

static char *csv_epochs_(const MosaicTrainEpoch *r, int n, int max_d) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return NULL;
    fprintf(m, "epoch,lr,loss,train_acc,test_acc,test_loss,rate,pruned,grown,shortfall,params,links");
    for (int d = 1; d <= max_d && d < MOSAIC_TRAIN_MAX_D; d += 2) fprintf(m, ",gamma_d%d", d);
    fprintf(m, ",samples_per_s,seconds\n");
    for (int i = 0; i < n; i++) {
        fprintf(m, "%d,%.6g,%.6f,%.6f,%.6f,%.6f,%.6f,%lld,%lld,%lld,%lld,%lld", r[i].epoch, r[i].lr,
                r[i].loss, r[i].train_acc, r[i].test_acc, r[i].test_loss, r[i].rate, (long long)r[i].pruned,
                (long long)r[i].grown, (long long)r[i].shortfall, (long long)r[i].params,
                (long long)r[i].links);
        for (int d = 1; d <= max_d && d < MOSAIC_TRAIN_MAX_D; d += 2)
            fprintf(m, ",%lld", (long long)r[i].gamma[d]);
        fprintf(m, ",%.1f,%.2f\n", r[i].samples_per_s, r[i].seconds);
    }
    fclose(m);
    return buf;
}

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

/* One rank-1 float64 dataset from a strided field of an array of structs. */
static MosaicStatus column_(MosaicH5File *f, const char *name, const void *base, size_t stride, size_t offset,
                            int is_int64, int n, const char *units, const char *desc, MosaicErr *err) {
    double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (!v) return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const char *p = (const char *)base + (size_t)i * stride + offset;
        v[i] = is_int64 == 2 ? (double)*(const int *)p
               : is_int64    ? (double)*(const int64_t *)p
                             : *(const double *)p;
    }
    int64_t dims[1] = {n};
    MosaicStatus st = mosaic_h5_write(f, name, MOSAIC_H5_F64, 1, dims, v, units, desc, err);
    free(v);
    return st;
}

#define EP_(field) sizeof(MosaicTrainEpoch), offsetof(MosaicTrainEpoch, field)
#define HW_(field) sizeof(MosaicHwRecord), offsetof(MosaicHwRecord, field)

MosaicStatus mosaic_cosim_write_history(const char *dir, const char *config_yaml, const MosaicTrainEpoch *r,
                                        int n, int max_d, const MosaicHwRecord *h, int nh, MosaicErr *err) {
    char path[4096];
    char *csv = csv_epochs_(r, n, max_d);
    if (!csv) return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/history.csv", dir);
    MosaicStatus st = write_text_(path, csv, err);
    free(csv);
    if (st != MOSAIC_OK) return st;
    csv = csv_hw_(h, nh);
    if (!csv) return mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/hardware.csv", dir);
    st = write_text_(path, csv, err);
    free(csv);
    if (st != MOSAIC_OK) return st;

    snprintf(path, sizeof path, "%s/history.h5", dir);
    MosaicH5File *f = NULL;
    MOSAIC_TRY(mosaic_h5_create(path, &f, err));
    st = mosaic_h5_attr_write_string(f, "/", "config", config_yaml ? config_yaml : "", err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_string(f, "/", "format", "mosaic-cosim-history", err);
    if (st == MOSAIC_OK) st = mosaic_h5_group(f, "epochs", err);
    if (st == MOSAIC_OK) st = mosaic_h5_group(f, "hardware", err);
    if (st == MOSAIC_OK && n > 0) {
        st = column_(f, "epochs/epoch", r, EP_(epoch), 2, n, "epoch", "epoch number", err);
        if (st == MOSAIC_OK) st = column_(f, "epochs/loss", r, EP_(loss), 0, n, "nats", "training loss", err);
        if (st == MOSAIC_OK)
            st = column_(f, "epochs/train_acc", r, EP_(train_acc), 0, n, "1", "training accuracy", err);
        if (st == MOSAIC_OK)
            st = column_(f, "epochs/test_acc", r, EP_(test_acc), 0, n, "1", "test accuracy", err);
        if (st == MOSAIC_OK)
            st = column_(f, "epochs/rate", r, EP_(rate), 0, n, "spikes/neuron/step", "mean activity", err);
        if (st == MOSAIC_OK)
            st = column_(f, "epochs/pruned", r, EP_(pruned), 1, n, "links", "links pruned", err);
        if (st == MOSAIC_OK)
            st = column_(f, "epochs/grown", r, EP_(grown), 1, n, "links", "links grown", err);
        if (st == MOSAIC_OK)
            st = column_(f, "epochs/links", r, EP_(links), 1, n, "links", "active links", err);
        if (st == MOSAIC_OK)
            st = column_(f, "epochs/samples_per_s", r, EP_(samples_per_s), 0, n, "samples/s",
                         "training speed", err);
        int64_t dims[2] = {n, MOSAIC_TRAIN_MAX_D};
        int64_t *g = malloc(sizeof(int64_t) * (size_t)n * MOSAIC_TRAIN_MAX_D);
        if (st == MOSAIC_OK && !g) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
        if (st == MOSAIC_OK) {
            for (int i = 0; i < n; i++)
                memcpy(g + (size_t)i * MOSAIC_TRAIN_MAX_D, r[i].gamma, sizeof r[i].gamma);
            st = mosaic_h5_write(f, "epochs/gamma", MOSAIC_H5_I64, 2, dims, g, "links",
                                 "links per distance d (column d) after each epoch", err);
        }
        free(g);
    }
    if (st == MOSAIC_OK && nh > 0) {
        const struct {
            const char *name;
            size_t off;
            int kind;
            const char *units, *desc;
        } cols[] = {
            {"epoch", offsetof(MosaicHwRecord, epoch), 2, "epoch", "epoch of the hardware checkpoint"},
            {"mappable", offsetof(MosaicHwRecord, mappable), 2, "bool", "1 if every port is within capacity"},
            {"violations", offsetof(MosaicHwRecord, violations), 2, "ports", "ports above capacity"},
            {"devices_nt", offsetof(MosaicHwRecord, devices_nt), 0, "devices", "NT crossbar size"},
            {"devices_r1", offsetof(MosaicHwRecord, devices_r1), 0, "devices", "R1 crossbar size"},
            {"devices_r0", offsetof(MosaicHwRecord, devices_r0), 0, "devices", "R0 crossbar size"},
            {"devices_total", offsetof(MosaicHwRecord, devices_total), 0, "devices", "routing memory M"},
            {"proxy_total", offsetof(MosaicHwRecord, proxy_total), 0, "devices", "M predicted by the proxy"},
            {"worst_util", offsetof(MosaicHwRecord, worst_util), 0, "1", "busiest port load / capacity"},
            {"late_spikes", offsetof(MosaicHwRecord, late_spikes), 0, "deliveries",
             "late spikes in simulation"},
            {"hw_acc", offsetof(MosaicHwRecord, hw_acc), 0, "1", "accuracy on the simulated array"},
            {"sw_acc", offsetof(MosaicHwRecord, sw_acc), 0, "1", "software accuracy on the same samples"},
        };
        for (size_t c = 0; c < sizeof cols / sizeof cols[0] && st == MOSAIC_OK; c++) {
            char name[64];
            snprintf(name, sizeof name, "hardware/%s", cols[c].name);
            st = column_(f, name, h, sizeof(MosaicHwRecord), cols[c].off, cols[c].kind, nh, cols[c].units,
                         cols[c].desc, err);
        }
    }
    if (st != MOSAIC_OK) {
        mosaic_h5_abort(f);
        return st;
    }
    return mosaic_h5_commit(f, err);
}

MosaicStatus mosaic_cosim_read_hardware(const char *dir, MosaicHwRecord **out, int *n_out, MosaicErr *err) {
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
    const char *names[] = {"mappable",    "violations",    "devices_nt",  "devices_r1",
                           "devices_r0",  "devices_total", "proxy_total", "worst_util",
                           "late_spikes", "hw_acc",        "sw_acc"};
    double *vals[11] = {0};
    for (int c = 0; c < 11 && st == MOSAIC_OK; c++) {
        char name[64];
        snprintf(name, sizeof name, "hardware/%s", names[c]);
        int64_t d[1] = {n};
        vals[c] = malloc(sizeof(double) * (size_t)(n ? n : 1));
        if (!vals[c])
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
        else
            st = mosaic_h5_read_into(f, name, MOSAIC_H5_F64, 1, d, vals[c], err);
    }
    for (int i = 0; i < n && st == MOSAIC_OK; i++) {
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
        snprintf(h[i].worst_port, sizeof h[i].worst_port, "(from history)");
    }
    for (int c = 0; c < 11; c++) free(vals[c]);
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
