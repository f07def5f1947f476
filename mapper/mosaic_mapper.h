/* mosaic_mapper: one-turn multicast routing of inter-tile links onto the Mosaic array, the reports a
 * hardware engineer needs (port loads, violations, minimum router configuration, device counts, gamma_d)
 * and the configuration the cycle-accurate simulator is programmed with (line assignment, router and NT
 * crossbars). Rules: shared docs routing.md and mosaic-reference.md §1-3; all geometry comes from
 * arch/mosaic_arch.h.
 *
 * Numbering used throughout:
 *   - neurons and tiles are LOGICAL (the network's numbering: neuron n on logical tile n / k);
 *   - cells are PHYSICAL grid cells, index cell = gr * (2C+1) + gc (mosaic_cell_index);
 *   - a placement maps logical tile t to physical tile placement[t] (identity by default); the NT at
 *     physical tile p hosts logical tile inverse[p];
 *   - a (cell, port) pair is indexed cp = cell * MOSAIC_NPORTS + port (MosaicPort order).
 *
 * Three entry points:
 *   1. mosaic_map(): route a whole link set at once (a mapping check of a 5x5 network takes well under
 *      1 ms) and optionally build the full hardware configuration.
 *   2. MosaicRouter: the incremental state for training (add / remove / query one link in O(route length),
 *      no re-routing), agreeing exactly with mosaic_map's port counts.
 *   3. mosaic_place_anneal(): an optimising placement (tile permutation) that lowers violations and M.
 * Link sets come from mosaic_links_read_text() / mosaic_links_random() (this header) or from a
 * MosaicNetwork (mosaic_links_from_network). Libraries never print: every fallible call returns a
 * MosaicStatus and fills a MosaicErr. */
#ifndef MOSAIC_MAPPER_H
#define MOSAIC_MAPPER_H

#include <stdbool.h>
#include <stdint.h>

#include "mosaic_arch.h"
#include "mosaic_profile.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Link sets
 * ------------------------------------------------------------------------------------------- */

/* A set of inter-tile links (source neuron -> destination tile), logical numbering. Link l is
 * (src[l], dst[l]); its index l is the "row" an NT crossbar stores its k weights under (for a set made
 * from a MosaicNetwork, l is the index into net->link_src / link_dst / link_w). */
typedef struct {
    int n;        /* links */
    int cap;      /* allocated */
    int32_t *src; /* (cap) source neuron */
    int32_t *dst; /* (cap) destination tile, never the source's own tile */
} MosaicLinks;

void mosaic_links_init(MosaicLinks *links);
void mosaic_links_free(MosaicLinks *links); /* accepts an initialised or freed set */
/* Appends one link (no checks). Returns MOSAIC_ERR_NOMEM on allocation failure. */
MosaicStatus mosaic_links_push(MosaicLinks *links, int32_t src, int32_t dst, MosaicErr *err);

/* Reads the plain text format:
 *     # mosaic-links rows=R cols=C k=32
 *     source_neuron destination_tile
 *     ...
 * Neurons are numbered tile*k + i, tiles row-major. Intra-tile pairs and duplicate pairs are ignored
 * (their number is returned in *ignored, which may be NULL); blank lines and lines starting with '#'
 * after the header are skipped. Anything else (missing or malformed header, out-of-range numbers,
 * extra fields) is MOSAIC_ERR_INPUT with "FILE:LINE: ..." in err. On success *arch holds the defaults
 * with rows, cols and neurons_per_tile from the header (the caller may then apply --arch/--set, but
 * rows/cols/k must agree: see mosaic_links_check). `links` must be initialised; it is appended to. */
MosaicStatus mosaic_links_read_text(const char *path, MosaicArch *arch, MosaicLinks *links, int *ignored,
                                    MosaicErr *err);

/* Writes the text format above (temp file + rename). */
MosaicStatus mosaic_links_write_text(const char *path, const MosaicArch *arch, const MosaicLinks *links,
                                     MosaicErr *err);

/* Checks that every link is in range for `arch`, not intra-tile and not a duplicate. `source` names the
 * origin in the message. */
MosaicStatus mosaic_links_check(const MosaicLinks *links, const MosaicArch *arch, const char *source,
                                MosaicErr *err);

/* Draws a random link set with the reference budget rule: for every source tile s and distance d,
 * exactly B(s, d) = round_half_to_even(p_d * k * n_d(s)) links (arch/mosaic_profile.h), uniform without
 * replacement over the k * n_d(s) pairs (neuron of s, tile at distance d). Deterministic in `seed`
 * (mosaic_rng). Links are appended in (source tile, distance, draw) order. */
