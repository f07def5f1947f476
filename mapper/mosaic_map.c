/* Whole-network mapping: port loads, reports and the hardware configuration (line assignment, router
 * and NT crossbars). Routes come from mosaic_route(); geometry from arch/. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_mapper.h"
#include "mosaic_mapper_internal.h"

/* ---------------------------------------------------------------------------------------------
 * Shared helpers
 * ------------------------------------------------------------------------------------------- */

void mapper_capacities_(const MosaicArch *a, int32_t *cap) {
    for (int gr = 0; gr < mosaic_grid_rows(a); gr++)
        for (int gc = 0; gc < mosaic_grid_cols(a); gc++)
            for (int p = 0; p < MOSAIC_NPORTS; p++)
                cap[mosaic_cp(mosaic_cell_index(a, gr, gc), p)] = mosaic_port_capacity(a, gr, gc, p);
}

/* True if the input port `dir` of the router at (gr, gc) faces an NT (it then carries that NT's k
 * outputs). */
static int faces_nt_(const MosaicArch *a, int gr, int gc, int dir) {
    const int r = gr + mosaic_dir_dr(dir), c = gc + mosaic_dir_dc(dir);
    return r >= 0 && r < mosaic_grid_rows(a) && c >= 0 && c < mosaic_grid_cols(a) &&
           mosaic_cell_kind(r, c) == MOSAIC_CELL_NT;
}

static int imax_(int a, int b) { return a > b ? a : b; }

void mapper_devices_(const MosaicArch *a, const int32_t *count, MapperDevices_ *o) {
    const int k = a->neurons_per_tile;
    memset(o, 0, sizeof *o);
    for (int p = 4; p < MOSAIC_NPORTS; p++) o->min_nt[p] = k;
    for (int gr = 0; gr < mosaic_grid_rows(a); gr++)
        for (int gc = 0; gc < mosaic_grid_cols(a); gc++) {
            const int32_t *cnt = count + mosaic_cp(mosaic_cell_index(a, gr, gc), 0);
            const MosaicCellKind kind = mosaic_cell_kind(gr, gc);
            for (int p = 0; p < MOSAIC_NPORTS; p++) {
                switch (kind) {
                case MOSAIC_CELL_NT:
                    if (p < 4) o->min_nt[p] = imax_(o->min_nt[p], cnt[p]);
                    break;
                case MOSAIC_CELL_R0: o->min_r0[p] = imax_(o->min_r0[p], cnt[p]); break;
                case MOSAIC_CELL_R1V:
                case MOSAIC_CELL_R1H: {
                    const int fp = kind == MOSAIC_CELL_R1H ? mosaic_r1h_to_r1v_port(p) : p;
                    const int v = p < 4 && faces_nt_(a, gr, gc, p) ? imax_(k, cnt[p]) : cnt[p];
                    o->min_r1[fp] = imax_(o->min_r1[fp], v);
                    break;
                }
                }
            }
        }
    const int *n = o->min_nt, *r = o->min_r1;
    o->nt = (int64_t)(n[MOSAIC_IN_N] + n[MOSAIC_IN_E] + n[MOSAIC_IN_S] + n[MOSAIC_IN_W]) * k;
    const int64_t side_in =
        2 * imax_(r[MOSAIC_IN_N], r[MOSAIC_IN_S]) + 2 * imax_(r[MOSAIC_IN_E], r[MOSAIC_IN_W]);
    const int64_t side_out =
        2 * imax_(r[MOSAIC_OUT_N], r[MOSAIC_OUT_S]) + 2 * imax_(r[MOSAIC_OUT_E], r[MOSAIC_OUT_W]);
    const int64_t side = side_in > side_out ? side_in : side_out;
    o->r1 = side * side < 4 * (int64_t)k * k ? 4 * (int64_t)k * k : side * side;
    int m = 0;
    for (int p = 0; p < MOSAIC_NPORTS; p++) m = imax_(m, o->min_r0[p]);
    o->r0 = 16 * (int64_t)m * m;
    o->total = mosaic_count_cells(a, MOSAIC_CELL_NT) * o->nt + mosaic_count_r1(a) * o->r1 +
               mosaic_count_cells(a, MOSAIC_CELL_R0) * o->r0;
}

