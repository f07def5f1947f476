/* Line assignment and crossbar configuration consistency, the incremental router against full
 * re-routes, random networks against their budgets, placement. Randomised: --seed N. */
#include "mapper_fixture.h"
#include "mosaic_mapper.h"
#include "mosaic_rng.h"
#include "mosaic_test.h"

static const int dr_[4] = {-1, 0, 1, 0}, dc_[4] = {0, 1, 0, -1};

/* Every used port's lines match its load (k on fixed ports), lines sorted, both ends of every wire
 * carry the same sources, connections name the source on both lines, no output line has two drivers,
 * every routed output line is driven. */
static void check_lines_(const MosaicMapping *m) {
    const MosaicArch *a = &m->arch;
    const int k = a->neurons_per_tile, G = mosaic_grid_cols(a);
    int bad = 0;
    for (int cp = 0; cp < m->n_cells * 8; cp++) {
        const int cell = cp / 8, port = cp % 8, gr = cell / G, gc = cell % G;
        const MosaicCellKind kind = mosaic_cell_kind(gr, gc);
        int fixed = kind == MOSAIC_CELL_NT && port >= 4;
        if (kind != MOSAIC_CELL_NT && kind != MOSAIC_CELL_R0 && port < 4) {
            const int r = gr + dr_[port], c = gc + dc_[port];
            fixed = r >= 0 && r < mosaic_grid_rows(a) && c >= 0 && c < G &&
                    mosaic_cell_kind(r, c) == MOSAIC_CELL_NT;
        }
        bad += m->lines[cp] != (fixed ? k : m->count[cp]);
        bad += m->line_offset[cp + 1] - m->line_offset[cp] != m->lines[cp];
        for (int i = 1; i < m->lines[cp]; i++)
            bad += m->line_source[m->line_offset[cp] + i] <= m->line_source[m->line_offset[cp] + i - 1];
        if (port >= 4) { /* the wire to the neighbour */
            const int r = gr + dr_[port - 4], c = gc + dc_[port - 4];
            if (r < 0 || r >= mosaic_grid_rows(a) || c < 0 || c >= G) {
                bad += m->lines[cp] != 0;
                continue;
            }
            const int ocp = mosaic_cp(mosaic_cell_index(a, r, c), mosaic_opposite_dir(port - 4));
            if (!fixed) {
                bad += m->lines[ocp] != m->lines[cp];
                for (int i = 0; i < m->lines[cp] && m->lines[ocp] == m->lines[cp]; i++)
                    bad += m->line_source[m->line_offset[cp] + i] != m->line_source[m->line_offset[ocp] + i];
            } else {
                bad += m->lines[ocp] != k; /* NT output into the R1's NT-facing input */
                for (int i = 0; i < k; i++)
                    bad += m->line_source[m->line_offset[ocp] + i] !=
                           m->inverse[mosaic_cell_tile(a, gr, gc)] * k + i;
            }
        }
    }
    for (int c = 0; c < m->n_cells; c++) {
        int driven[8][512] = {{0}};
        for (int i = m->conn_offset[c]; i < m->conn_offset[c + 1]; i++) {
            const MosaicXbarConn *x = &m->conn[i];
            bad += x->in_port < 0 || x->in_port > 3 || x->out_port < 4 || x->out_port > 7;
            const int icp = mosaic_cp(c, x->in_port), ocp = mosaic_cp(c, x->out_port);
            bad += x->in_line < 0 || x->in_line >= m->lines[icp] || x->out_line < 0 ||
                   x->out_line >= m->lines[ocp];
            bad += m->line_source[m->line_offset[icp] + x->in_line] != x->source;
            bad += m->line_source[m->line_offset[ocp] + x->out_line] != x->source;
            if (x->out_line < 512) bad += driven[x->out_port - 4][x->out_line]++ != 0;
        }
        const int gr = c / G, gc = c % G;
        if (mosaic_cell_kind(gr, gc) == MOSAIC_CELL_NT) {
            bad += m->conn_offset[c + 1] != m->conn_offset[c];
            continue;
        }
        for (int p = 4; p < 8; p++)
            for (int l = 0; l < m->lines[mosaic_cp(c, p)] && l < 512; l++) bad += driven[p - 4][l] != 1;
    }
    CHECK_EQ_INT(bad, 0);
}