MosaicStatus mosaic_links_random(MosaicLinks *links, const MosaicArch *arch, const MosaicProfile *prof,
                                 uint64_t seed, MosaicErr *err);

/* The same draw with explicit budgets: budgets[s * (max distance + 1) + d] links from source tile s at
 * distance d (each at most k * n_d(s)), as mosaic_profile_budgets lays them out. */
MosaicStatus mosaic_links_random_budgets(MosaicLinks *links, const MosaicArch *arch, const int *budgets,
                                         uint64_t seed, MosaicErr *err);

/* gamma[d] = number of links at distance d (under `placement`, NULL = identity), for
 * d = 0 .. mosaic_arch_max_distance(arch); gamma must hold that many + 1 ints. */
void mosaic_links_gamma(const MosaicLinks *links, const MosaicArch *arch, const int32_t *placement,
                        int *gamma);

/* ---------------------------------------------------------------------------------------------
 * One route
 * ------------------------------------------------------------------------------------------- */

/* One (cell, port) a route marks, in route order. A hop a -> b in direction X marks out_X on a and
 * in_opposite(X) on b; the source NT's own output is never marked. */
typedef struct {
    int32_t cell; /* physical cell index */
    int8_t port;  /* MosaicPort */
} MosaicPortRef;

/* Longest possible route in marks: 2 * (routing tiles) + 1 with at most 4n-5+4 routing tiles. */
#define MOSAIC_ROUTE_MAX_MARKS (2 * (2 * MOSAIC_MAX_SIDE + 2 * MOSAIC_MAX_SIDE + 2) + 1)

/* The one-turn route from physical tile `from` to physical tile `to` (from != to), as the list of marks
 * in hop order: for each routing tile crossed, its input then its output, then the destination NT's
 * input. Returns the number of marks (2 * routing tiles + 1); the number of routing tiles always equals
 * mosaic_tile_distance(arch, from, to). `out` must hold MOSAIC_ROUTE_MAX_MARKS entries. */
int mosaic_route(const MosaicArch *arch, int from, int to, MosaicPortRef *out);

/* ---------------------------------------------------------------------------------------------
 * Whole-network mapping
 * ------------------------------------------------------------------------------------------- */

/* One router crossbar connection: the device at (input line, output line) is ON. */
typedef struct {
    int8_t in_port;   /* MOSAIC_IN_N .. MOSAIC_IN_W */
    int8_t out_port;  /* MOSAIC_OUT_N .. MOSAIC_OUT_W */
    int16_t in_line;  /* 0 .. lines(cell, in_port) - 1 */
    int16_t out_line; /* 0 .. lines(cell, out_port) - 1 */
    int32_t source;   /* logical source neuron carried (for checks and traces) */
} MosaicXbarConn;

/* One NT crossbar row: the input line (side, line) drives the k weights of link `link`. */
typedef struct {
    int8_t side;    /* input side: MOSAIC_IN_N .. MOSAIC_IN_W */
    int16_t line;   /* 0 .. lines(nt cell, side) - 1 */
    int32_t link;   /* index into the mapped MosaicLinks (= network link index) */
    int32_t source; /* logical source neuron = links.src[link] */
} MosaicNtRow;

/* A port whose load exceeds its capacity. */
typedef struct {
    int32_t cell;
    int16_t gr, gc;   /* grid coordinates of the cell */
    int8_t kind;      /* MosaicCellKind */
    int8_t port;      /* MosaicPort */
    int32_t count;    /* distinct source neurons whose tree uses the port */
    int32_t capacity; /* mosaic_port_capacity */
} MosaicViolation;

typedef enum {
    MOSAIC_MAP_REPORT = 0,     /* counts, violations, min config, devices, gamma (always built) */
    MOSAIC_MAP_CONFIG = 1 << 0 /* also the line assignment and the crossbar configurations */
} MosaicMapFlags;

/* The result of mosaic_map. All arrays are owned by the mapping (mosaic_mapping_free). Arrays marked
 * [CONFIG] are NULL unless MOSAIC_MAP_CONFIG was requested. */
