/* The mapper's file front end: links from a network or a links file, and the HDF5 mapping file
 * (schema in docs/mapper.md). */
#define _POSIX_C_SOURCE 200809L
#include "mosaic_mapper_io.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

MosaicStatus mosaic_links_load(const char *path, const char *arch_path, const char *const *sets, int nsets,
                               MosaicArch *arch, MosaicLinks *links, int *n_input_tiles, MosaicErr *err) {
    MosaicArch file_arch;
    if (!ends_with_(path, ".txt"))
        return mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: expected a links file ending in .txt (network files are read through the traces "
            "module, which this build does not have yet)",
            path);
    MOSAIC_TRY(mosaic_links_read_text(path, &file_arch, links, NULL, err));
    *n_input_tiles = (128 + file_arch.neurons_per_tile - 1) / file_arch.neurons_per_tile;
    /* rows, cols and k come from the file; --arch/--set may restate them but not change them */
    MOSAIC_TRY(mosaic_arch_load(arch, arch_path, sets, nsets, err));
    MosaicArch def;
    mosaic_arch_default(&def);
    const struct {
        const char *key;
        int *user;
        int file, dflt;
    } keys[] = {{"array.rows", &arch->rows, file_arch.rows, def.rows},
                {"array.cols", &arch->cols, file_arch.cols, def.cols},
                {"array.neurons_per_tile", &arch->neurons_per_tile, file_arch.neurons_per_tile,
                 def.neurons_per_tile}};
    for (int i = 0; i < 3; i++) {
        if (*keys[i].user != keys[i].dflt && *keys[i].user != keys[i].file)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: key '%s' is %d in --arch/--set but the file's header says %d", path,
                              keys[i].key, *keys[i].user, keys[i].file);
        *keys[i].user = keys[i].file;
    }
    return mosaic_links_check(links, arch, path, err);
}