int mapper_violations_(int ncp, const int32_t *count, const int32_t *cap) {
    int v = 0;
    for (int i = 0; i < ncp; i++) v += count[i] > cap[i];
    return v;
}

MosaicStatus mapper_placement_(const MosaicArch *a, const int32_t *placement, int32_t *place,
                               int32_t *inverse, MosaicErr *err) {
    const int tiles = mosaic_arch_tiles(a);
    for (int t = 0; t < tiles; t++) inverse[t] = -1;
    for (int t = 0; t < tiles; t++) {
        const int p = placement ? placement[t] : t;
        if (p < 0 || p >= tiles || inverse[p] >= 0)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "placement: entry %d is %d: expected a permutation of the tiles 0..%d", t, p,
                              tiles - 1);
        place[t] = p;
        inverse[p] = t;
    }
    return MOSAIC_OK;
}

MosaicStatus mapper_group_by_source_(const MosaicLinks *links, const MosaicArch *a, const char *source,
                                     int32_t *start, int32_t *order, int32_t *tile_stamp, MosaicErr *err) {
    const int k = a->neurons_per_tile, tiles = mosaic_arch_tiles(a), N = tiles * k;
    memset(start, 0, sizeof(int32_t) * ((size_t)N + 1));
    for (int l = 0; l < links->n; l++) {
        const int32_t s = links->src[l], d = links->dst[l];
        if (s < 0 || s >= N || d < 0 || d >= tiles || d == s / k)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: link %d (%d -> tile %d): expected a source neuron in [0, %d) and a "
                              "destination tile in [0, %d) other than the source's own tile",
                              source, l, (int)s, (int)d, N, tiles);
        start[s + 1]++;
    }
    for (int s = 0; s < N; s++) start[s + 1] += start[s];
    /* stable counting sort: place with a running cursor kept in tile_stamp-free storage (start shifted) */
    for (int l = 0; l < links->n; l++) order[start[links->src[l]]++] = l;
    for (int s = N; s > 0; s--) start[s] = start[s - 1];
    start[0] = 0;
    for (int t = 0; t < tiles; t++) tile_stamp[t] = -1;
    for (int s = 0; s < N; s++)
        for (int i = start[s]; i < start[s + 1]; i++) {
            const int32_t d = links->dst[order[i]];
            if (tile_stamp[d] == s)
                return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: link %d (%d -> tile %d): duplicate link",
                                  source, order[i], (int)s, (int)d);
            tile_stamp[d] = s;
        }
    return MOSAIC_OK;
}

int mapper_count_(const MosaicArch *a, const MosaicLinks *links, const int32_t *start, const int32_t *order,
                  const int32_t *place, int32_t *count, int32_t *stamp, int *gamma) {
    const int k = a->neurons_per_tile, N = mosaic_arch_neurons(a), ncp = mosaic_cells(a) * MOSAIC_NPORTS;
    memset(count, 0, sizeof(int32_t) * (size_t)ncp);
    for (int i = 0; i < ncp; i++) stamp[i] = -1;
    MosaicPortRef marks[MOSAIC_ROUTE_MAX_MARKS];
    int longest = 0;
    for (int s = 0; s < N; s++) {
        if (start[s] == start[s + 1]) continue;
        const int from = place[s / k];
        for (int i = start[s]; i < start[s + 1]; i++) {
            const int nm = mosaic_route(a, from, place[links->dst[order[i]]], marks);
            const int d = nm / 2;
            if (gamma) gamma[d]++;
            if (d > longest) longest = d;
            for (int j = 0; j < nm; j++) {
                const int cp = mosaic_cp(marks[j].cell, marks[j].port);
                if (stamp[cp] != s) {
                    stamp[cp] = s;
                    count[cp]++;
                }
            }
        }
    }
    return longest;
}

/* ---------------------------------------------------------------------------------------------
 * Reports
 * ------------------------------------------------------------------------------------------- */

