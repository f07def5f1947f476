/* mosaic_netfile: network files (see mosaic_netfile.h and docs/formats.md). */
#include "mosaic_netfile.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ---- */

static MosaicStatus write_i32_(MosaicH5File *f, const char *name, int32_t v, const char *units,
                               const char *desc, MosaicErr *err) {
    return mosaic_h5_write(f, name, MOSAIC_H5_I32, 0, NULL, &v, units, desc, err);
}

static MosaicStatus write_f64_(MosaicH5File *f, const char *name, double v, const char *units,
                               const char *desc, MosaicErr *err) {
    return mosaic_h5_write(f, name, MOSAIC_H5_F64, 0, NULL, &v, units, desc, err);
}

static MosaicStatus write_arch_(MosaicH5File *f, const MosaicArch *arch, MosaicErr *err) {
    MosaicArch a = *arch; /* the config section wants a mutable target; it only reads here */
    MosaicCfgSection sec = mosaic_arch_config_section(&a);
    char *yaml = mosaic_cfg_to_string(&sec, 1);
    if (!yaml) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", mosaic_h5_path(f));
    MosaicStatus st = mosaic_h5_group(f, "/arch", err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_string(f, "/arch", "yaml", yaml, err);
    free(yaml);
    MOSAIC_TRY(st);
    const int64_t eight = MOSAIC_NPORTS;
    const char *ports = "lines per port, in_N in_E in_S in_W out_N out_E out_S out_W";
    MOSAIC_TRY(write_i32_(f, "/arch/rows", arch->rows, "tiles", "neuron-tile rows R", err));
    MOSAIC_TRY(write_i32_(f, "/arch/cols", arch->cols, "tiles", "neuron-tile columns C", err));
    MOSAIC_TRY(write_i32_(f, "/arch/neurons_per_tile", arch->neurons_per_tile, "neurons",
                          "neurons per tile k", err));
    MOSAIC_TRY(
        mosaic_h5_write(f, "/arch/capacity_nt", MOSAIC_H5_I32, 1, &eight, arch->cap_nt, "lines", ports, err));
    MOSAIC_TRY(mosaic_h5_write(f, "/arch/capacity_r1", MOSAIC_H5_I32, 1, &eight, arch->cap_r1, "lines",
                               "R1 port widths in the R1v frame (rotated a quarter turn for R1h)", err));
    MOSAIC_TRY(
        mosaic_h5_write(f, "/arch/capacity_r0", MOSAIC_H5_I32, 1, &eight, arch->cap_r0, "lines", ports, err));
    MOSAIC_TRY(write_i32_(f, "/arch/cycles_per_step", arch->cycles_per_step, "cycles",
                          "routing cycles per time step; 0 = the longest route of the mapping", err));
    MOSAIC_TRY(write_i32_(f, "/arch/late_policy", arch->late_policy, "enum",
                          "late spikes: 0 drop, 1 next step", err));
    const MosaicDeviceModel *d = &arch->device;
    MOSAIC_TRY(write_i32_(f, "/arch/device/ideal", d->ideal, "bool", "ideal NT crossbar devices", err));
    MOSAIC_TRY(write_i32_(f, "/arch/device/levels", d->levels, "levels",
                          "conductance levels per device of a differential pair; 0 = continuous", err));
    MOSAIC_TRY(write_f64_(f, "/arch/device/gmax", d->gmax, "weight",
                          "weight of the highest level, step gmax / (levels - 1); 0 = max |w| of the network",
                          err));
    MOSAIC_TRY(write_f64_(f, "/arch/device/programming_noise", d->programming_noise, "fraction of Gmax",
                          "programming noise sigma (Gmax: device.gmax, or max |w| when it is 0)", err));
    MOSAIC_TRY(
        write_f64_(f, "/arch/device/read_noise", d->read_noise, "fraction of Gmax", "read noise sigma", err));
    MOSAIC_TRY(
        write_f64_(f, "/arch/device/stuck_off", d->stuck_off, "fraction", "devices stuck at zero", err));
    MOSAIC_TRY(
        write_f64_(f, "/arch/device/stuck_on", d->stuck_on, "fraction", "devices stuck at maximum", err));
    int64_t seed = d->seed;
    return mosaic_h5_write(f, "/arch/device/seed", MOSAIC_H5_I64, 0, NULL, &seed, "",
                           "device variability seed", err);
}

static MosaicStatus write_network_(MosaicH5File *f, const MosaicNetwork *net, MosaicErr *err) {
    const int k = net->arch.neurons_per_tile, tiles = mosaic_arch_tiles(&net->arch);
    MOSAIC_TRY(write_i32_(f, "/neuron/n_inputs", net->n_inputs, "channels", "input channels", err));
    MOSAIC_TRY(write_i32_(f, "/neuron/n_input_tiles", net->n_input_tiles, "tiles",
                          "tiles driven by the inputs: ceil(n_inputs / k)", err));
    MOSAIC_TRY(write_i32_(f, "/neuron/n_classes", net->n_classes, "classes",
                          "readout neurons: the last n_classes neurons of the last tile", err));
    MOSAIC_TRY(write_i32_(f, "/neuron/output_recurrent", net->output_recurrent, "bool",
                          "1 if the output tile has an intra-tile block", err));
    MOSAIC_TRY(mosaic_h5_write(f, "/neuron/alpha", MOSAIC_H5_F32, 0, NULL, &net->alpha, "1",
                               "membrane decay per time step, exp(-dt/tau)", err));
    MOSAIC_TRY(mosaic_h5_write(f, "/neuron/threshold", MOSAIC_H5_F32, 0, NULL, &net->threshold, "1",
                               "firing threshold; reset by subtraction", err));

    const int64_t din[3] = {net->n_input_tiles, k, k}, dintra[3] = {tiles, k, k};
    MOSAIC_TRY(mosaic_h5_write(f, "/blocks/w_in", MOSAIC_H5_F32, 3, din, net->w_in, "weight",
                               "(n_input_tiles, k, k): [t][i][j] input channel t*k+i -> neuron t*k+j", err));
    MOSAIC_TRY(mosaic_h5_write(f, "/blocks/w_intra", MOSAIC_H5_F32, 3, dintra, net->w_intra, "weight",
                               "(tiles, k, k): [t][i][j] neuron t*k+i -> neuron t*k+j; zero unless kind is 0",
                               err));
    int32_t *kind = malloc(sizeof(int32_t) * (size_t)tiles);
    if (!kind) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", mosaic_h5_path(f));
    for (int t = 0; t < tiles; t++) kind[t] = (int32_t)mosaic_network_block_kind(net, t);
    const int64_t dt = tiles;
    MosaicStatus st =
        mosaic_h5_write(f, "/blocks/kind", MOSAIC_H5_I32, 1, &dt, kind, "enum",
                        "(tiles): intra-tile block of each tile: 0 recurrent, 1 input, 2 none", err);
    free(kind);
    MOSAIC_TRY(st);

    const int64_t L = net->n_links, dw[2] = {net->n_links, k};
    MOSAIC_TRY(mosaic_h5_write(f, "/links/src", MOSAIC_H5_I32, 1, &L, net->link_src, "neuron",
                               "(links): source neuron of each link, sorted by (src, dst)", err));
    MOSAIC_TRY(mosaic_h5_write(f, "/links/dst", MOSAIC_H5_I32, 1, &L, net->link_dst, "tile",
                               "(links): destination tile, never the source's own tile", err));
    return mosaic_h5_write(f, "/links/w", MOSAIC_H5_F32, 2, dw, net->link_w, "weight",
                           "(links, k): [l][j] weight of link l onto neuron dst*k + j", err);
}

MosaicStatus mosaic_netfile_create(const char *path, const MosaicNetwork *net, const MosaicProvenance *prov,
                                   MosaicH5File **out, MosaicErr *err) {
    *out = NULL;
    MosaicNetwork canon;
    MOSAIC_TRY(mosaic_network_copy(&canon, net, err));
    MosaicStatus st = mosaic_network_canonicalize(&canon, err);
    if (st != MOSAIC_OK) {
        mosaic_err_prefix(err, "%s: refusing to write an invalid network", path);
        mosaic_network_free(&canon);
        return st;
    }
    MosaicH5File *f = NULL;
    st = mosaic_h5_create(path, &f, err);
    if (st == MOSAIC_OK) st = mosaic_h5_write_provenance(f, prov, err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_string(f, "/", "format", MOSAIC_NETFILE_FORMAT, err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_attr_write_int64(f, "/", "format_version", MOSAIC_NETFILE_VERSION, err);
    if (st == MOSAIC_OK) st = write_arch_(f, &canon.arch, err);
    if (st == MOSAIC_OK) st = write_network_(f, &canon, err);
    if (st == MOSAIC_OK) st = mosaic_h5_group(f, "/method", err);
    mosaic_network_free(&canon);
    if (st != MOSAIC_OK) {
        mosaic_h5_abort(f);
        return st;
    }
    *out = f;
    return MOSAIC_OK;
}

MosaicStatus mosaic_netfile_write(const char *path, const MosaicNetwork *net, const MosaicProvenance *prov,
                                  MosaicErr *err) {
    MosaicH5File *f;
    MOSAIC_TRY(mosaic_netfile_create(path, net, prov, &f, err));
    return mosaic_h5_commit(f, err);
}

/* ---- reading ---- */

static MosaicStatus read_i32_(const MosaicH5File *f, const char *name, int32_t *v, MosaicErr *err) {
    return mosaic_h5_read_into(f, name, MOSAIC_H5_I32, 0, NULL, v, err);
}

/* Rebuilds the architecture from the YAML (authoritative: every key) and checks the numeric copies. */
static MosaicStatus read_arch_(const MosaicH5File *f, MosaicArch *arch, MosaicErr *err) {
    const char *path = mosaic_h5_path(f);
    char *yaml;
    MOSAIC_TRY(mosaic_h5_attr_read_string(f, "/arch", "yaml", &yaml, err));
    char source[1100];
    snprintf(source, sizeof source, "%s: /arch attribute 'yaml'", path);
    mosaic_arch_default(arch);
    MosaicCfgSection sec = mosaic_arch_config_section(arch);
    MosaicStatus st = mosaic_cfg_load_string(source, yaml, &sec, 1, err);
    free(yaml);
    MOSAIC_TRY(st);
    MOSAIC_TRY(mosaic_arch_validate(arch, source, err));
    struct {
        const char *name;
        int32_t want;
    } ints[] = {{"/arch/rows", arch->rows},
                {"/arch/cols", arch->cols},
                {"/arch/neurons_per_tile", arch->neurons_per_tile},
                {"/arch/cycles_per_step", arch->cycles_per_step},
                {"/arch/late_policy", arch->late_policy},
                {"/arch/device/ideal", arch->device.ideal},
                {"/arch/device/levels", arch->device.levels}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        int32_t v;
        MOSAIC_TRY(read_i32_(f, ints[i].name, &v, err));
        if (v != ints[i].want)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: dataset '%s' = %d disagrees with the /arch YAML (%d)", path, ints[i].name,
                              v, ints[i].want);
    }
    const int64_t eight = MOSAIC_NPORTS;
    const char *caps[3] = {"/arch/capacity_nt", "/arch/capacity_r1", "/arch/capacity_r0"};
    const int *want[3] = {arch->cap_nt, arch->cap_r1, arch->cap_r0};
    for (int c = 0; c < 3; c++) {
        int32_t v[MOSAIC_NPORTS];
        MOSAIC_TRY(mosaic_h5_read_into(f, caps[c], MOSAIC_H5_I32, 1, &eight, v, err));
        for (int p = 0; p < MOSAIC_NPORTS; p++)
            if (v[p] != want[c][p])
                return mosaic_err(err, MOSAIC_ERR_INPUT,
                                  "%s: dataset '%s'[%d] = %d disagrees with the /arch YAML (%d)", path,
                                  caps[c], p, v[p], want[c][p]);
    }
    return MOSAIC_OK;
}

/* Every value finite. */
static MosaicStatus check_finite_(const char *path, const char *name, const float *w, int64_t n,
                                  MosaicErr *err) {
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(w[i]))
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: dataset '%s', element %lld: %g, expected a finite weight", path, name,
                              (long long)i, (double)w[i]);
    return MOSAIC_OK;
}