/* ---------------------------------------------------------------------------------------------
 * Mapping file
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    hid_t file;
    int failed;
} H5W_;

static void ds_(H5W_ *w, const char *name, hid_t type, const void *data, int rank, const hsize_t *dims) {
    if (w->failed) return;
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(w->file, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    int n = 1;
    for (int i = 0; i < rank; i++) n *= (int)dims[i];
    if (ds < 0 || (n > 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)) w->failed = 1;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(space);
    H5Pclose(lcpl);
}

static void i32_(H5W_ *w, const char *name, const int32_t *data, hsize_t n) {
    ds_(w, name, H5T_NATIVE_INT32, data, 1, &n);
}

static void attr_(H5W_ *w, const char *name, hid_t type, const void *value) {
    if (w->failed) return;
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t at = H5Acreate2(w->file, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (at < 0 || H5Awrite(at, type, value) < 0) w->failed = 1;
    if (at >= 0) H5Aclose(at);
    H5Sclose(space);
}

static void attr_str_(H5W_ *w, const char *name, const char *value) {
    if (w->failed) return;
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(value) + 1);
    attr_(w, name, type, value);
    H5Tclose(type);
}

MosaicStatus mosaic_mapping_write(const char *path, const MosaicMapping *m, MosaicErr *err) {
    if (!m->lines)
        return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: the mapping was built without MOSAIC_MAP_CONFIG",
                          path);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: path too long", path);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    H5W_ w = {H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), 0};
    if (w.file < 0) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create the HDF5 file", tmp);
    const MosaicArch *a = &m->arch;
    const int ncp = m->n_cells * MOSAIC_NPORTS, tiles = mosaic_arch_tiles(a);
    const int32_t ver = 1, mappable = m->n_violations == 0;
    attr_str_(&w, "format", "mosaic-mapping");
    attr_(&w, "version", H5T_NATIVE_INT32, &ver);
    attr_(&w, "mappable", H5T_NATIVE_INT32, &mappable);
    attr_(&w, "n_links", H5T_NATIVE_INT32, &m->n_links);
    attr_(&w, "n_violations", H5T_NATIVE_INT32, &m->n_violations);
    attr_(&w, "max_route", H5T_NATIVE_INT32, &m->max_route);
    char *yaml = NULL;
    size_t ylen = 0;
    FILE *mem = open_memstream(&yaml, &ylen);
    if (mem) {
        mosaic_arch_write_yaml(mem, a);
        fclose(mem);
        attr_str_(&w, "arch_yaml", yaml ? yaml : "");
        free(yaml);
    } else {
        w.failed = 1;
    }
    const hsize_t dims_cp[2] = {(hsize_t)m->n_cells, MOSAIC_NPORTS};
    int32_t *cap = malloc(sizeof(int32_t) * (size_t)ncp);
    if (!cap) w.failed = 1;
    for (int cp = 0; cap && cp < ncp; cp++) {
        const int cell = cp / MOSAIC_NPORTS, gr = cell / mosaic_grid_cols(a), gc = cell % mosaic_grid_cols(a);
        cap[cp] = mosaic_port_capacity(a, gr, gc, cp % MOSAIC_NPORTS);
    }
    ds_(&w, "ports/count", H5T_NATIVE_INT32, m->count, 2, dims_cp);
    if (cap) ds_(&w, "ports/capacity", H5T_NATIVE_INT32, cap, 2, dims_cp);
    ds_(&w, "ports/lines", H5T_NATIVE_INT32, m->lines, 2, dims_cp);
    free(cap);
    i32_(&w, "placement", m->placement, (hsize_t)tiles);
    i32_(&w, "lines/offset", m->line_offset, (hsize_t)ncp + 1);
    i32_(&w, "lines/source", m->line_source, (hsize_t)m->line_offset[ncp]);
    /* crossbars as columns (h5py-friendly) */
    const int nconn = m->conn_offset[m->n_cells], nrows = m->row_offset[tiles];
    const int ncol = nconn > nrows ? nconn : nrows;
    int32_t *col = malloc(sizeof(int32_t) * ((size_t)ncol + 1));
    if (!col) w.failed = 1;
    i32_(&w, "routers/offset", m->conn_offset, (hsize_t)m->n_cells + 1);
    for (int f = 0; col && f < 5; f++) {
        static const char *names[] = {"routers/in_port", "routers/in_line", "routers/out_port",
                                      "routers/out_line", "routers/source"};
        for (int i = 0; i < nconn; i++) {
            const MosaicXbarConn *x = &m->conn[i];
            col[i] = f == 0   ? x->in_port
                     : f == 1 ? x->in_line
                     : f == 2 ? x->out_port
                     : f == 3 ? x->out_line
                              : x->source;
        }
        i32_(&w, names[f], col, (hsize_t)nconn);
    }
    i32_(&w, "nt/offset", m->row_offset, (hsize_t)tiles + 1);
    for (int f = 0; col && f < 4; f++) {
        static const char *names[] = {"nt/side", "nt/line", "nt/link", "nt/source"};
        for (int i = 0; i < nrows; i++) {
            const MosaicNtRow *r = &m->rows[i];
            col[i] = f == 0 ? r->side : f == 1 ? r->line : f == 2 ? r->link : r->source;
        }
        i32_(&w, names[f], col, (hsize_t)nrows);
    }
    free(col);
    int32_t *vcol = malloc(sizeof(int32_t) * ((size_t)m->n_violations + 1));
    if (!vcol) w.failed = 1;
    for (int f = 0; vcol && f < 6; f++) {
        static const char *names[] = {"violations/cell", "violations/gr",    "violations/gc",
                                      "violations/port", "violations/count", "violations/capacity"};
        for (int i = 0; i < m->n_violations; i++) {
            const MosaicViolation *v = &m->violations[i];
            vcol[i] = f == 0   ? v->cell
                      : f == 1 ? v->gr
                      : f == 2 ? v->gc
                      : f == 3 ? v->port
                      : f == 4 ? v->count
                               : v->capacity;
        }
        i32_(&w, names[f], vcol, (hsize_t)m->n_violations);
    }
    free(vcol);
    const hsize_t eight = MOSAIC_NPORTS, four = 4, ng = (hsize_t)m->max_distance + 1;
    ds_(&w, "min_config/nt", H5T_NATIVE_INT, m->min_nt, 1, &eight);
    ds_(&w, "min_config/r1", H5T_NATIVE_INT, m->min_r1, 1, &eight);
    ds_(&w, "min_config/r0", H5T_NATIVE_INT, m->min_r0, 1, &eight);
    const int64_t dev[4] = {m->dev_nt, m->dev_r1, m->dev_r0, m->dev_total};
    ds_(&w, "devices", H5T_NATIVE_INT64, dev, 1, &four);
    ds_(&w, "gamma", H5T_NATIVE_INT, m->gamma, 1, &ng);
    const int closed = H5Fclose(w.file);
    if (w.failed || closed < 0) {
        remove(tmp);
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: writing the mapping failed", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot rename from %s", path, tmp);
    }
    return MOSAIC_OK;
}
