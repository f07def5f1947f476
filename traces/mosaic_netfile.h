/* mosaic_netfile: network files: everything needed to rebuild, map, simulate and resume a trained
 * MosaicNetwork, readable with h5py without our code (docs/formats.md, "Network file").
 *
 *   /            attributes program, version, git_hash, created, seed, config (mosaic_h5 provenance),
 *                format = "mosaic-network", format_version = 1
 *   /arch        attribute "yaml" (the resolved architecture, authoritative) and numeric datasets rows,
 *                cols, neurons_per_tile, capacity_nt/r1/r0 (8), cycles_per_step, late_policy
 *   /neuron      alpha, threshold (scalars), n_inputs, n_input_tiles, n_classes, output_recurrent
 *   /blocks      w_in (n_input_tiles, k, k), w_intra (tiles, k, k)
 *   /links       src (L) int32, dst (L) int32, w (L, k) float32, in canonical order
 *   /method      free for the training method's state (budgets, masks, optimiser moments, RNG state,
 *                history): the trainer writes named arrays there with mosaic_h5_write between
 *                mosaic_netfile_create and mosaic_h5_commit, and reads them back through the handle
 *                returned by mosaic_netfile_open. Convention: attribute "name" on /method names the
 *                method ("deepr-routing", ...), every array has units and description.
 *
 * The reader validates shapes against the architecture, ranges (links: source < N, destination < tiles,
 * not the source's own tile, no duplicate; finite weights) via mosaic_network_canonicalize, and that
 * the numeric /arch fields agree with the YAML. */
#ifndef MOSAIC_NETFILE_H
#define MOSAIC_NETFILE_H

#include "mosaic_h5.h"
#include "mosaic_network.h"
#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MOSAIC_NETFILE_FORMAT "mosaic-network"
#define MOSAIC_NETFILE_VERSION 1

/* Writes the network and provenance into a new temporary file and returns it open in *out, so the
 * caller can add /method arrays before mosaic_h5_commit (or mosaic_h5_abort). `net` is not modified
 * (links are written in canonical order from a copy). */
MosaicStatus mosaic_netfile_create(const char *path, const MosaicNetwork *net, const MosaicProvenance *prov,
                                   MosaicH5File **out, MosaicErr *err);

/* mosaic_netfile_create + mosaic_h5_commit: a file without method state. */
MosaicStatus mosaic_netfile_write(const char *path, const MosaicNetwork *net, const MosaicProvenance *prov,
                                  MosaicErr *err);

/* Reads and validates a network file into an uninitialised `net` (free with mosaic_network_free) and,
 * if `out` is not NULL, leaves the file open in *out for reading /method and provenance attributes
 * (close with mosaic_h5_close). On error `net` holds nothing and *out is NULL. */
MosaicStatus mosaic_netfile_open(const char *path, MosaicNetwork *net, MosaicH5File **out, MosaicErr *err);

/* mosaic_netfile_open without keeping the file open. */
MosaicStatus mosaic_netfile_read(const char *path, MosaicNetwork *net, MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
