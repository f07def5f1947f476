/* One-turn routes (routing.md "One-turn routes"): the only place that knows how a spike travels. */
#include <assert.h>
#include <stdlib.h>

#include "mosaic_mapper.h"

typedef struct {
    const MosaicArch *arch;
    int r, c; /* current grid cell */
    int n;    /* marks written */
    MosaicPortRef *out;
} Walk_;

/* One hop in direction dir: out_dir on the current cell (unless it is the source NT), in_opposite on
 * the next. */
static void hop_(Walk_ *w, int dir) {
    if (w->n > 0) w->out[w->n++] = (MosaicPortRef){mosaic_cell_index(w->arch, w->r, w->c), (int8_t)(4 + dir)};
    w->r += mosaic_dir_dr(dir);
    w->c += mosaic_dir_dc(dir);
    assert(w->r >= 0 && w->r < mosaic_grid_rows(w->arch) && w->c >= 0 && w->c < mosaic_grid_cols(w->arch));
    w->out[w->n++] =
        (MosaicPortRef){mosaic_cell_index(w->arch, w->r, w->c), (int8_t)mosaic_opposite_dir(dir)};
}

static void run_(Walk_ *w, int dir, int steps) {
    for (int i = 0; i < steps; i++) hop_(w, dir);
}

int mosaic_route(const MosaicArch *arch, int from, int to, MosaicPortRef *out) {
    assert(from != to);
    int sr, sc, tr, tc;
    mosaic_tile_cell(arch, from, &sr, &sc);
    mosaic_tile_cell(arch, to, &tr, &tc);
    Walk_ w = {arch, sr, sc, 0, out};
    const int D = (abs(tr - sr) + abs(tc - sc)) / 2;
    if (D == 1) {
        /* neighbours: through the one R1 between them */
        const int dir = tr < sr   ? MOSAIC_DIR_N
                        : tr > sr ? MOSAIC_DIR_S
                        : tc > sc ? MOSAIC_DIR_E
                                  : MOSAIC_DIR_W;
        hop_(&w, dir);
        hop_(&w, dir);
    } else if (tc == sc) {
        /* same column: down the router column west of the source, enter from W */
        hop_(&w, MOSAIC_DIR_W);
        run_(&w, tr > sr ? MOSAIC_DIR_S : MOSAIC_DIR_N, abs(tr - sr));
        hop_(&w, MOSAIC_DIR_E);
    } else {
        /* leave towards the destination row (north when level), along the router row to the router
         * column beside the destination, along it to the destination row, enter from W or E */
        hop_(&w, tr > sr ? MOSAIC_DIR_S : MOSAIC_DIR_N);
        const int east = tc > sc;
        const int col = east ? tc - 1 : tc + 1;
        run_(&w, east ? MOSAIC_DIR_E : MOSAIC_DIR_W, abs(col - w.c));
        run_(&w, tr > w.r ? MOSAIC_DIR_S : MOSAIC_DIR_N, abs(tr - w.r));
        hop_(&w, east ? MOSAIC_DIR_E : MOSAIC_DIR_W);
    }
    assert(w.r == tr && w.c == tc);
    assert(w.n == 2 * mosaic_tile_distance(arch, from, to) + 1);
    return w.n;
}