/* Following the crossbars from each source's NT reaches exactly the NT rows of its links, each after
 * d routing tiles. */
static void check_reach_(const MosaicMapping *m, const MosaicLinks *l) {
    const MosaicArch *a = &m->arch;
    const int k = a->neurons_per_tile, G = mosaic_grid_cols(a), N = mosaic_arch_neurons(a);
    int *reached = calloc((size_t)l->n + 1, sizeof(int));
    int *has_links = calloc((size_t)N, sizeof(int));
    for (int i = 0; i < l->n; i++) has_links[l->src[i]] = 1;
    typedef struct {
        int cell, port, line, tiles;
    } Item;
    Item *stack = malloc(sizeof(Item) * 65536);
    int bad = 0;
    for (int s = 0; s < N; s++) {
        if (!has_links[s]) continue;
        int sr, sc, n = 0;
        mosaic_tile_cell(a, m->placement[s / k], &sr, &sc);
        for (int d = 0; d < 4; d++)
            stack[n++] =
                (Item){mosaic_cell_index(a, sr + dr_[d], sc + dc_[d]), mosaic_opposite_dir(d), s % k, 1};
        while (n > 0 && n < 65000) {
            const Item it = stack[--n];
            const int gr = it.cell / G, gc = it.cell % G;
            if (mosaic_cell_kind(gr, gc) == MOSAIC_CELL_NT) {
                const int t = mosaic_cell_tile(a, gr, gc);
                int found = 0;
                for (int i = m->row_offset[t]; i < m->row_offset[t + 1]; i++)
                    if (m->rows[i].side == it.port && m->rows[i].line == it.line) {
                        found++;
                        const int link = m->rows[i].link;
                        bad += m->rows[i].source != s || l->src[link] != s;
                        bad += it.tiles - 1 !=
                               mosaic_tile_distance(a, m->placement[s / k], m->placement[l->dst[link]]);
                        reached[link]++;
                    }
                bad += found != 1;
                continue;
            }
            for (int i = m->conn_offset[it.cell]; i < m->conn_offset[it.cell + 1]; i++) {
                const MosaicXbarConn *x = &m->conn[i];
                if (x->in_port != it.port || x->in_line != it.line) continue;
                const int dir = x->out_port - 4;
                stack[n++] = (Item){mosaic_cell_index(a, gr + dr_[dir], gc + dc_[dir]),
                                    mosaic_opposite_dir(dir), x->out_line, it.tiles + 1};
            }
        }
    }
    for (int i = 0; i < l->n; i++) bad += reached[i] != 1;
    CHECK_EQ_INT(bad, 0);
    free(reached);
    free(has_links);
    free(stack);
}

