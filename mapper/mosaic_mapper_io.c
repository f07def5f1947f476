/* The mapper's file front end: links from a network or a links file, and the HDF5 mapping file
 * (schema in docs/mapper.md), written and read through traces' mosaic_h5. */
#define _POSIX_C_SOURCE 200809L
#include "mosaic_mapper_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MOSAIC_HAVE_NETFILE
#include "mosaic_netfile.h"
#endif

MosaicStatus mosaic_links_from_network(MosaicLinks *links, const MosaicNetwork *net, MosaicErr *err) {
    links->n = 0;
    for (int l = 0; l < net->n_links; l++)
        MOSAIC_TRY(mosaic_links_push(links, net->link_src[l], net->link_dst[l], err));
    return MOSAIC_OK;
}

static int ends_with_(const char *s, const char *suffix) {
    const size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Applies the user's --arch file and --set overrides on top of the file's architecture `base`. */
static MosaicStatus apply_overrides_(const char *path, const MosaicArch *base, const char *arch_path,
                                     const char *const *sets, int nsets, MosaicArch *arch, MosaicErr *err) {
    *arch = *base;
    MosaicCfgSection sec = mosaic_arch_config_section(arch);
    if (arch_path) MOSAIC_TRY(mosaic_cfg_load_file(arch_path, &sec, 1, err));
    for (int i = 0; i < nsets; i++) MOSAIC_TRY(mosaic_cfg_set(sets[i], &sec, 1, err));
    MOSAIC_TRY(mosaic_arch_validate(arch, arch_path ? arch_path : "--set", err));
    const struct {
        const char *key;
        int user, file;
    } keys[] = {{"array.rows", arch->rows, base->rows},
                {"array.cols", arch->cols, base->cols},
                {"array.neurons_per_tile", arch->neurons_per_tile, base->neurons_per_tile}};
    for (int i = 0; i < 3; i++)
        if (keys[i].user != keys[i].file)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: key '%s' is %d in --arch/--set but the file says %d", path, keys[i].key,
                              keys[i].user, keys[i].file);
    return MOSAIC_OK;
}

MosaicStatus mosaic_links_load(const char *path, const char *arch_path, const char *const *sets, int nsets,
                               MosaicArch *arch, MosaicLinks *links, int *n_input_tiles, MosaicErr *err) {
    MosaicArch base;
    links->n = 0;
    if (ends_with_(path, ".txt")) {
        MOSAIC_TRY(mosaic_links_read_text(path, &base, links, NULL, err));
        *n_input_tiles = mosaic_input_tiles(&base, MOSAIC_REFERENCE_INPUTS);
    } else {
#ifdef MOSAIC_HAVE_NETFILE
        MosaicNetwork net;
        MOSAIC_TRY(mosaic_netfile_read(path, &net, err));
        base = net.arch;
        *n_input_tiles = net.n_input_tiles;
        const MosaicStatus st = mosaic_links_from_network(links, &net, err);
        mosaic_network_free(&net);
        MOSAIC_TRY(st);
#else
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: expected a links file ending in .txt (this build has no network-file reader)",
                          path);
#endif
    }
    MOSAIC_TRY(apply_overrides_(path, &base, arch_path, sets, nsets, arch, err));
    return mosaic_links_check(links, arch, path, err);
}

/* ---------------------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    MosaicH5File *f;
    MosaicErr *err;
    MosaicStatus st;
} Writer_;

static void w1_(Writer_ *w, const char *name, MosaicH5Type type, int64_t n, const void *data,
                const char *units, const char *desc) {
    if (w->st == MOSAIC_OK) w->st = mosaic_h5_write(w->f, name, type, 1, &n, data, units, desc, w->err);
}

/* One column of an array of structs, as its own int32 dataset (h5py-friendly). */
#define COLUMN_(w, name, arr, n, expr, units, desc)                                                          \
    do {                                                                                                     \
        int32_t *col_ = malloc(sizeof(int32_t) * ((size_t)(n) + 1));                                         \
        if (!col_) {                                                                                         \
            if ((w)->st == MOSAIC_OK) (w)->st = mosaic_err((w)->err, MOSAIC_ERR_NOMEM, "out of memory");     \
            break;                                                                                           \
        }                                                                                                    \
        for (int i_ = 0; i_ < (n); i_++) col_[i_] = (int32_t)((arr)[i_].expr);                               \
        w1_(w, name, MOSAIC_H5_I32, n, col_, units, desc);                                                   \
        free(col_);                                                                                          \
    } while (0)

