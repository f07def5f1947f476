/* Helpers shared by the mapper's own files (not part of the public API). */
#ifndef MOSAIC_MAPPER_INTERNAL_H
#define MOSAIC_MAPPER_INTERNAL_H

#include "mosaic_mapper.h"

typedef struct {
    int min_nt[MOSAIC_NPORTS], min_r1[MOSAIC_NPORTS], min_r0[MOSAIC_NPORTS];
    int64_t nt, r1, r0, total;
} MapperDevices_;

/* cap[cp] = capacity of every (cell, port) (cells * 8 ints). */
void mapper_capacities_(const MosaicArch *arch, int32_t *cap);

/* Minimum router configuration and device counts (routing.md "Minimum router configuration and
 * memory") from the port loads. */
void mapper_devices_(const MosaicArch *arch, const int32_t *count, MapperDevices_ *out);

/* Number of (cell, port) entries above capacity. */
int mapper_violations_(int ncp, const int32_t *count, const int32_t *cap);

/* Copies `placement` (NULL = identity) into place and fills inverse, checking it is a permutation. */
MosaicStatus mapper_placement_(const MosaicArch *arch, const int32_t *placement, int32_t *place,
                               int32_t *inverse, MosaicErr *err);

/* Checks every link and groups them by source neuron: the links of neuron s are
 * order[start[s] .. start[s+1]-1], in input order. start holds N+1 ints, order links->n ints,
 * tile_stamp `tiles` ints (scratch). MOSAIC_ERR_INPUT names `source` and the first bad link. */
MosaicStatus mapper_group_by_source_(const MosaicLinks *links, const MosaicArch *arch, const char *source,
                                     int32_t *start, int32_t *order, int32_t *tile_stamp, MosaicErr *err);

/* Port loads of `links` (already grouped) under `place` into count (cells * 8, zeroed here); stamp is
 * cells * 8 ints of scratch. Returns the longest route (routing tiles); gamma may be NULL. */
int mapper_count_(const MosaicArch *arch, const MosaicLinks *links, const int32_t *start,
                  const int32_t *order, const int32_t *place, int32_t *count, int32_t *stamp, int *gamma);

#endif