static void same_counts_(const MosaicRouter *r, const MosaicArch *a, const MosaicLinks *l, int *bad) {
    MosaicMapping m;
    MosaicErr err;
    if (mosaic_map(&m, a, l, NULL, 0, &err) != MOSAIC_OK) {
        (*bad)++;
        return;
    }
    const int32_t *c = mosaic_router_counts(r);
    for (int cp = 0; cp < m.n_cells * 8; cp++) *bad += c[cp] != m.count[cp];
    *bad += mosaic_router_violations(r) != m.n_violations;
    *bad += mosaic_router_links(r) != l->n;
    mosaic_mapping_free(&m);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress lines appear as they happen */
    const uint64_t seed = mosaic_test_seed(argc, argv, 20261122);
    MosaicArch a;
    mosaic_arch_default(&a);
    MosaicErr err;

    TEST("RandomNetworkMeetsBudgetsExactly") {
        MosaicLinks l;
        fixture_random_links(&l, &a, "1:0.8,3:0.1,5:0.013", seed);
        MosaicProfile p;
        mosaic_profile_parse(&p, "1:0.8,3:0.1,5:0.013", "t", &err);
        const int maxd = mosaic_arch_max_distance(&a);
        int budgets[25 * 16], got[25 * 16] = {0};
        mosaic_profile_budgets(&p, &a, budgets);
        for (int i = 0; i < l.n; i++)
            got[(l.src[i] / 32) * (maxd + 1) + mosaic_tile_distance(&a, l.src[i] / 32, l.dst[i])]++;
        int bad = 0;
        for (int i = 0; i < 25 * (maxd + 1); i++) bad += got[i] != budgets[i];
        CHECK_EQ_INT(bad, 0);
        CHECK(mosaic_links_check(&l, &a, "random", &err) == MOSAIC_OK);
        MosaicLinks l2;
        fixture_random_links(&l2, &a, "1:0.8,3:0.1,5:0.013", seed);
        CHECK(l2.n == l.n && !memcmp(l2.src, l.src, sizeof(int32_t) * (size_t)l.n));
        mosaic_links_free(&l);
        mosaic_links_free(&l2);
    }
    TEST("LineAssignmentConsistentAndCrossbarsReachExactlyTheLinks") {
        const struct {
            int rows, cols;
            const char *profile;
        } cases[] = {{5, 5, "1:0.8,3:0.1"},
                     {5, 5, "1:0.5,3:0.3,5:0.1,7:0.05"},
                     {8, 8, "1:0.8,3:0.1,5:0.02"},
                     {3, 7, "1:0.9,3:0.3,5:0.1,9:0.05"},
                     {1, 6, "1:0.5,5:0.2"}};
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            MosaicArch b = a;
            b.rows = cases[c].rows, b.cols = cases[c].cols;
            MosaicLinks l;
            fixture_random_links(&l, &b, cases[c].profile, seed + c);
            MosaicMapping m;
            CHECK(mosaic_map(&m, &b, &l, NULL, MOSAIC_MAP_CONFIG, &err) == MOSAIC_OK);
            check_lines_(&m);
            check_reach_(&m, &l);
            mosaic_mapping_free(&m);
            /* and under a random placement */
            int32_t place[64];
            const int tiles = b.rows * b.cols;
            MosaicRng rng;
            mosaic_rng_seed(&rng, seed ^ c);
            for (int t = 0; t < tiles; t++) place[t] = t;
            for (int t = tiles - 1; t > 0; t--) {
                const int j = (int)mosaic_rng_below(&rng, (uint64_t)t + 1), x = place[t];
                place[t] = place[j], place[j] = x;
            }
            CHECK(mosaic_map(&m, &b, &l, place, MOSAIC_MAP_CONFIG, &err) == MOSAIC_OK);
            check_lines_(&m);
            check_reach_(&m, &l);
            mosaic_mapping_free(&m);
            mosaic_links_free(&l);
        }
    }
    TEST("IncrementalRouterAgreesWithFullReroute") {
        MosaicLinks l;
        fixture_random_links(&l, &a, "1:0.8,3:0.1", seed);
        MosaicRouter *r;
        CHECK(mosaic_router_create(&r, &a, NULL, &err) == MOSAIC_OK);
        CHECK(mosaic_router_add_all(r, &l, &err) == MOSAIC_OK);
        int bad = 0;
        same_counts_(r, &a, &l, &bad);
        MosaicRng rng;
        mosaic_rng_seed(&rng, seed + 99);
        const int N = mosaic_arch_neurons(&a);
        int adds = 0, removes = 0, fits_checked = 0;
        int32_t before[121 * 8];
        for (int step = 0; step < 5000; step++) {
            if (mosaic_rng_below(&rng, 2) == 0 && l.n > 0) { /* remove a random present link */
                const int i = (int)mosaic_rng_below(&rng, (uint64_t)l.n);
                bad += !mosaic_router_has(r, l.src[i], l.dst[i]);
                bad += mosaic_router_remove(r, l.src[i], l.dst[i], &err) != MOSAIC_OK;
                bad += mosaic_router_has(r, l.src[i], l.dst[i]);
                l.src[i] = l.src[l.n - 1], l.dst[i] = l.dst[l.n - 1], l.n--;
                removes++;
            } else { /* add a random absent link; its predicted ports are exactly the ones that grow */
                const int32_t s = (int32_t)mosaic_rng_below(&rng, (uint64_t)N);
                const int32_t d = (int32_t)mosaic_rng_below(&rng, 25);
                if (d == s / 32 || mosaic_router_has(r, s, d)) {
                    bad += mosaic_router_add(r, s, d, &err) != MOSAIC_ERR_INPUT;
                    continue;
                }
                MosaicPortRef ports[MOSAIC_ROUTE_MAX_MARKS];
                const int np = mosaic_router_link_ports(r, s, d, ports);
                const bool fits = mosaic_router_fits(r, s, d);
                memcpy(before, mosaic_router_counts(r), sizeof before);
                bad += mosaic_router_add(r, s, d, &err) != MOSAIC_OK;
                const int32_t *after = mosaic_router_counts(r);
                int grown = 0, within = 1;
                for (int cp = 0; cp < 121 * 8; cp++) grown += after[cp] - before[cp];
                for (int j = 0; j < np; j++) {
                    const int cp = mosaic_cp(ports[j].cell, ports[j].port);
                    bad += after[cp] != before[cp] + 1;
                    int gr = ports[j].cell / 11, gc = ports[j].cell % 11;
                    within &= after[cp] <= mosaic_port_capacity(&a, gr, gc, ports[j].port);
                }
                bad += grown != np;
                bad += fits != (bool)within;
                fits_checked += !fits;
                mosaic_links_push(&l, s, d, &err);
                adds++;
            }
            if (step % 250 == 0) same_counts_(r, &a, &l, &bad);
        }
        same_counts_(r, &a, &l, &bad);
        printf("  %d adds, %d removes, %d adds that did not fit\n", adds, removes, fits_checked);
        CHECK_EQ_INT(bad, 0);
        CHECK(fits_checked > 0);
        /* removing everything returns to an empty array */
        for (int i = 0; i < l.n; i++) mosaic_router_remove(r, l.src[i], l.dst[i], &err);
        int left = 0;
        for (int cp = 0; cp < 121 * 8; cp++) left += mosaic_router_counts(r)[cp];
        CHECK_EQ_INT(left, 0);
        CHECK_EQ_INT(mosaic_router_violations(r), 0);
        CHECK(mosaic_router_remove(r, 0, 1, &err) == MOSAIC_ERR_INPUT);
        mosaic_router_free(r);
        mosaic_links_free(&l);
    }
    TEST("AnnealingNeverWorseAndReportMatchesMapping") {
        MosaicLinks l;
        fixture_random_links(&l, &a, "1:0.8,3:0.1", seed);
        int32_t place[25];
        MosaicAnnealReport rep;
        fixture_anneal(place, &rep, &a, &l, 300, seed);
        MosaicMapping m0, m1;
        CHECK(mosaic_map(&m0, &a, &l, NULL, 0, &err) == MOSAIC_OK);
        CHECK(mosaic_map(&m1, &a, &l, place, 0, &err) == MOSAIC_OK);
        CHECK_EQ_INT(rep.violations_before, m0.n_violations);
        CHECK_EQ_INT(rep.devices_before, m0.dev_total);
        CHECK_EQ_INT(rep.violations_after, m1.n_violations);
        CHECK_EQ_INT(rep.devices_after, m1.dev_total);
        CHECK(rep.violations_after < rep.violations_before ||
              (rep.violations_after == rep.violations_before && rep.devices_after <= rep.devices_before));
        for (int t = 0; t < 4; t++) CHECK_EQ_INT(place[t], t);
        CHECK_EQ_INT(place[24], 24);
        mosaic_mapping_free(&m0);
        mosaic_mapping_free(&m1);
        mosaic_links_free(&l);
    }
    return mosaic_test_finish();
}
