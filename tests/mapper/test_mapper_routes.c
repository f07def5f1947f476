/* Routes, port loads, violations and device counts on hand-built networks (routing.md). */
#include "mosaic_mapper.h"
#include "mosaic_test.h"

static int cell_(const MosaicArch *a, int gr, int gc) { return mosaic_cell_index(a, gr, gc); }

/* Checks a route mark by mark against (gr, gc, port) triples. */
static void expect_route_(const MosaicArch *a, int from, int to, const int (*want)[3], int n) {
    MosaicPortRef m[MOSAIC_ROUTE_MAX_MARKS];
    const int nm = mosaic_route(a, from, to, m);
    CHECK_EQ_INT(nm, n);
    for (int i = 0; i < n && i < nm; i++) {
        CHECK_EQ_INT(m[i].cell, cell_(a, want[i][0], want[i][1]));
        CHECK_EQ_INT(m[i].port, want[i][2]);
    }
}

enum { iN = MOSAIC_IN_N, iE = MOSAIC_IN_E, iS = MOSAIC_IN_S, iW = MOSAIC_IN_W };
enum { oN = MOSAIC_OUT_N, oE = MOSAIC_OUT_E, oS = MOSAIC_OUT_S, oW = MOSAIC_OUT_W };

/* Every route: length 2d+1, starts next to the source, walks between adjacent cells with matching
 * out/in ports, crosses only routing tiles and ends in the destination's input. */
static void check_all_routes_(const MosaicArch *a) {
    const int tiles = mosaic_arch_tiles(a), gc_n = mosaic_grid_cols(a);
    MosaicPortRef m[MOSAIC_ROUTE_MAX_MARKS];
    const int dr[4] = {-1, 0, 1, 0}, dc[4] = {0, 1, 0, -1};
    int bad = 0;
    for (int s = 0; s < tiles; s++)
        for (int t = 0; t < tiles; t++) {
            if (s == t) continue;
            const int nm = mosaic_route(a, s, t, m);
            int sr, sc, tr, tc;
            mosaic_tile_cell(a, s, &sr, &sc);
            mosaic_tile_cell(a, t, &tr, &tc);
            bad += nm != 2 * mosaic_tile_distance(a, s, t) + 1;
            /* first hop from the source NT */
            const int fd = (m[0].port + 2) & 3; /* direction of travel into the first cell */
            bad += m[0].port >= 4 || m[0].cell != cell_(a, sr + dr[fd], sc + dc[fd]);
            for (int j = 1; j + 1 < nm; j += 2) {
                const int r = m[j].cell / gc_n, c = m[j].cell % gc_n;
                bad +=
                    m[j].cell != m[j - 1].cell || m[j].port < 4 || mosaic_cell_kind(r, c) == MOSAIC_CELL_NT;
                const int dir = m[j].port - 4;
                bad += m[j + 1].cell != cell_(a, r + dr[dir], c + dc[dir]) ||
                       m[j + 1].port != mosaic_opposite_dir(dir);
                bad += m[j].port - 4 == m[j - 1].port; /* never back out where it came in */
            }
            bad += m[nm - 1].cell != cell_(a, tr, tc);
        }
    CHECK_EQ_INT(bad, 0);
}

static void one_link_(MosaicLinks *l, int src, int dst) {
    MosaicErr err;
    CHECK(mosaic_links_push(l, src, dst, &err) == MOSAIC_OK);
}