static int violation_cmp_(const void *pa, const void *pb) {
    const MosaicViolation *a = pa, *b = pb;
    const int ea = a->count - a->capacity, eb = b->count - b->capacity;
    if (ea != eb) return ea > eb ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    if (a->cell != b->cell) return a->cell < b->cell ? -1 : 1;
    return a->port - b->port;
}

static MosaicStatus build_report_(MosaicMapping *m, const int32_t *cap, MosaicErr *err) {
    const MosaicArch *a = &m->arch;
    const int ncp = m->n_cells * MOSAIC_NPORTS;
    m->n_violations = mapper_violations_(ncp, m->count, cap);
    m->violations = calloc((size_t)m->n_violations + 1, sizeof *m->violations);
    if (!m->violations) return mosaic_err(err, MOSAIC_ERR_NOMEM, "mapper: out of memory for the violations");
    int v = 0;
    for (int cp = 0; cp < ncp; cp++)
        if (m->count[cp] > cap[cp]) {
            const int cell = cp / MOSAIC_NPORTS, gr = cell / mosaic_grid_cols(a),
                      gc = cell % mosaic_grid_cols(a);
            m->violations[v++] = (MosaicViolation){cell,
                                                   (int16_t)gr,
                                                   (int16_t)gc,
                                                   (int8_t)mosaic_cell_kind(gr, gc),
                                                   (int8_t)(cp % MOSAIC_NPORTS),
                                                   m->count[cp],
                                                   cap[cp]};
        }
    qsort(m->violations, (size_t)v, sizeof *m->violations, violation_cmp_);
    MapperDevices_ dev;
    mapper_devices_(a, m->count, &dev);
    memcpy(m->min_nt, dev.min_nt, sizeof m->min_nt);
    memcpy(m->min_r1, dev.min_r1, sizeof m->min_r1);
    memcpy(m->min_r0, dev.min_r0, sizeof m->min_r0);
    m->dev_nt = dev.nt;
    m->dev_r1 = dev.r1;
    m->dev_r0 = dev.r0;
    m->dev_total = dev.total;
    return MOSAIC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Configuration: line assignment, router crossbars, NT crossbars
 * ------------------------------------------------------------------------------------------- */

int mosaic_port_rank_cmp(int count_a, int cap_a, int cp_a, int count_b, int cap_b, int cp_b) {
    const double fa = cap_a > 0 ? (double)count_a / cap_a : 1e9 * count_a;
    const double fb = cap_b > 0 ? (double)count_b / cap_b : 1e9 * count_b;
    if (fa != fb) return fa > fb ? -1 : 1;
    if (count_a != count_b) return count_b - count_a;
    return cp_a - cp_b;
}

int mosaic_mapping_busiest_port(const MosaicMapping *m) {
    const int G = mosaic_grid_cols(&m->arch);
    int best = -1, best_count = 0, best_cap = 0;
    for (int cp = 0; cp < m->n_cells * MOSAIC_NPORTS; cp++) {
        if (m->count[cp] <= 0) continue;
        const int cell = cp / MOSAIC_NPORTS,
                  cap = mosaic_port_capacity(&m->arch, cell / G, cell % G, cp % MOSAIC_NPORTS);
        if (best < 0 || mosaic_port_rank_cmp(m->count[cp], cap, cp, best_count, best_cap, best) < 0)
            best = cp, best_count = m->count[cp], best_cap = cap;
    }
    return best;
}

int mosaic_mapping_line_of(const MosaicMapping *m, int cp, int32_t source) {
    const int32_t *base = m->line_source + m->line_offset[cp];
    int lo = 0, hi = m->lines[cp] - 1;
    while (lo <= hi) {
        const int mid = (lo + hi) / 2;
        if (base[mid] == source) return mid;
        if (base[mid] < source)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static int conn_cmp_(const void *pa, const void *pb) {
    const MosaicXbarConn *a = pa, *b = pb;
    if (a->in_port != b->in_port) return a->in_port - b->in_port;
    if (a->in_line != b->in_line) return a->in_line - b->in_line;
    if (a->out_port != b->out_port) return a->out_port - b->out_port;
    return a->out_line - b->out_line;
}

static int row_cmp_(const void *pa, const void *pb) {
    const MosaicNtRow *a = pa, *b = pb;
    if (a->side != b->side) return a->side - b->side;
    return a->line - b->line;
}

/* Fixed lines: NT outputs and NT-facing R1 inputs carry the NT's k neurons, neuron i on line i. Returns
 * the physical tile whose neurons the port carries, or -1 for a routed port. */
static int fixed_tile_(const MosaicArch *a, int cell, int port) {
    const int gr = cell / mosaic_grid_cols(a), gc = cell % mosaic_grid_cols(a);
    const MosaicCellKind kind = mosaic_cell_kind(gr, gc);
    if (kind == MOSAIC_CELL_NT) return port >= 4 ? mosaic_cell_tile(a, gr, gc) : -1;
    if (kind == MOSAIC_CELL_R0 || port >= 4 || !faces_nt_(a, gr, gc, port)) return -1;
    return mosaic_cell_tile(a, gr + mosaic_dir_dr(port), gc + mosaic_dir_dc(port));
}

static MosaicStatus build_config_(MosaicMapping *m, const MosaicLinks *links, const int32_t *start,
                                  const int32_t *order, int32_t *stamp, MosaicErr *err) {
    const MosaicArch *a = &m->arch;
    const int k = a->neurons_per_tile, N = mosaic_arch_neurons(a), tiles = mosaic_arch_tiles(a);
    const int ncp = m->n_cells * MOSAIC_NPORTS;
    /* lines are stored as int16 in the crossbar entries */
    for (int cp = 0; cp < ncp; cp++)
        if (m->count[cp] > INT16_MAX || k > INT16_MAX)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "mapper: a port carries %d lines; the configuration holds at most %d per port",
                              m->count[cp] > k ? m->count[cp] : k, INT16_MAX);
    m->lines = malloc(sizeof(int32_t) * (size_t)ncp);
    m->line_offset = malloc(sizeof(int32_t) * ((size_t)ncp + 1));
    m->conn_offset = calloc((size_t)m->n_cells + 1, sizeof(int32_t));
    m->row_offset = calloc((size_t)tiles + 1, sizeof(int32_t));
    int32_t *fill = malloc(sizeof(int32_t) * ((size_t)ncp + 1));
    int32_t *fixed = malloc(sizeof(int32_t) * (size_t)ncp);
    if (!m->lines || !m->line_offset || !m->conn_offset || !m->row_offset || !fill || !fixed) {
        free(fill);
        free(fixed);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "mapper: out of memory for the line assignment");
    }
    /* line counts and CSR offsets; connections per router cell = loads of its outputs */
    m->line_offset[0] = 0;
    for (int cp = 0; cp < ncp; cp++) {
        fixed[cp] = fixed_tile_(a, cp / MOSAIC_NPORTS, cp % MOSAIC_NPORTS);
        assert(fixed[cp] < 0 || m->count[cp] <= k);
        m->lines[cp] = fixed[cp] >= 0 ? k : m->count[cp];
        m->line_offset[cp + 1] = m->line_offset[cp] + m->lines[cp];
        const int cell = cp / MOSAIC_NPORTS;
        const int gr = cell / mosaic_grid_cols(a), gc = cell % mosaic_grid_cols(a);
        if (cp % MOSAIC_NPORTS >= 4 && mosaic_cell_kind(gr, gc) != MOSAIC_CELL_NT)
            m->conn_offset[cell + 1] += m->count[cp];
    }
    for (int c = 0; c < m->n_cells; c++) m->conn_offset[c + 1] += m->conn_offset[c];
    for (int l = 0; l < links->n; l++) m->row_offset[m->placement[links->dst[l]] + 1]++;
    for (int t = 0; t < tiles; t++) m->row_offset[t + 1] += m->row_offset[t];
    m->line_source = malloc(sizeof(int32_t) * ((size_t)m->line_offset[ncp] + 1));
    m->conn = malloc(sizeof(MosaicXbarConn) * ((size_t)m->conn_offset[m->n_cells] + 1));
    m->rows = malloc(sizeof(MosaicNtRow) * ((size_t)links->n + 1));
    if (!m->line_source || !m->conn || !m->rows) {
        free(fill);
        free(fixed);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "mapper: out of memory for the crossbar configuration");
    }
    for (int cp = 0; cp < ncp; cp++) {
        fill[cp] = m->line_offset[cp];
        if (fixed[cp] >= 0)
            for (int i = 0; i < k; i++) m->line_source[fill[cp]++] = m->inverse[fixed[cp]] * k + i;
    }
    /* Second routing pass in source order: lines of routed ports are then sorted by source. A tree
     * output's driver is the input through which the first route (in link order) reached it. */
    int32_t *cfill = malloc(sizeof(int32_t) * ((size_t)m->n_cells + (size_t)tiles + 2));
    if (!cfill) {
        free(fill);
        free(fixed);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "mapper: out of memory for the crossbar configuration");
    }
    int32_t *rfill = cfill + m->n_cells + 1;
    memcpy(cfill, m->conn_offset, sizeof(int32_t) * (size_t)m->n_cells);
    memcpy(rfill, m->row_offset, sizeof(int32_t) * (size_t)tiles);
    for (int cp = 0; cp < ncp; cp++) stamp[cp] = -1;
    MosaicPortRef marks[MOSAIC_ROUTE_MAX_MARKS];
    for (int s = 0; s < N; s++) {
        if (start[s] == start[s + 1]) continue;
        const int from = m->placement[s / k];
        for (int i = start[s]; i < start[s + 1]; i++) {
            const int l = order[i];
            const int to = m->placement[links->dst[l]];
            const int nm = mosaic_route(a, from, to, marks);
            for (int j = 0; j < nm; j++) {
                const int cp = mosaic_cp(marks[j].cell, marks[j].port);
                if (stamp[cp] == s) continue;
                stamp[cp] = s;
                if (fixed[cp] < 0) m->line_source[fill[cp]++] = s;
                if (j % 2 == 1) { /* an output: its driver is this route's input at the same cell */
                    assert(marks[j - 1].cell == marks[j].cell);
                    m->conn[cfill[marks[j].cell]++] =
                        (MosaicXbarConn){marks[j - 1].port, marks[j].port, -1, -1, s};
                }
            }
            const MosaicPortRef last = marks[nm - 1];
            m->rows[rfill[to]++] = (MosaicNtRow){last.port, -1, l, s};
        }
    }
    MosaicStatus st = MOSAIC_OK;
    for (int cp = 0; cp < ncp && st == MOSAIC_OK; cp++)
        if (fill[cp] != m->line_offset[cp + 1])
            st = mosaic_err(err, MOSAIC_ERR_INTERNAL, "mapper: port %d filled %d of %d lines", cp,
                            fill[cp] - m->line_offset[cp], m->lines[cp]);
    /* lines of every connection and row, then the documented order; no output line has two drivers */
    free(fixed);
    fixed = NULL;
    int32_t *flags = calloc((size_t)m->line_offset[ncp] + 1, sizeof(int32_t)); /* driven output lines */
    if (!flags && st == MOSAIC_OK) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "mapper: out of memory");
    for (int c = 0; c < m->n_cells && st == MOSAIC_OK; c++) {
        MosaicXbarConn *cc = m->conn + m->conn_offset[c];
        const int nc = m->conn_offset[c + 1] - m->conn_offset[c];
        if (cfill[c] != m->conn_offset[c + 1]) {
            st = mosaic_err(err, MOSAIC_ERR_INTERNAL, "mapper: cell %d has %d of %d connections", c,
                            cfill[c] - m->conn_offset[c], nc);
            break;
        }
        for (int i = 0; i < nc; i++) {
            const int icp = mosaic_cp(c, cc[i].in_port), ocp = mosaic_cp(c, cc[i].out_port);
            const int il = mosaic_mapping_line_of(m, icp, cc[i].source);
            const int ol = mosaic_mapping_line_of(m, ocp, cc[i].source);
            assert(il >= 0 && ol >= 0);
            cc[i].in_line = (int16_t)il;
            cc[i].out_line = (int16_t)ol;
            int32_t *f = &flags[m->line_offset[ocp] + ol];
            assert(!*f && "an output line has two drivers");
            if (*f) {
                st = mosaic_err(err, MOSAIC_ERR_INTERNAL, "mapper: cell %d port %s line %d has two drivers",
                                c, mosaic_port_name(cc[i].out_port), ol);
                break;
            }
            *f = 1;
        }
        qsort(cc, (size_t)nc, sizeof *cc, conn_cmp_);
    }
    for (int t = 0; t < tiles && st == MOSAIC_OK; t++) {
        MosaicNtRow *rr = m->rows + m->row_offset[t];
        const int nr = m->row_offset[t + 1] - m->row_offset[t];
        int gr, gc;
        mosaic_tile_cell(a, t, &gr, &gc);
        const int cell = mosaic_cell_index(a, gr, gc);
        for (int i = 0; i < nr; i++) {
            const int line = mosaic_mapping_line_of(m, mosaic_cp(cell, rr[i].side), rr[i].source);
            assert(line >= 0);
            rr[i].line = (int16_t)line;
        }
        qsort(rr, (size_t)nr, sizeof *rr, row_cmp_);
    }
    free(flags);
    free(cfill);
    free(fill);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * API
 * ------------------------------------------------------------------------------------------- */

