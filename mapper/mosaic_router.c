/* Incremental routing state: per-source reference counts of (cell, port) uses in one open-addressing
 * hash table, so that adding or removing a link costs one route walk and a few lookups (no re-routing,
 * no allocation in the steady state). Keys: (source << 32) | cp for a port use, (source << 32) |
 * LINK_BIT | dst for a present link. Entries whose count drops to 0 stay until the next rehash. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "mosaic_mapper.h"
#include "mosaic_mapper_internal.h"

#define EMPTY_ UINT64_MAX
#define LINK_BIT_ 0x80000000u

struct MosaicRouter {
    MosaicArch arch;
    int tiles, k, N, ncp;
    int32_t *place;   /* (tiles) */
    int32_t *inverse; /* (tiles) */
    int32_t *count;   /* (ncp) live loads */
    int32_t *cap;     /* (ncp) capacities */
    int violations;
    int links;
    /* hash table */
    uint64_t *keys;
    int32_t *vals;
    uint64_t mask; /* size - 1, size a power of two */
    int shift;     /* 64 - log2(size) */
    uint64_t used; /* slots holding a key (live or zero-count) */
    uint64_t live; /* slots with a non-zero value */
};

static inline uint64_t slot_(const MosaicRouter *r, uint64_t key) {
    return (key * 0x9E3779B97F4A7C15ull) >> r->shift;
}

/* Slot of `key`, or the empty slot where it would go. */
static inline uint64_t find_(const MosaicRouter *r, uint64_t key) {
    uint64_t i = slot_(r, key);
    while (r->keys[i] != key && r->keys[i] != EMPTY_) i = (i + 1) & r->mask;
    return i;
}

static inline int32_t get_(const MosaicRouter *r, uint64_t key) {
    const uint64_t i = find_(r, key);
    return r->keys[i] == key ? r->vals[i] : 0;
}

static MosaicStatus table_alloc_(MosaicRouter *r, int log2size, MosaicErr *err) {
    const size_t size = (size_t)1 << log2size;
    uint64_t *keys = malloc(sizeof(uint64_t) * size);
    int32_t *vals = malloc(sizeof(int32_t) * size);
    if (!keys || !vals) {
        free(keys), free(vals);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "router: out of memory for a table of %zu entries", size);
    }
    for (size_t i = 0; i < size; i++) keys[i] = EMPTY_;
    r->keys = keys;
    r->vals = vals;
    r->mask = size - 1;
    r->shift = 64 - log2size;
    r->used = r->live = 0;
    return MOSAIC_OK;
}

/* Makes room for `extra` new keys: rehashes live entries only (dropping zero counts), doubling when
 * more than a quarter of the slots stay live. */
static MosaicStatus reserve_(MosaicRouter *r, uint64_t extra, MosaicErr *err) {
    if ((r->used + extra) * 10 <= (r->mask + 1) * 7) return MOSAIC_OK;
    int log2size = 64 - r->shift;
    while ((r->live + extra) * 4 > ((uint64_t)1 << log2size)) log2size++;
    uint64_t *okeys = r->keys;
    int32_t *ovals = r->vals;
    const uint64_t osize = r->mask + 1;
    const int oshift = r->shift;
    const uint64_t omask = r->mask;
    if (table_alloc_(r, log2size, err) != MOSAIC_OK) {
        r->keys = okeys, r->vals = ovals, r->shift = oshift, r->mask = omask;
        return MOSAIC_ERR_NOMEM;
    }
    for (uint64_t i = 0; i < osize; i++)
        if (okeys[i] != EMPTY_ && ovals[i] != 0) {
            const uint64_t j = find_(r, okeys[i]);
            r->keys[j] = okeys[i];
            r->vals[j] = ovals[i];
            r->used++;
            r->live++;
        }
    free(okeys);
    free(ovals);
    return MOSAIC_OK;
}

/* Adds delta to key's count (the key must exist or a slot must have been reserved); returns the new
 * count. */