int main(void) {
    MosaicArch a;
    mosaic_arch_default(&a);
    const int k = 32, C = 12; /* centre tile (2,2) of 5x5 at cell (5,5) */

    TEST("FourNeighboursUseTheR1Between") {
        expect_route_(&a, C, 7, (const int[][3]){{4, 5, iS}, {4, 5, oN}, {3, 5, iS}}, 3);
        expect_route_(&a, C, 13, (const int[][3]){{5, 6, iW}, {5, 6, oE}, {5, 7, iW}}, 3);
        expect_route_(&a, C, 17, (const int[][3]){{6, 5, iN}, {6, 5, oS}, {7, 5, iN}}, 3);
        expect_route_(&a, C, 11, (const int[][3]){{5, 4, iE}, {5, 4, oW}, {5, 3, iE}}, 3);
    }
    TEST("SameRowGoesNorthAlongTheRouterRowAndBack") {
        expect_route_(&a, C, 14,
                      (const int[][3]){{4, 5, iS},
                                       {4, 5, oE},
                                       {4, 6, iW},
                                       {4, 6, oE},
                                       {4, 7, iW},
                                       {4, 7, oE},
                                       {4, 8, iW},
                                       {4, 8, oS},
                                       {5, 8, iN},
                                       {5, 8, oE},
                                       {5, 9, iW}},
                      11);
        expect_route_(&a, C, 10,
                      (const int[][3]){{4, 5, iS},
                                       {4, 5, oW},
                                       {4, 4, iE},
                                       {4, 4, oW},
                                       {4, 3, iE},
                                       {4, 3, oW},
                                       {4, 2, iE},
                                       {4, 2, oS},
                                       {5, 2, iN},
                                       {5, 2, oW},
                                       {5, 1, iE}},
                      11);
    }
    TEST("SameRowFromTheTopTileRowUsesBorderRow0") {
        expect_route_(&a, 0, 2,
                      (const int[][3]){{0, 1, iS},
                                       {0, 1, oE},
                                       {0, 2, iW},
                                       {0, 2, oE},
                                       {0, 3, iW},
                                       {0, 3, oE},
                                       {0, 4, iW},
                                       {0, 4, oS},
                                       {1, 4, iN},
                                       {1, 4, oE},
                                       {1, 5, iW}},
                      11);
    }
    TEST("SameColumnRunsWestColumnEntersFromW") {
        expect_route_(&a, C, 2,
                      (const int[][3]){{5, 4, iE},
                                       {5, 4, oN},
                                       {4, 4, iS},
                                       {4, 4, oN},
                                       {3, 4, iS},
                                       {3, 4, oN},
                                       {2, 4, iS},
                                       {2, 4, oN},
                                       {1, 4, iS},
                                       {1, 4, oE},
                                       {1, 5, iW}},
                      11);
        expect_route_(&a, C, 22,
                      (const int[][3]){{5, 4, iE},
                                       {5, 4, oS},
                                       {6, 4, iN},
                                       {6, 4, oS},
                                       {7, 4, iN},
                                       {7, 4, oS},
                                       {8, 4, iN},
                                       {8, 4, oS},
                                       {9, 4, iN},
                                       {9, 4, oE},
                                       {9, 5, iW}},
                      11);
    }
    TEST("GeneralRoutesInAllFourQuadrants") {
        expect_route_(&a, C, 8, /* NE */
                      (const int[][3]){
                          {4, 5, iS}, {4, 5, oE}, {4, 6, iW}, {4, 6, oN}, {3, 6, iS}, {3, 6, oE}, {3, 7, iW}},
                      7);
        expect_route_(&a, C, 6, /* NW */
                      (const int[][3]){
                          {4, 5, iS}, {4, 5, oW}, {4, 4, iE}, {4, 4, oN}, {3, 4, iS}, {3, 4, oW}, {3, 3, iE}},
                      7);
        expect_route_(&a, C, 18, /* SE */
                      (const int[][3]){
                          {6, 5, iN}, {6, 5, oE}, {6, 6, iW}, {6, 6, oS}, {7, 6, iN}, {7, 6, oE}, {7, 7, iW}},
                      7);
        expect_route_(&a, C, 16, /* SW */
                      (const int[][3]){
                          {6, 5, iN}, {6, 5, oW}, {6, 4, iE}, {6, 4, oS}, {7, 4, iN}, {7, 4, oW}, {7, 3, iE}},
                      7);
    }
    TEST("RouteLengthEqualsDistanceAllPairs") {
        MosaicArch b = a;
        check_all_routes_(&b);
        b.rows = b.cols = 8;
        check_all_routes_(&b);
        b.rows = 3, b.cols = 7;
        check_all_routes_(&b);
        b.rows = 7, b.cols = 3;
        check_all_routes_(&b);
        b.rows = 1, b.cols = 6;
        check_all_routes_(&b);
        b.rows = 6, b.cols = 1;
        check_all_routes_(&b);
    }
    TEST("MulticastTreeUsesAPortOnce") {
        MosaicLinks l;
        mosaic_links_init(&l);
        one_link_(&l, C * k, 8);     /* NE: (4,5) in_S out_E, (4,6) in_W ... */
        one_link_(&l, C * k, 14);    /* same row east: shares (4,5) in_S out_E, (4,6) in_W */
        one_link_(&l, C * k + 1, 8); /* another neuron of the same tile adds again */
        MosaicMapping m;
        MosaicErr err;
        CHECK(mosaic_map(&m, &a, &l, NULL, MOSAIC_MAP_REPORT, &err) == MOSAIC_OK);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 4, 5), iS)], 2);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 4, 5), oE)], 2);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 4, 6), iW)], 2);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 4, 6), oN)], 2);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 4, 6), oE)], 1);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 3, 7), iW)], 2);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 5, 9), iW)], 1);
        CHECK_EQ_INT(m.gamma[3], 2);
        CHECK_EQ_INT(m.gamma[5], 1);
        CHECK_EQ_INT(m.max_route, 5);
        mosaic_mapping_free(&m);
        mosaic_links_free(&l);
    }
    TEST("OneSourceToEveryTile") {
        MosaicLinks l;
        mosaic_links_init(&l);
        for (int t = 0; t < 25; t++)
            if (t != C) one_link_(&l, C * k + 5, t);
        MosaicMapping m;
        MosaicErr err;
        CHECK(mosaic_map(&m, &a, &l, NULL, MOSAIC_MAP_REPORT, &err) == MOSAIC_OK);
        int over1 = 0, nt_in = 0;
        for (int cp = 0; cp < m.n_cells * 8; cp++) over1 += m.count[cp] > 1;
        for (int t = 0; t < 25; t++) {
            int gr, gc, sum = 0;
            mosaic_tile_cell(&a, t, &gr, &gc);
            for (int p = 0; p < 4; p++) sum += m.count[mosaic_cp(cell_(&a, gr, gc), p)];
            CHECK_EQ_INT(sum, t == C ? 0 : 1);
            nt_in += sum;
        }
        CHECK_EQ_INT(over1, 0);
        CHECK_EQ_INT(nt_in, 24);
        CHECK_EQ_INT(m.max_route, 7);
        CHECK_EQ_INT(m.n_violations, 0);
        /* the R0 north-west of the source is entered twice (from S by the same-column route north and
         * from E by the row route to column 1) and the tree still counts each port once */
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 4, 4), iS)], 1);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 4, 4), iE)], 1);
        CHECK_EQ_INT(m.count[mosaic_cp(cell_(&a, 4, 4), oN)], 1);
        mosaic_mapping_free(&m);
        mosaic_links_free(&l);
    }
    TEST("DeviceCountsOneNeighbourLink") {
        MosaicLinks l;
        mosaic_links_init(&l);
        one_link_(&l, 0, 1);
        MosaicMapping m;
        MosaicErr err;
        CHECK(mosaic_map(&m, &a, &l, NULL, MOSAIC_MAP_REPORT, &err) == MOSAIC_OK);
        CHECK_EQ_INT(m.min_nt[MOSAIC_IN_W], 1);
        CHECK_EQ_INT(m.min_nt[MOSAIC_IN_E], 0);
        CHECK_EQ_INT(m.min_r1[MOSAIC_IN_N], 32); /* NT-facing, set to k */
        CHECK_EQ_INT(m.min_r1[MOSAIC_OUT_S], 1); /* R1h out_E rotated into the R1v frame */
        CHECK_EQ_INT(m.dev_nt, 32);
        CHECK_EQ_INT(m.dev_r1, 4096);
        CHECK_EQ_INT(m.dev_r0, 0);
        CHECK_EQ_INT(m.dev_total, 25 * 32 + 60 * 4096);
        mosaic_mapping_free(&m);
        mosaic_links_free(&l);
    }
    TEST("DeviceCountsR0AndR1FromRowTraffic") {
        /* 9 neurons of tile 12 to tile 14 (same row, D = 2): R0 (4,6) and (4,8) carry 9 lines, R1v (4,7)
         * in_W/out_E 9, R1v (4,5) out_E 9, R1h (5,8) in_N/out_E 9 (frame: in_E, out_S) */
        MosaicLinks l;
        mosaic_links_init(&l);
        for (int i = 0; i < 9; i++) one_link_(&l, C * k + i, 14);
        MosaicMapping m;
        MosaicErr err;
        CHECK(mosaic_map(&m, &a, &l, NULL, MOSAIC_MAP_REPORT, &err) == MOSAIC_OK);
        CHECK_EQ_INT(m.dev_r0, 16 * 81);
        /* R1 side: in 2*32 + 2*9 = 82 > out 2*9 + 2*9 */
        CHECK_EQ_INT(m.dev_r1, 82 * 82);
        CHECK_EQ_INT(m.dev_nt, 9 * 32);
        CHECK_EQ_INT(m.dev_total, 25LL * 9 * 32 + 60LL * 82 * 82 + 36LL * 16 * 81);
        /* R0 capacity 8: (4,6) in_W out_E and (4,8) in_W out_S exceed it, by 1 each */
        CHECK_EQ_INT(m.n_violations, 4);
        for (int i = 0; i < m.n_violations; i++) {
            CHECK_EQ_INT(m.violations[i].kind, MOSAIC_CELL_R0);
            CHECK_EQ_INT(m.violations[i].count, 9);
            CHECK_EQ_INT(m.violations[i].capacity, 8);
        }
        CHECK(m.n_violations == 4 && m.violations[0].gr == 4 && m.violations[0].gc == 6 &&
              m.violations[0].port == MOSAIC_IN_W);
        mosaic_mapping_free(&m);
        mosaic_links_free(&l);
    }
    TEST("ViolationsWorstFirstNtPortsIncluded") {
        MosaicArch b = a;
        for (int p = 0; p < 8; p++) b.cap_r1[p] = 2, b.cap_nt[p] = 3;
        MosaicLinks l;
        mosaic_links_init(&l);
        for (int i = 0; i < 4; i++) one_link_(&l, i, 1);         /* tile 0 -> 1 through R1h (1,2): 4 lines */
        for (int i = 0; i < 3; i++) one_link_(&l, 5 * k + i, 6); /* tile 5 -> 6 through R1h (3,2): 3 lines */
        MosaicMapping m;
        MosaicErr err;
        CHECK(mosaic_map(&m, &b, &l, NULL, MOSAIC_MAP_REPORT, &err) == MOSAIC_OK);
        /* (1,2) in_W, out_E: 4 > 2; NT (1,3) in_W: 4 > 3; (3,2) in_W, out_E: 3 > 2; NT (3,3) in_W 3 ok */
        CHECK_EQ_INT(m.n_violations, 5);
        if (m.n_violations == 5) {
            CHECK_EQ_INT(m.violations[0].count - m.violations[0].capacity, 2);
            CHECK_EQ_INT(m.violations[1].count - m.violations[1].capacity, 2);
            CHECK_EQ_INT(m.violations[0].gc, 2);
            CHECK_EQ_INT(m.violations[2].kind, MOSAIC_CELL_NT);
            CHECK_EQ_INT(m.violations[4].gr, 3);
        }
        /* the busiest port, as `mosaic map` lists it first and the co-simulation records it: of the two
         * 4/2 ports of R1h (1,2), in_W (the lower index) */
        CHECK_EQ_INT(mosaic_mapping_busiest_port(&m), mosaic_cp(cell_(&b, 1, 2), MOSAIC_IN_W));
        mosaic_mapping_free(&m);
        mosaic_links_free(&l);
    }
    TEST("PortRankFullestThenLargerLoadThenLowerIndex") {
        CHECK(mosaic_port_rank_cmp(3, 4, 9, 7, 10, 1) < 0);  /* 0.75 before 0.7 */
        CHECK(mosaic_port_rank_cmp(4, 8, 1, 16, 32, 9) > 0); /* both half full: the larger load first */
        CHECK(mosaic_port_rank_cmp(5, 8, 1, 5, 8, 9) < 0);   /* equal: the lower index */
        CHECK(mosaic_port_rank_cmp(1, 0, 9, 40, 32, 1) < 0); /* a load where there is no capacity */
        MosaicLinks l;
        mosaic_links_init(&l);
        MosaicMapping m;
        MosaicErr err;
        CHECK(mosaic_map(&m, &a, &l, NULL, MOSAIC_MAP_REPORT, &err) == MOSAIC_OK);
        CHECK_EQ_INT(mosaic_mapping_busiest_port(&m), -1); /* nothing routed */
        mosaic_mapping_free(&m);
        mosaic_links_free(&l);
    }
    TEST("BadLinksAreInputErrors") {
        MosaicLinks l;
        mosaic_links_init(&l);
        MosaicMapping m;
        MosaicErr err;
        one_link_(&l, 3, 0); /* intra-tile */
        CHECK(mosaic_map(&m, &a, &l, NULL, 0, &err) == MOSAIC_ERR_INPUT);
        mosaic_mapping_free(&m);
        l.dst[0] = 1;
        one_link_(&l, 3, 1); /* duplicate */
        CHECK(mosaic_map(&m, &a, &l, NULL, 0, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "duplicate") != NULL);
        mosaic_mapping_free(&m);
        l.n = 1;
        const int32_t bad_place[25] = {0};
        CHECK(mosaic_map(&m, &a, &l, bad_place, 0, &err) == MOSAIC_ERR_INPUT);
        mosaic_mapping_free(&m);
        mosaic_links_free(&l);
    }
    return mosaic_test_finish();
}
