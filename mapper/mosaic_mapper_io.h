/* mosaic_mapper_io: the mapper's file front end (the only part of the mapper that knows MosaicNetwork
 * and HDF5): links from a network, a network or links file by extension, and the mapping file.
 * The simulator should call mosaic_map() on the network's links directly (it takes well under 1 ms);
 * the mapping file is for users and for consistency checks (mosaic_mapping_read, then compare). */
#ifndef MOSAIC_MAPPER_IO_H
#define MOSAIC_MAPPER_IO_H

#include "mosaic_h5.h"
#include "mosaic_mapper.h"
#include "mosaic_network.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_MAPPING_FORMAT "mosaic-mapping"
#define MOSAIC_MAPPING_VERSION 1

/* Copies the network's links (link l of the set = link l of the network, so NT rows index
 * net->link_w directly). `links` must be initialised; it is cleared first. */
MosaicStatus mosaic_links_from_network(MosaicLinks *links, const MosaicNetwork *net, MosaicErr *err);

/* Reads `path`: a ".txt" links file (mosaic_links_read_text) or a network file (anything else, read
 * with traces' mosaic_netfile_read). The file fixes rows, cols and k (and, for a network file, the
 * whole architecture it was trained for); then `arch_path` (may be NULL) and the "key=value" `sets`
 * are applied on top. Changing rows, cols or k that way is MOSAIC_ERR_INPUT naming the key. Fills
 * *arch, `links` (initialised; cleared first) and *n_input_tiles (the network's input tiles;
 * ceil(128 / k) for a links file). */
MosaicStatus mosaic_links_load(const char *path, const char *arch_path, const char *const *sets, int nsets,
                               MosaicArch *arch, MosaicLinks *links, int *n_input_tiles, MosaicErr *err);

/* Writes a mapping built with MOSAIC_MAP_CONFIG to an HDF5 file through traces' mosaic_h5 (temporary
 * name + rename, provenance, units and descriptions). `prov` may be NULL; its config is replaced by
 * the mapping's resolved architecture. Schema: docs/mapper.md. */
MosaicStatus mosaic_mapping_write(const char *path, const MosaicMapping *m, const MosaicProvenance *prov,
                                  MosaicErr *err);

/* Reads a mapping file back into an uninitialised `m` (everything mosaic_map fills with
 * MOSAIC_MAP_CONFIG; free with mosaic_mapping_free; on error nothing is left to free). Checks the format, the
 * shapes against the stored architecture and that the CSR offsets are consistent. */
MosaicStatus mosaic_mapping_read(const char *path, MosaicMapping *m, MosaicErr *err);

/* MOSAIC_OK if `a` and `b` describe the same mapping (architecture, placement, loads, line assignment,
 * crossbars, reports); otherwise MOSAIC_ERR_INPUT naming the first difference. For `--mapping FILE`
 * consistency checks against a fresh mosaic_map of the network. */
MosaicStatus mosaic_mapping_compare(const MosaicMapping *a, const MosaicMapping *b, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