static inline int32_t bump_(MosaicRouter *r, uint64_t key, int delta) {
    const uint64_t i = find_(r, key);
    if (r->keys[i] == EMPTY_) {
        r->keys[i] = key;
        r->vals[i] = 0;
        r->used++;
    }
    const int32_t before = r->vals[i];
    r->vals[i] += delta;
    if (before == 0 && r->vals[i] != 0) r->live++;
    if (before != 0 && r->vals[i] == 0) r->live--;
    assert(r->vals[i] >= 0);
    return r->vals[i];
}

MosaicStatus mosaic_router_create(MosaicRouter **out, const MosaicArch *arch, const int32_t *placement,
                                  MosaicErr *err) {
    *out = NULL;
    MosaicRouter *r = calloc(1, sizeof *r);
    if (!r) return mosaic_err(err, MOSAIC_ERR_NOMEM, "router: out of memory");
    r->arch = *arch;
    r->tiles = mosaic_arch_tiles(arch);
    r->k = arch->neurons_per_tile;
    r->N = mosaic_arch_neurons(arch);
    r->ncp = mosaic_cells(arch) * MOSAIC_NPORTS;
    r->place = malloc(sizeof(int32_t) * (size_t)r->tiles);
    r->inverse = malloc(sizeof(int32_t) * (size_t)r->tiles);
    r->count = calloc((size_t)r->ncp, sizeof(int32_t));
    r->cap = malloc(sizeof(int32_t) * (size_t)r->ncp);
    MosaicStatus st = r->place && r->inverse && r->count && r->cap
                          ? mapper_placement_(arch, placement, r->place, r->inverse, err)
                          : mosaic_err(err, MOSAIC_ERR_NOMEM, "router: out of memory");
    if (st == MOSAIC_OK) st = table_alloc_(r, 12, err);
    if (st != MOSAIC_OK) {
        mosaic_router_free(r);
        return st;
    }
    mapper_capacities_(arch, r->cap);
    *out = r;
    return MOSAIC_OK;
}

void mosaic_router_free(MosaicRouter *r) {
    if (!r) return;
    free(r->place), free(r->inverse), free(r->count), free(r->cap), free(r->keys), free(r->vals);
    free(r);
}

void mosaic_router_clear(MosaicRouter *r) {
    memset(r->count, 0, sizeof(int32_t) * (size_t)r->ncp);
    for (uint64_t i = 0; i <= r->mask; i++) r->keys[i] = EMPTY_;
    r->used = r->live = 0;
    r->violations = 0;
    r->links = 0;
}

static inline uint64_t port_key_(int32_t src, int cp) {
    return ((uint64_t)(uint32_t)src << 32) | (uint32_t)cp;
}
static inline uint64_t link_key_(int32_t src, int32_t dst) {
    return ((uint64_t)(uint32_t)src << 32) | LINK_BIT_ | (uint32_t)dst;
}

static inline int valid_(const MosaicRouter *r, int32_t src, int32_t dst) {
    return src >= 0 && src < r->N && dst >= 0 && dst < r->tiles && dst != src / r->k;
}

bool mosaic_router_has(const MosaicRouter *r, int32_t src, int32_t dst) {
    return valid_(r, src, dst) && get_(r, link_key_(src, dst)) != 0;
}

int mosaic_router_link_ports(const MosaicRouter *r, int32_t src, int32_t dst, MosaicPortRef *out) {
    if (!valid_(r, src, dst) || get_(r, link_key_(src, dst))) return 0;
    MosaicPortRef marks[MOSAIC_ROUTE_MAX_MARKS];
    const int nm = mosaic_route(&r->arch, r->place[src / r->k], r->place[dst], marks);
    int n = 0;
    for (int j = 0; j < nm; j++)
        if (!get_(r, port_key_(src, mosaic_cp(marks[j].cell, marks[j].port)))) out[n++] = marks[j];
    return n;
}