MosaicStatus mosaic_mapping_write(const char *path, const MosaicMapping *m, const MosaicProvenance *prov,
                                  MosaicErr *err) {
    if (!m->lines)
        return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: the mapping was built without MOSAIC_MAP_CONFIG",
                          path);
    const MosaicArch *a = &m->arch;
    const int ncp = m->n_cells * MOSAIC_NPORTS, tiles = mosaic_arch_tiles(a);
    MosaicH5File *f;
    MOSAIC_TRY(mosaic_h5_create(path, &f, err));
    Writer_ w = {f, err, MOSAIC_OK};
    MosaicArch copy = *a;
    MosaicCfgSection sec = mosaic_arch_config_section(&copy);
    char *yaml = mosaic_cfg_to_string(&sec, 1);
    MosaicProvenance p = prov ? *prov : (MosaicProvenance){"mosaic mapper", NULL, NULL, 0, NULL};
    p.config = yaml ? yaml : "";
    w.st = mosaic_h5_write_provenance(f, &p, err);
    free(yaml);
    if (w.st == MOSAIC_OK) w.st = mosaic_h5_attr_write_string(f, "/", "format", MOSAIC_MAPPING_FORMAT, err);
    if (w.st == MOSAIC_OK)
        w.st = mosaic_h5_attr_write_int64(f, "/", "format_version", MOSAIC_MAPPING_VERSION, err);
    if (w.st == MOSAIC_OK) w.st = mosaic_h5_attr_write_int64(f, "/", "mappable", m->n_violations == 0, err);
    if (w.st == MOSAIC_OK) w.st = mosaic_h5_attr_write_int64(f, "/", "n_links", m->n_links, err);
    if (w.st == MOSAIC_OK) w.st = mosaic_h5_attr_write_int64(f, "/", "n_violations", m->n_violations, err);
    if (w.st == MOSAIC_OK) w.st = mosaic_h5_attr_write_int64(f, "/", "max_route", m->max_route, err);

    const int64_t dcp[2] = {m->n_cells, MOSAIC_NPORTS};
    int32_t *cap = malloc(sizeof(int32_t) * (size_t)ncp);
    if (!cap && w.st == MOSAIC_OK) w.st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    for (int cp = 0; cap && cp < ncp; cp++) {
        const int cell = cp / MOSAIC_NPORTS, gr = cell / mosaic_grid_cols(a), gc = cell % mosaic_grid_cols(a);
        cap[cp] = mosaic_port_capacity(a, gr, gc, cp % MOSAIC_NPORTS);
    }
    if (w.st == MOSAIC_OK)
        w.st = mosaic_h5_write(
            f, "ports/count", MOSAIC_H5_I32, 2, dcp, m->count, "lines",
            "routing load of (cell, port): distinct source neurons whose tree uses it; cell = "
            "row*(2C+1)+col of the (2R+1)x(2C+1) grid, ports in_N in_E in_S in_W out_N out_E "
            "out_S out_W",
            err);
    if (w.st == MOSAIC_OK)
        w.st = mosaic_h5_write(f, "ports/capacity", MOSAIC_H5_I32, 2, dcp, cap, "lines",
                               "capacity of (cell, port) (R1h: the R1 vector rotated a quarter turn)", err);
    if (w.st == MOSAIC_OK)
        w.st =
            mosaic_h5_write(f, "ports/lines", MOSAIC_H5_I32, 2, dcp, m->lines, "lines",
                            "lines of (cell, port) in the line assignment: the load, except k on NT outputs "
                            "and NT-facing R1 inputs",
                            err);
    free(cap);
    w1_(&w, "placement", MOSAIC_H5_I32, tiles, m->placement, "tile", "physical tile of logical tile t");
    w1_(&w, "lines/offset", MOSAIC_H5_I32, ncp + 1, m->line_offset, "index",
        "CSR: lines of cp = cell*8+port are source[offset[cp] .. offset[cp+1])");
    w1_(&w, "lines/source", MOSAIC_H5_I32, m->line_offset[ncp], m->line_source, "neuron",
        "logical source neuron carried by each line, sorted within a port");
    const int nconn = m->conn_offset[m->n_cells], nrows = m->row_offset[tiles];
    w1_(&w, "routers/offset", MOSAIC_H5_I32, m->n_cells + 1, m->conn_offset, "index",
        "CSR: crossbar connections of cell c are entries offset[c] .. offset[c+1]");
    COLUMN_(&w, "routers/in_port", m->conn, nconn, in_port, "port",
            "input port (0..3 = in_N in_E in_S in_W)");
    COLUMN_(&w, "routers/in_line", m->conn, nconn, in_line, "line", "input line");
    COLUMN_(&w, "routers/out_port", m->conn, nconn, out_port, "port",
            "output port (4..7 = out_N out_E out_S out_W)");
    COLUMN_(&w, "routers/out_line", m->conn, nconn, out_line, "line", "output line (exactly one driver)");
    COLUMN_(&w, "routers/source", m->conn, nconn, source, "neuron", "logical source neuron carried");
    w1_(&w, "nt/offset", MOSAIC_H5_I32, tiles + 1, m->row_offset, "index",
        "CSR by physical tile: NT crossbar rows of tile p are entries offset[p] .. offset[p+1]");
    COLUMN_(&w, "nt/side", m->rows, nrows, side, "port", "input side (0..3 = in_N in_E in_S in_W)");
    COLUMN_(&w, "nt/line", m->rows, nrows, line, "line", "input line on that side");
    COLUMN_(&w, "nt/link", m->rows, nrows, link, "index", "link whose k weights sit on this row");
    COLUMN_(&w, "nt/source", m->rows, nrows, source, "neuron", "logical source neuron of the link");
    const int nv = m->n_violations;
    COLUMN_(&w, "violations/cell", m->violations, nv, cell, "cell", "cell index, worst first");
    COLUMN_(&w, "violations/gr", m->violations, nv, gr, "cell", "grid row");
    COLUMN_(&w, "violations/gc", m->violations, nv, gc, "cell", "grid column");
    COLUMN_(&w, "violations/kind", m->violations, nv, kind, "kind", "0 NT, 1 R1v, 2 R1h, 3 R0");
    COLUMN_(&w, "violations/port", m->violations, nv, port, "port", "port 0..7");
    COLUMN_(&w, "violations/count", m->violations, nv, count, "lines", "load");
    COLUMN_(&w, "violations/capacity", m->violations, nv, capacity, "lines", "capacity");
    int32_t cfg[3][MOSAIC_NPORTS];
    for (int p = 0; p < MOSAIC_NPORTS; p++)
        cfg[0][p] = m->min_nt[p], cfg[1][p] = m->min_r1[p], cfg[2][p] = m->min_r0[p];
    w1_(&w, "min_config/nt", MOSAIC_H5_I32, 8, cfg[0], "lines", "per-port maxima over NTs (outputs = k)");
    w1_(&w, "min_config/r1", MOSAIC_H5_I32, 8, cfg[1], "lines",
        "per-port maxima over R1 in the R1v frame, NT-facing inputs set to k");
    w1_(&w, "min_config/r0", MOSAIC_H5_I32, 8, cfg[2], "lines", "per-port maxima over R0");
    const int64_t dev[4] = {m->dev_nt, m->dev_r1, m->dev_r0, m->dev_total};
    w1_(&w, "devices", MOSAIC_H5_I64, 4, dev, "devices", "per tile NT, R1, R0, then the total M");
    int32_t *gamma = malloc(sizeof(int32_t) * ((size_t)m->max_distance + 1));
    for (int d = 0; gamma && d <= m->max_distance; d++) gamma[d] = m->gamma[d];
    if (gamma) w1_(&w, "gamma", MOSAIC_H5_I32, m->max_distance + 1, gamma, "links", "links per distance d");
    free(gamma);
    if (w.st != MOSAIC_OK) {
        mosaic_h5_abort(f);
        return w.st;
    }
    return mosaic_h5_commit(f, err);
}