typedef struct {
    MosaicArch arch;    /* the architecture mapped onto */
    int n_cells;        /* (2R+1)(2C+1) */
    int n_links;        /* links mapped */
    int32_t *placement; /* (tiles) physical tile of logical tile t */
    int32_t *inverse;   /* (tiles) logical tile hosted by physical tile p */

    /* ---- report ---- */
    int32_t *count; /* (n_cells * 8) routing load of each (cell, port): distinct source neurons whose
                       tree uses it. NT outputs are never marked (0). */
    int n_violations;
    MosaicViolation *violations;    /* (n_violations) worst first: largest count - capacity, then the
                                       larger count, then cell index, then port */
    int min_nt[MOSAIC_NPORTS];      /* per-port maxima over all NTs; outputs reported as k (each NT drives
                                       its k neurons on every side), they never count as violations */
    int min_r1[MOSAIC_NPORTS];      /* per-port maxima over R1v and rotated R1h, in the R1v frame, with the
                                       NT-facing inputs (in_N, in_S) set to k for sizing */
    int min_r0[MOSAIC_NPORTS];      /* per-port maxima over R0 */
    int64_t dev_nt, dev_r1, dev_r0; /* devices per tile of each type (routing.md formulas) */
    int64_t dev_total;              /* M = NT cells * dev_nt + R1 cells * dev_r1 + R0 cells * dev_r0 */
    int max_distance;               /* mosaic_arch_max_distance */
    int *gamma;                     /* (max_distance + 1) links per distance under the placement */
    int max_route;                  /* longest route of any link in routing tiles (= hops = cycles a
                                       spike needs; the default cycles per step), 0 without links */

    /* ---- configuration [CONFIG] ---- */
    /* Lines of each (cell, port) in the line assignment: equal to count except on NT outputs and on R1
     * inputs facing an NT, which carry exactly k lines (neuron i of that tile on line i). */
    int32_t *lines;       /* (n_cells * 8) */
    int32_t *line_offset; /* (n_cells * 8 + 1) CSR into line_source */
    int32_t *line_source; /* line_source[line_offset[cp] + line] = logical source neuron on that line;
                             lines of one port are sorted by source, so both ends of a wire agree */
    int32_t *conn_offset; /* (n_cells + 1) CSR into conn: connections of router cell c are
                             conn[conn_offset[c] .. conn_offset[c+1]-1]; empty for NT cells */
    MosaicXbarConn *conn; /* sorted by (in_port, in_line, out_port, out_line); a source may fan out
                             (several entries with the same input line = multicast) */
    int32_t *row_offset;  /* (tiles + 1) CSR into rows, indexed by PHYSICAL tile */
    MosaicNtRow *rows;    /* sorted by (side, line); exactly one row per link into that tile */
} MosaicMapping;

/* Routes `links` (logical numbering) under `placement` (NULL = identity; otherwise a permutation of the
 * tiles, copied) and fills `m` (uninitialised on entry; free with mosaic_mapping_free even on error).
 * Errors: MOSAIC_ERR_INPUT for a link out of range, intra-tile or duplicate, or a placement that is not
 * a permutation; MOSAIC_ERR_NOMEM. A network that does not fit is NOT an error: see m->n_violations.
 * With MOSAIC_MAP_CONFIG the configuration is built and checked while building: an output line with
 * two drivers or a port whose lines do not fill exactly is MOSAIC_ERR_INTERNAL (a bug), a port with
 * more than INT16_MAX lines is MOSAIC_ERR_INPUT. */
MosaicStatus mosaic_map(MosaicMapping *m, const MosaicArch *arch, const MosaicLinks *links,
                        const int32_t *placement, unsigned flags, MosaicErr *err);
void mosaic_mapping_free(MosaicMapping *m); /* accepts a zeroed or freed mapping */

static inline bool mosaic_mapping_ok(const MosaicMapping *m) { return m->n_violations == 0; }

/* cp index of (cell, port). */
static inline int mosaic_cp(int cell, int port) { return cell * MOSAIC_NPORTS + port; }

/* Line of logical source neuron `source` on port cp of a CONFIG mapping, or -1 if the port does not
 * carry it (binary search). */
int mosaic_mapping_line_of(const MosaicMapping *m, int cp, int32_t source);

/* How every report ranks loaded ports (`mosaic map`'s list, the co-simulation's worst port): fuller
 * first (load / capacity; a load on a port without capacity above all), then the larger load, then the
 * lower cp. Negative when port a ranks first. */
int mosaic_port_rank_cmp(int count_a, int cap_a, int cp_a, int count_b, int cap_b, int cp_b);

/* The first loaded port of m in that ranking, or -1 when no port carries a line. */
int mosaic_mapping_busiest_port(const MosaicMapping *m);

/* ---------------------------------------------------------------------------------------------
 * Incremental routing state (training)
 * ------------------------------------------------------------------------------------------- */

/* Port loads kept up to date link by link: per-source reference counts of (cell, port) uses, so a link
 * adds only the ports its source's tree did not use yet and removing it frees only the ports no other
 * link of that source uses. Its counts always equal those of mosaic_map on the same link set. */
