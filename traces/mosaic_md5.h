/* mosaic_md5: MD5 (RFC 1321), only to check downloaded datasets against their published checksums
 * (`mosaic dataset verify`); not for anything security-related. */
#ifndef MOSAIC_MD5_H
#define MOSAIC_MD5_H

#include <stddef.h>
#include <stdint.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t state[4];
    uint64_t bytes;
    uint8_t block[64];
} MosaicMd5;

void mosaic_md5_init(MosaicMd5 *md5);
void mosaic_md5_update(MosaicMd5 *md5, const void *data, size_t n);
void mosaic_md5_final(MosaicMd5 *md5, uint8_t digest[16]);

/* Lower-case hex digest of data[0..n) into hex (33 bytes with the terminator). */
void mosaic_md5_hex(const void *data, size_t n, char hex[33]);

/* Hex digest of the file at `path`. */
MosaicStatus mosaic_md5_file(const char *path, char hex[33], MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