bool mosaic_router_fits(const MosaicRouter *r, int32_t src, int32_t dst) {
    MosaicPortRef add[MOSAIC_ROUTE_MAX_MARKS];
    const int n = mosaic_router_link_ports(r, src, dst, add);
    for (int j = 0; j < n; j++) {
        const int cp = mosaic_cp(add[j].cell, add[j].port);
        if (r->count[cp] + 1 > r->cap[cp]) return false;
    }
    return true;
}

MosaicStatus mosaic_router_add(MosaicRouter *r, int32_t src, int32_t dst, MosaicErr *err) {
    if (!valid_(r, src, dst))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "router: link %d -> tile %d: expected a neuron in [0, %d) and a tile in [0, %d) "
                          "other than its own",
                          (int)src, (int)dst, r->N, r->tiles);
    MosaicPortRef marks[MOSAIC_ROUTE_MAX_MARKS];
    const int nm = mosaic_route(&r->arch, r->place[src / r->k], r->place[dst], marks);
    MOSAIC_TRY(reserve_(r, (uint64_t)nm + 1, err));
    if (get_(r, link_key_(src, dst)))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "router: link %d -> tile %d is already present", (int)src,
                          (int)dst);
    bump_(r, link_key_(src, dst), 1);
    for (int j = 0; j < nm; j++) {
        const int cp = mosaic_cp(marks[j].cell, marks[j].port);
        if (bump_(r, port_key_(src, cp), 1) == 1 && ++r->count[cp] == r->cap[cp] + 1) r->violations++;
    }
    r->links++;
    return MOSAIC_OK;
}

MosaicStatus mosaic_router_remove(MosaicRouter *r, int32_t src, int32_t dst, MosaicErr *err) {
    if (!mosaic_router_has(r, src, dst))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "router: link %d -> tile %d is not present", (int)src,
                          (int)dst);
    MosaicPortRef marks[MOSAIC_ROUTE_MAX_MARKS];
    const int nm = mosaic_route(&r->arch, r->place[src / r->k], r->place[dst], marks);
    bump_(r, link_key_(src, dst), -1);
    for (int j = 0; j < nm; j++) {
        const int cp = mosaic_cp(marks[j].cell, marks[j].port);
        if (bump_(r, port_key_(src, cp), -1) == 0 && r->count[cp]-- == r->cap[cp] + 1) r->violations--;
    }
    r->links--;
    return MOSAIC_OK;
}

MosaicStatus mosaic_router_add_all(MosaicRouter *r, const MosaicLinks *links, MosaicErr *err) {
    for (int l = 0; l < links->n; l++) {
        const MosaicStatus st = mosaic_router_add(r, links->src[l], links->dst[l], err);
        if (st != MOSAIC_OK) {
            mosaic_err_prefix(err, "link %d", l);
            return st;
        }
    }
    return MOSAIC_OK;
}

int mosaic_router_links(const MosaicRouter *r) { return r->links; }
int mosaic_router_violations(const MosaicRouter *r) { return r->violations; }
const int32_t *mosaic_router_counts(const MosaicRouter *r) { return r->count; }

int64_t mosaic_router_devices(const MosaicRouter *r) {
    MapperDevices_ d;
    mapper_devices_(&r->arch, r->count, &d);
    return d.total;
}

int64_t mosaic_router_devices_with(MosaicRouter *r, int32_t src, int32_t dst) {
    MosaicPortRef marks[MOSAIC_ROUTE_MAX_MARKS];
    const int n = mosaic_router_link_ports(r, src, dst, marks);
    /* Apply the link's new port uses to the loads, size the tiles, and undo: no copy of the loads. */
    for (int i = 0; i < n; i++) r->count[mosaic_cp(marks[i].cell, marks[i].port)]++;
    const int64_t total = mosaic_router_devices(r);
    for (int i = 0; i < n; i++) r->count[mosaic_cp(marks[i].cell, marks[i].port)]--;
    return total;
}