typedef struct MosaicRouter MosaicRouter;

/* Creates an empty state for `arch` under `placement` (NULL = identity; copied). */
MosaicStatus mosaic_router_create(MosaicRouter **router, const MosaicArch *arch, const int32_t *placement,
                                  MosaicErr *err);
void mosaic_router_free(MosaicRouter *router);  /* accepts NULL */
void mosaic_router_clear(MosaicRouter *router); /* removes every link */

/* Adds every link of `links` (returns MOSAIC_ERR_INPUT at the first bad or duplicate one; the links
 * before it stay added). */
MosaicStatus mosaic_router_add_all(MosaicRouter *router, const MosaicLinks *links, MosaicErr *err);

/* The (cell, port) entries the link (src -> dst) would add to the loads: the marks of its route that
 * its source's tree does not already use. Returns their number (written to out, which must hold
 * MOSAIC_ROUTE_MAX_MARKS), 0 if the link is already present or intra-tile. */
int mosaic_router_link_ports(const MosaicRouter *router, int32_t src, int32_t dst, MosaicPortRef *out);

/* True iff adding (src -> dst) keeps every port it adds within capacity (ports it does not touch are
 * not looked at). True for a link already present. */
bool mosaic_router_fits(const MosaicRouter *router, int32_t src, int32_t dst);

/* Adds / removes one link. add: MOSAIC_ERR_INPUT if out of range, intra-tile or already present;
 * remove: MOSAIC_ERR_INPUT if not present. O(route length), no allocation in the steady state (add
 * may grow the internal table; MOSAIC_ERR_NOMEM leaves the state unchanged). */
MosaicStatus mosaic_router_add(MosaicRouter *router, int32_t src, int32_t dst, MosaicErr *err);
MosaicStatus mosaic_router_remove(MosaicRouter *router, int32_t src, int32_t dst, MosaicErr *err);
bool mosaic_router_has(const MosaicRouter *router, int32_t src, int32_t dst);

int mosaic_router_links(const MosaicRouter *router);             /* links present */
int mosaic_router_violations(const MosaicRouter *router);        /* (cell, port) entries above capacity */
const int32_t *mosaic_router_counts(const MosaicRouter *router); /* (cells * 8) live port loads */
/* Routing memory M (devices, routing.md) of the current link set, and what it would be with the link
 * (src -> dst) added (the state is left unchanged). Used to keep training within a memory budget. */
int64_t mosaic_router_devices(const MosaicRouter *router);
int64_t mosaic_router_devices_with(MosaicRouter *router, int32_t src, int32_t dst);

/* ---------------------------------------------------------------------------------------------
 * Placement
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    int pinned_first; /* logical tiles 0 .. pinned_first-1 keep their place (input tiles) */
    int pinned_last;  /* the last pinned_last logical tiles keep their place (output tile) */
    int iterations;   /* annealing moves (swaps of two unpinned tiles) */
    double t_start;   /* initial temperature, as a fraction of the identity placement's cost */
    double t_end;     /* final temperature, same unit (geometric cooling in between) */
    uint64_t seed;
} MosaicAnnealOptions;

/* Defaults: 4 input tiles and 1 output tile pinned (the reference layout), 20000 moves (about 1 s for
 * 5x5), temperatures 3 -> 0.003, seed 1. */
void mosaic_anneal_default(MosaicAnnealOptions *opt);

typedef struct {
    int violations_before, violations_after;
    int64_t devices_before, devices_after; /* M */
    int moves_accepted;
} MosaicAnnealReport;

/* Simulated annealing over tile permutations, starting from the identity, then steepest descent over
 * all swaps. Moves swap two movable tiles (mostly tiles placed side by side). The cost puts violations
 * and lines over capacity first (each weighs a tenth of the routers of an empty array), then M, plus
 * 1 % of that weight per line summed over all ports (a smooth slope where M's maxima do not move).
 * Writes the best placement seen (fewest violations, then lowest M) to placement (tiles ints): never
 * worse than identity. Networks drawn with the budget rule at identity rarely improve (their links
 * already follow the geometry); a scrambled placement is largely restored. Errors: bad links
 * (MOSAIC_ERR_INPUT), MOSAIC_ERR_NOMEM; fewer than two movable tiles returns the identity. */
MosaicStatus mosaic_place_anneal(int32_t *placement, MosaicAnnealReport *report, const MosaicArch *arch,
                                 const MosaicLinks *links, const MosaicAnnealOptions *opt, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
