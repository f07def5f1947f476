/* mosaic_mapper_io: the mapper's file front end (the only part of the mapper that knows MosaicNetwork
 * and HDF5): links from a network, a network or links file by extension, and the mapping file.
 * The simulator should call mosaic_map() on the network's links directly (it takes well under 1 ms);
 * the mapping file is for users and for consistency checks. */
#ifndef MOSAIC_MAPPER_IO_H
#define MOSAIC_MAPPER_IO_H

#include "mosaic_mapper.h"
#include "mosaic_network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Copies the network's links (link l of the set = link l of the network, so NT rows index
 * net->link_w directly). `links` must be initialised; it is cleared first. */
MosaicStatus mosaic_links_from_network(MosaicLinks *links, const MosaicNetwork *net, MosaicErr *err);

/* Reads `path`: a ".txt" links file (mosaic_links_read_text) or a network file (anything else, read
 * with the traces module). Fills *arch from the file (then applies `sets`/`arch_path` overrides that
 * do not change rows, cols or k: a change of those is MOSAIC_ERR_INPUT naming the key), `links`, and
 * *n_input_tiles (input tiles of the network; ceil(128 / k) for a links file). */
MosaicStatus mosaic_links_load(const char *path, const char *arch_path, const char *const *sets, int nsets,
                               MosaicArch *arch, MosaicLinks *links, int *n_input_tiles, MosaicErr *err);

/* Writes the mapping (built with MOSAIC_MAP_CONFIG) to an HDF5 file, temp name + rename. Schema in
 * docs/mapper.md. */
MosaicStatus mosaic_mapping_write(const char *path, const MosaicMapping *m, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
