/* Geometry of the shared architecture description against the reference figures. */
#include "mosaic_arch.h"
#include "mosaic_test.h"

static void pairs_per_distance_(const MosaicArch *a, long long *pairs, int maxd) {
    int counts[4 * MOSAIC_MAX_SIDE];
    memset(pairs, 0, sizeof(long long) * (size_t)(maxd + 1));
    for (int t = 0; t < mosaic_arch_tiles(a); t++) {
        mosaic_tiles_at_distance(a, t, counts);
        for (int d = 0; d <= maxd; d++) pairs[d] += counts[d];
    }
}

int main(void) {
    MosaicArch a;
    mosaic_arch_default(&a);

    TEST("PairsPerDistance5x5MatchReference") {
        long long pairs[64];
        CHECK_EQ_INT(mosaic_arch_max_distance(&a), 15);
        pairs_per_distance_(&a, pairs, 15);
        const long long want[16] = {25, 80, 0, 64, 0, 156, 0, 140, 0, 100, 0, 40, 0, 16, 0, 4};
        for (int d = 0; d <= 15; d++) CHECK_EQ_INT(pairs[d], want[d]);
    }
    TEST("PairsPerDistance8x8MatchReference") {
        MosaicArch b = a;
        b.rows = b.cols = 8;
        long long pairs[64];
        CHECK_EQ_INT(mosaic_arch_max_distance(&b), 27);
        pairs_per_distance_(&b, pairs, 27);
        const long long want[] = {224, 196, 528, 584, 592, 556, 480, 368, 224, 140, 80, 40, 16, 4};
        for (int i = 0; i < 14; i++) CHECK_EQ_INT(pairs[2 * i + 1], want[i]);
        for (int d = 2; d <= 27; d += 2) CHECK_EQ_INT(pairs[d], 0);
    }
    TEST("DistanceIsSymmetricAndOdd") {
        MosaicArch r = a;
        r.rows = 3;
        r.cols = 7;
        for (int x = 0; x < 21; x++)
            for (int y = 0; y < 21; y++) {
                int d = mosaic_tile_distance(&r, x, y);
                CHECK_EQ_INT(d, mosaic_tile_distance(&r, y, x));
                if (x != y) CHECK(d % 2 == 1);
            }
        /* same row, D = 2: out into the router row and back */
        CHECK_EQ_INT(mosaic_tile_distance(&r, 0, 2), 5);
        CHECK_EQ_INT(mosaic_tile_distance(&r, 0, 8), 3); /* diagonal neighbour */
        CHECK_EQ_INT(mosaic_tile_distance(&r, 0, 1), 1);
    }
    TEST("CellCountsAndKinds") {
        CHECK_EQ_INT(mosaic_count_cells(&a, MOSAIC_CELL_NT), 25);
        CHECK_EQ_INT(mosaic_count_r1(&a), 60);
        CHECK_EQ_INT(mosaic_count_cells(&a, MOSAIC_CELL_R0), 36);
        MosaicArch r = a;
        r.rows = 2;
        r.cols = 4;
        int kinds[4] = {0};
        for (int gr = 0; gr < mosaic_grid_rows(&r); gr++)
            for (int gc = 0; gc < mosaic_grid_cols(&r); gc++) kinds[mosaic_cell_kind(gr, gc)]++;
        CHECK_EQ_INT(kinds[MOSAIC_CELL_NT], mosaic_count_cells(&r, MOSAIC_CELL_NT));
        CHECK_EQ_INT(kinds[MOSAIC_CELL_R1V], mosaic_count_cells(&r, MOSAIC_CELL_R1V));
        CHECK_EQ_INT(kinds[MOSAIC_CELL_R1H], mosaic_count_cells(&r, MOSAIC_CELL_R1H));
        CHECK_EQ_INT(kinds[MOSAIC_CELL_R0], mosaic_count_cells(&r, MOSAIC_CELL_R0));
        for (int t = 0; t < mosaic_arch_tiles(&r); t++) {
            int gr, gc;
            mosaic_tile_cell(&r, t, &gr, &gc);
            CHECK_EQ_INT(mosaic_cell_kind(gr, gc), MOSAIC_CELL_NT);
            CHECK_EQ_INT(mosaic_cell_tile(&r, gr, gc), t);
        }
        CHECK_EQ_INT(mosaic_cell_kind(0, 1), MOSAIC_CELL_R1V);
        CHECK_EQ_INT(mosaic_cell_kind(1, 0), MOSAIC_CELL_R1H);
    }
    TEST("DirectionStepsFollowThePortOrder") {
        /* N E S W: rows grow southwards, columns eastwards; the opposite step undoes a step */
        const int want[4][2] = {{-1, 0}, {0, 1}, {1, 0}, {0, -1}};
        for (int d = 0; d < 4; d++) {
            CHECK_EQ_INT(mosaic_dir_dr(d), want[d][0]);
            CHECK_EQ_INT(mosaic_dir_dc(d), want[d][1]);
            CHECK_EQ_INT(mosaic_dir_dr(d) + mosaic_dir_dr(mosaic_opposite_dir(d)), 0);
            CHECK_EQ_INT(mosaic_dir_dc(d) + mosaic_dir_dc(mosaic_opposite_dir(d)), 0);
        }
        /* the R1 north of an NT is an R1v, the one west of it an R1h */
        CHECK_EQ_INT(mosaic_cell_kind(1 + mosaic_dir_dr(0), 1 + mosaic_dir_dc(0)), MOSAIC_CELL_R1V);
        CHECK_EQ_INT(mosaic_cell_kind(1 + mosaic_dir_dr(3), 1 + mosaic_dir_dc(3)), MOSAIC_CELL_R1H);
    }
    TEST("R1hCapacityIsTheR1VectorRotated") {
        MosaicArch c = a;
        const int r1[8] = {10, 20, 10, 20, 11, 21, 11, 21}; /* 180-degree symmetric */
        memcpy(c.cap_r1, r1, sizeof r1);
        /* R1v (0,1): as given. R1h (1,0): its W/E sides face NTs and get the N/S numbers. */
        CHECK_EQ_INT(mosaic_port_capacity(&c, 0, 1, MOSAIC_IN_N), 10);
        CHECK_EQ_INT(mosaic_port_capacity(&c, 1, 0, MOSAIC_IN_W), 10);
        CHECK_EQ_INT(mosaic_port_capacity(&c, 1, 0, MOSAIC_IN_E), 10);
        CHECK_EQ_INT(mosaic_port_capacity(&c, 1, 0, MOSAIC_IN_N), 20);
        CHECK_EQ_INT(mosaic_port_capacity(&c, 1, 0, MOSAIC_OUT_W), 11);
        CHECK_EQ_INT(mosaic_port_capacity(&c, 1, 0, MOSAIC_OUT_S), 21);
        CHECK_EQ_INT(mosaic_port_capacity(&c, 0, 0, MOSAIC_OUT_S), 8);
    }
    return mosaic_test_finish();
}