/* ---------------------------------------------------------------------------------------------
 * Reading and comparing
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    const MosaicH5File *f;
    MosaicErr *err;
    MosaicStatus st;
} Reader_;

/* Reads 1-D int32 dataset `name` of length n (n < 0: any; *got receives it) into a malloc'd array. */
static int32_t *r1_(Reader_ *r, const char *name, int64_t n, int64_t *got) {
    if (r->st != MOSAIC_OK) return NULL;
    int64_t dims[1] = {n};
    void *data = NULL;
    r->st = mosaic_h5_read(r->f, name, MOSAIC_H5_I32, 1, dims, &data, r->err);
    if (got) *got = dims[0];
    return data;
}

MosaicStatus mosaic_mapping_read(const char *path, MosaicMapping *m, MosaicErr *err) {
    memset(m, 0, sizeof *m);
    MosaicH5File *f;
    MOSAIC_TRY(mosaic_h5_open(path, &f, err));
    Reader_ r = {f, err, MOSAIC_OK};
    char *format = NULL, *yaml = NULL;
    int64_t version = 0, v64 = 0;
    r.st = mosaic_h5_attr_read_string(f, "/", "format", &format, err);
    if (r.st == MOSAIC_OK && strcmp(format, MOSAIC_MAPPING_FORMAT) != 0)
        r.st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: attribute 'format' is '%s', expected '%s'", path,
                          format, MOSAIC_MAPPING_FORMAT);
    if (r.st == MOSAIC_OK) r.st = mosaic_h5_attr_read_int64(f, "/", "format_version", &version, err);
    if (r.st == MOSAIC_OK && version != MOSAIC_MAPPING_VERSION)
        r.st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: attribute 'format_version' is %lld, expected %d", path,
                          (long long)version, MOSAIC_MAPPING_VERSION);
    if (r.st == MOSAIC_OK) r.st = mosaic_h5_attr_read_string(f, "/", "config", &yaml, err);
    if (r.st == MOSAIC_OK) {
        mosaic_arch_default(&m->arch);
        MosaicCfgSection sec = mosaic_arch_config_section(&m->arch);
        r.st = mosaic_cfg_load_string(path, yaml, &sec, 1, err);
    }
    free(format);
    free(yaml);
    const MosaicArch *a = &m->arch;
    const int tiles = mosaic_arch_tiles(a);
    m->n_cells = mosaic_cells(a);
    m->max_distance = mosaic_arch_max_distance(a);
    const int ncp = m->n_cells * MOSAIC_NPORTS;
    if (r.st == MOSAIC_OK)
        r.st = mosaic_h5_attr_read_int64(f, "/", "n_links", &v64, err), m->n_links = (int)v64;
    if (r.st == MOSAIC_OK)
        r.st = mosaic_h5_attr_read_int64(f, "/", "max_route", &v64, err), m->max_route = (int)v64;
    if (r.st == MOSAIC_OK) {
        const int64_t dcp[2] = {m->n_cells, MOSAIC_NPORTS};
        int64_t d[2] = {dcp[0], dcp[1]};
        void *data = NULL;
        r.st = mosaic_h5_read(f, "ports/count", MOSAIC_H5_I32, 2, d, &data, err);
        m->count = data;
        d[0] = dcp[0], d[1] = dcp[1], data = NULL;
        if (r.st == MOSAIC_OK) r.st = mosaic_h5_read(f, "ports/lines", MOSAIC_H5_I32, 2, d, &data, err);
        m->lines = data;
    }
    m->placement = r1_(&r, "placement", tiles, NULL);
    m->line_offset = r1_(&r, "lines/offset", ncp + 1, NULL);
    m->line_source = r1_(&r, "lines/source", r.st == MOSAIC_OK ? m->line_offset[ncp] : -1, NULL);
    m->conn_offset = r1_(&r, "routers/offset", m->n_cells + 1, NULL);
    m->row_offset = r1_(&r, "nt/offset", tiles + 1, NULL);
    if (r.st == MOSAIC_OK && m->row_offset[tiles] != m->n_links)
        r.st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset 'nt/offset' ends at %d, expected n_links = %d",
                          path, m->row_offset[tiles], m->n_links);
    for (int cp = 0; r.st == MOSAIC_OK && cp < ncp; cp++)
        if (m->line_offset[cp + 1] - m->line_offset[cp] != m->lines[cp])
            r.st = mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: datasets 'lines/offset' and 'ports/lines' disagree at %d", path, cp);
    m->inverse = malloc(sizeof(int32_t) * (size_t)tiles);
    if (r.st == MOSAIC_OK && !m->inverse) r.st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    for (int t = 0; r.st == MOSAIC_OK && t < tiles; t++) m->inverse[t] = -1;
    for (int t = 0; r.st == MOSAIC_OK && t < tiles; t++) {
        const int p = m->placement[t];
        if (p < 0 || p >= tiles || m->inverse[p] >= 0)
            r.st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset 'placement' is not a permutation of 0..%d",
                              path, tiles - 1);
        else
            m->inverse[p] = t;
    }
    const int64_t nconn = r.st == MOSAIC_OK ? m->conn_offset[m->n_cells] : 0, nrows = m->n_links;
    if (r.st == MOSAIC_OK) {
        m->conn = calloc((size_t)nconn + 1, sizeof *m->conn);
        m->rows = calloc((size_t)nrows + 1, sizeof *m->rows);
        if (!m->conn || !m->rows) r.st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    }
    static const char *conn_names[] = {"routers/in_port", "routers/in_line", "routers/out_port",
                                       "routers/out_line", "routers/source"};
    for (int c = 0; c < 5 && r.st == MOSAIC_OK; c++) {
        int32_t *col = r1_(&r, conn_names[c], nconn, NULL);
        for (int64_t i = 0; col && i < nconn; i++) {
            MosaicXbarConn *x = &m->conn[i];
            if (c == 0) x->in_port = (int8_t)col[i];
            if (c == 1) x->in_line = (int16_t)col[i];
            if (c == 2) x->out_port = (int8_t)col[i];
            if (c == 3) x->out_line = (int16_t)col[i];
            if (c == 4) x->source = col[i];
        }
        free(col);
    }
    static const char *row_names[] = {"nt/side", "nt/line", "nt/link", "nt/source"};
    for (int c = 0; c < 4 && r.st == MOSAIC_OK; c++) {
        int32_t *col = r1_(&r, row_names[c], nrows, NULL);
        for (int64_t i = 0; col && i < nrows; i++) {
            MosaicNtRow *x = &m->rows[i];
            if (c == 0) x->side = (int8_t)col[i];
            if (c == 1) x->line = (int16_t)col[i];
            if (c == 2) x->link = col[i];
            if (c == 3) x->source = col[i];
        }
        free(col);
    }
    int64_t nv = 0;
    int32_t *vcell = r1_(&r, "violations/cell", -1, &nv);
    m->n_violations = (int)nv;
    m->violations = calloc((size_t)nv + 1, sizeof *m->violations);
    if (r.st == MOSAIC_OK && !m->violations) r.st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
    static const char *vnames[] = {"violations/gr",   "violations/gc",    "violations/kind",
                                   "violations/port", "violations/count", "violations/capacity"};
    for (int64_t i = 0; vcell && m->violations && i < nv; i++) m->violations[i].cell = vcell[i];
    free(vcell);
    for (int c = 0; c < 6 && r.st == MOSAIC_OK; c++) {
        int32_t *col = r1_(&r, vnames[c], nv, NULL);
        for (int64_t i = 0; col && i < nv; i++) {
            MosaicViolation *x = &m->violations[i];
            if (c == 0) x->gr = (int16_t)col[i];
            if (c == 1) x->gc = (int16_t)col[i];
            if (c == 2) x->kind = (int8_t)col[i];
            if (c == 3) x->port = (int8_t)col[i];
            if (c == 4) x->count = col[i];
            if (c == 5) x->capacity = col[i];
        }
        free(col);
    }
    int32_t *cfg[3] = {r1_(&r, "min_config/nt", 8, NULL), r1_(&r, "min_config/r1", 8, NULL),
                       r1_(&r, "min_config/r0", 8, NULL)};
    for (int p = 0; r.st == MOSAIC_OK && p < MOSAIC_NPORTS; p++)
        m->min_nt[p] = cfg[0][p], m->min_r1[p] = cfg[1][p], m->min_r0[p] = cfg[2][p];
    free(cfg[0]), free(cfg[1]), free(cfg[2]);
    if (r.st == MOSAIC_OK) {
        const int64_t four[1] = {4};
        int64_t dev[4];
        r.st = mosaic_h5_read_into(f, "devices", MOSAIC_H5_I64, 1, four, dev, err);
        m->dev_nt = dev[0], m->dev_r1 = dev[1], m->dev_r0 = dev[2], m->dev_total = dev[3];
    }
    int32_t *gamma = r1_(&r, "gamma", m->max_distance + 1, NULL);
    if (gamma) {
        m->gamma = malloc(sizeof(int) * ((size_t)m->max_distance + 1));
        if (!m->gamma && r.st == MOSAIC_OK) r.st = mosaic_err(err, MOSAIC_ERR_NOMEM, "out of memory");
        for (int d = 0; m->gamma && d <= m->max_distance; d++) m->gamma[d] = gamma[d];
        free(gamma);
    }
    mosaic_h5_close(f);
    if (r.st != MOSAIC_OK) mosaic_mapping_free(m); /* callers free only what they were given */
    return r.st;
}