MosaicStatus mosaic_map(MosaicMapping *m, const MosaicArch *arch, const MosaicLinks *links,
                        const int32_t *placement, unsigned flags, MosaicErr *err) {
    memset(m, 0, sizeof *m);
    m->arch = *arch;
    const int tiles = mosaic_arch_tiles(arch), N = mosaic_arch_neurons(arch);
    m->n_cells = mosaic_cells(arch);
    m->n_links = links->n;
    m->max_distance = mosaic_arch_max_distance(arch);
    const int ncp = m->n_cells * MOSAIC_NPORTS;
    m->placement = malloc(sizeof(int32_t) * (size_t)tiles);
    m->inverse = malloc(sizeof(int32_t) * (size_t)tiles);
    m->count = malloc(sizeof(int32_t) * (size_t)ncp);
    m->gamma = calloc((size_t)m->max_distance + 1, sizeof(int));
    int32_t *start = malloc(sizeof(int32_t) * ((size_t)N + 1));
    int32_t *order = malloc(sizeof(int32_t) * ((size_t)links->n + 1));
    int32_t *stamp = malloc(sizeof(int32_t) * ((size_t)(ncp > tiles ? ncp : tiles)));
    int32_t *cap = malloc(sizeof(int32_t) * (size_t)ncp);
    MosaicStatus st = MOSAIC_OK;
    if (!m->placement || !m->inverse || !m->count || !m->gamma || !start || !order || !stamp || !cap)
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "mapper: out of memory for %d links", links->n);
    if (st == MOSAIC_OK) st = mapper_placement_(arch, placement, m->placement, m->inverse, err);
    if (st == MOSAIC_OK) st = mapper_group_by_source_(links, arch, "links", start, order, stamp, err);
    if (st == MOSAIC_OK) {
        m->max_route = mapper_count_(arch, links, start, order, m->placement, m->count, stamp, m->gamma);
        mapper_capacities_(arch, cap);
        st = build_report_(m, cap, err);
    }
    if (st == MOSAIC_OK && (flags & MOSAIC_MAP_CONFIG))
        st = build_config_(m, links, start, order, stamp, err);
    free(start);
    free(order);
    free(stamp);
    free(cap);
    return st;
}

void mosaic_mapping_free(MosaicMapping *m) {
    if (!m) return;
    free(m->placement);
    free(m->inverse);
    free(m->count);
    free(m->violations);
    free(m->gamma);
    free(m->lines);
    free(m->line_offset);
    free(m->line_source);
    free(m->conn_offset);
    free(m->conn);
    free(m->row_offset);
    free(m->rows);
    memset(m, 0, sizeof *m);
}
