/* mosaic_h5_heap: checks the global heap behind a variable-length dataset before libhdf5 reads it.
 *
 * The elements of a variable-length dataset (SHD's /spikes/times and /spikes/units, h5py's string
 * keys) are stored as descriptors (length, heap collection address, object index) that point into
 * "global heap" collections. libhdf5 1.10 trusts the object sizes it finds there: a damaged
 * collection makes H5Dread copy past its buffers or loop for ever (tests/traces/fuzz-findings/).
 * This check reads the raw descriptors and every collection they name straight from the file bytes,
 * parses each collection as libhdf5 will, and refuses the dataset unless every object an element
 * points to lies inside its collection with exactly the element's size.
 *
 * Layouts checked: contiguous and chunked (no filter, or deflate and shuffle, as h5py and our writer
 * produce; HDF5 allows no checksum on variable-length data). A compact dataset, or one with another filter,
 * passes unchecked: its raw descriptors are not reachable through the public API. */
#ifndef MOSAIC_H5_HEAP_H
#define MOSAIC_H5_HEAP_H

#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>

#include "mosaic_status.h"

/* The file's bytes: an in-memory image (image != NULL, len bytes) or the file at `path`. `path` names
 * the file in messages either way. */
typedef struct {
    const char *path;
    const unsigned char *image;
    size_t len;
} MosaicH5Bytes;

/* Checks one-dimensional variable-length dataset `ds` (`name` in messages) of open file `file`.
 * MOSAIC_ERR_INPUT names the file, the dataset, the element and the damage found. */
MosaicStatus mosaic_h5_heap_check(hid_t file, hid_t ds, const char *name, const MosaicH5Bytes *bytes,
                                  MosaicErr *err);

#endif