MosaicStatus mosaic_mapping_compare(const MosaicMapping *a, const MosaicMapping *b, MosaicErr *err) {
    const MosaicArch *x = &a->arch, *y = &b->arch;
    if (x->rows != y->rows || x->cols != y->cols || x->neurons_per_tile != y->neurons_per_tile ||
        memcmp(x->cap_nt, y->cap_nt, sizeof x->cap_nt) || memcmp(x->cap_r1, y->cap_r1, sizeof x->cap_r1) ||
        memcmp(x->cap_r0, y->cap_r0, sizeof x->cap_r0))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "mapping: architectures differ (array size or capacities)");
    const int tiles = mosaic_arch_tiles(x), ncp = a->n_cells * MOSAIC_NPORTS;
    if (a->n_links != b->n_links)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "mapping: %d links vs %d", a->n_links, b->n_links);
#define SAME_(field, n, what)                                                                                \
    if ((a->field == NULL) != (b->field == NULL) ||                                                          \
        (a->field && memcmp(a->field, b->field, sizeof *a->field * (size_t)(n))))                            \
    return mosaic_err(err, MOSAIC_ERR_INPUT, "mapping: %s differ", what)
    SAME_(placement, tiles, "placements");
    SAME_(count, ncp, "port loads");
    SAME_(lines, ncp, "line counts");
    SAME_(line_offset, ncp + 1, "line assignments");
    if (a->line_offset) SAME_(line_source, a->line_offset[ncp], "line assignments");
    SAME_(conn_offset, a->n_cells + 1, "router crossbar configurations");
    if (a->conn_offset)
        for (int i = 0; i < a->conn_offset[a->n_cells]; i++) {
            const MosaicXbarConn *p = &a->conn[i], *q = &b->conn[i];
            if (p->in_port != q->in_port || p->in_line != q->in_line || p->out_port != q->out_port ||
                p->out_line != q->out_line || p->source != q->source)
                return mosaic_err(err, MOSAIC_ERR_INPUT, "mapping: router crossbar connection %d differs", i);
        }
    SAME_(row_offset, tiles + 1, "NT crossbar configurations");
    if (a->row_offset)
        for (int i = 0; i < a->n_links; i++) {
            const MosaicNtRow *p = &a->rows[i], *q = &b->rows[i];
            if (p->side != q->side || p->line != q->line || p->link != q->link || p->source != q->source)
                return mosaic_err(err, MOSAIC_ERR_INPUT, "mapping: NT crossbar row %d differs", i);
        }
#undef SAME_
    if (a->n_violations != b->n_violations || a->dev_total != b->dev_total || a->max_route != b->max_route ||
        memcmp(a->min_nt, b->min_nt, sizeof a->min_nt) || memcmp(a->min_r1, b->min_r1, sizeof a->min_r1) ||
        memcmp(a->min_r0, b->min_r0, sizeof a->min_r0))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "mapping: reports differ (violations, devices or route length)");
    return MOSAIC_OK;
}