static MosaicStatus read_network_(const MosaicH5File *f, MosaicNetwork *net, MosaicErr *err) {
    const char *path = mosaic_h5_path(f);
    char *format = NULL;
    int64_t version = 0;
    MOSAIC_TRY(mosaic_h5_attr_read_string(f, "/", "format", &format, err));
    bool ours = !strcmp(format, MOSAIC_NETFILE_FORMAT);
    free(format);
    if (!ours)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: root attribute 'format' is not '%s' (not a network file)", path,
                          MOSAIC_NETFILE_FORMAT);
    MOSAIC_TRY(mosaic_h5_attr_read_int64(f, "/", "format_version", &version, err));
    if (version != MOSAIC_NETFILE_VERSION)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: root attribute 'format_version' is %lld, this program reads version %d", path,
                          (long long)version, MOSAIC_NETFILE_VERSION);
    MosaicArch arch;
    MOSAIC_TRY(read_arch_(f, &arch, err));
    const int k = arch.neurons_per_tile, tiles = mosaic_arch_tiles(&arch);
    int32_t n_inputs, n_input_tiles, n_classes, output_recurrent;
    float alpha, threshold;
    MOSAIC_TRY(read_i32_(f, "/neuron/n_inputs", &n_inputs, err));
    MOSAIC_TRY(read_i32_(f, "/neuron/n_input_tiles", &n_input_tiles, err));
    MOSAIC_TRY(read_i32_(f, "/neuron/n_classes", &n_classes, err));
    MOSAIC_TRY(read_i32_(f, "/neuron/output_recurrent", &output_recurrent, err));
    MOSAIC_TRY(mosaic_h5_read_into(f, "/neuron/alpha", MOSAIC_H5_F32, 0, NULL, &alpha, err));
    MOSAIC_TRY(mosaic_h5_read_into(f, "/neuron/threshold", MOSAIC_H5_F32, 0, NULL, &threshold, err));
    if (n_inputs < 1 || n_input_tiles != mosaic_input_tiles(&arch, n_inputs))
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: datasets '/neuron/n_inputs' = %d and '/neuron/n_input_tiles' = %d: expected n_inputs "
            ">= 1 and n_input_tiles = ceil(n_inputs / %d)",
            path, n_inputs, n_input_tiles, k);
    if (n_classes < 1)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '/neuron/n_classes' = %d, expected >= 1", path,
                          n_classes);
    if (output_recurrent != 0 && output_recurrent != 1)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: dataset '/neuron/output_recurrent' = %d, expected 0 or 1", path,
                          output_recurrent);
    if (!(alpha >= 0 && alpha <= 1) || !(threshold > 0) || !isfinite(threshold))
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: datasets '/neuron/alpha' = %g and '/neuron/threshold' = %g: expected alpha in [0, 1] "
            "and a finite positive threshold",
            path, (double)alpha, (double)threshold);

    int64_t L = -1;
    int32_t *src = NULL;
    MOSAIC_TRY(mosaic_h5_read(f, "/links/src", MOSAIC_H5_I32, 1, &L, (void **)&src, err));
    /* More links than (source, destination) pairs cannot all be distinct. */
    if (L > (int64_t)mosaic_arch_neurons(&arch) * tiles) {
        free(src);
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: dataset '/links/src' has %lld links, more than the %lld possible", path,
                          (long long)L, (long long)mosaic_arch_neurons(&arch) * tiles);
    }
    MosaicStatus st = mosaic_network_create(net, &arch, n_inputs, n_classes, L > 0 ? (int)L : 1, err);
    if (st != MOSAIC_OK) {
        free(src);
        mosaic_err_prefix(err, "%s", path);
        return st;
    }
    memcpy(net->link_src, src, sizeof(int32_t) * (size_t)L);
    free(src);
    net->output_recurrent = output_recurrent;
    net->alpha = alpha;
    net->threshold = threshold;
    const int64_t din[3] = {net->n_input_tiles, k, k}, dintra[3] = {tiles, k, k}, dw[2] = {L, k};
    if (st == MOSAIC_OK) st = mosaic_h5_read_into(f, "/blocks/w_in", MOSAIC_H5_F32, 3, din, net->w_in, err);
    if (st == MOSAIC_OK)
        st = mosaic_h5_read_into(f, "/blocks/w_intra", MOSAIC_H5_F32, 3, dintra, net->w_intra, err);
    if (st == MOSAIC_OK) st = mosaic_h5_read_into(f, "/links/dst", MOSAIC_H5_I32, 1, &L, net->link_dst, err);
    if (st == MOSAIC_OK) st = mosaic_h5_read_into(f, "/links/w", MOSAIC_H5_F32, 2, dw, net->link_w, err);
    if (st == MOSAIC_OK) st = check_finite_(path, "/blocks/w_in", net->w_in, din[0] * k * k, err);
    if (st == MOSAIC_OK)
        st = check_finite_(path, "/blocks/w_intra", net->w_intra, (int64_t)tiles * k * k, err);
    if (st == MOSAIC_OK) st = check_finite_(path, "/links/w", net->link_w, L * k, err);
    for (int t = 0; t < tiles && st == MOSAIC_OK; t++) {
        if (mosaic_network_block_kind(net, t) == MOSAIC_BLOCK_RECURRENT) continue;
        for (int i = 0; i < k * k; i++)
            if (net->w_intra[(size_t)t * k * k + i] != 0.0f) {
                st =
                    mosaic_err(err, MOSAIC_ERR_INPUT,
                               "%s: dataset '/blocks/w_intra', tile %d: non-zero weight in a tile without an "
                               "intra-tile block (input or output tile)",
                               path, t);
                break;
            }
    }
    if (st == MOSAIC_OK) {
        net->n_links = (int)L;
        st = mosaic_network_canonicalize(net, err);
        if (st != MOSAIC_OK) mosaic_err_prefix(err, "%s: datasets '/links/src', '/links/dst'", path);
    }
    if (st != MOSAIC_OK) mosaic_network_free(net);
    return st;
}

MosaicStatus mosaic_netfile_open(const char *path, MosaicNetwork *net, MosaicH5File **out, MosaicErr *err) {
    if (out) *out = NULL;
    memset(net, 0, sizeof *net);
    MosaicH5File *f;
    MOSAIC_TRY(mosaic_h5_open(path, &f, err));
    MosaicStatus st = read_network_(f, net, err);
    if (st != MOSAIC_OK || !out)
        mosaic_h5_close(f);
    else
        *out = f;
    return st;
}

MosaicStatus mosaic_netfile_read(const char *path, MosaicNetwork *net, MosaicErr *err) {
    return mosaic_netfile_open(path, net, NULL, err);
}
