/* mosaic_md5: RFC 1321 MD5, written from the specification (see mosaic_md5.h). */
#include "mosaic_md5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per-round shift amounts and the sine-derived constants K[i] = floor(2^32 * |sin(i + 1)|). */
static const uint32_t shift_[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                    5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

static const uint32_t k_[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

static uint32_t rotl_(uint32_t x, uint32_t c) { return (x << c) | (x >> (32 - c)); }

static void block_(uint32_t state[4], const uint8_t p[64]) {
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16)
            f = (b & c) | (~b & d), g = i;
        else if (i < 32)
            f = (d & b) | (~d & c), g = (5 * i + 1) & 15;
        else if (i < 48)
            f = b ^ c ^ d, g = (3 * i + 5) & 15;
        else
            f = c ^ (b | ~d), g = (7 * i) & 15;
        uint32_t t = d;
        d = c;
        c = b;
        b = b + rotl_(a + f + k_[i] + m[g], shift_[i]);
        a = t;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

void mosaic_md5_init(MosaicMd5 *md5) {
    md5->state[0] = 0x67452301;
    md5->state[1] = 0xefcdab89;
    md5->state[2] = 0x98badcfe;
    md5->state[3] = 0x10325476;
    md5->bytes = 0;
}

void mosaic_md5_update(MosaicMd5 *md5, const void *data, size_t n) {
    const uint8_t *p = data;
    size_t used = (size_t)(md5->bytes & 63);
    md5->bytes += n;
    if (used) {
        size_t take = 64 - used < n ? 64 - used : n;
        memcpy(md5->block + used, p, take);
        p += take;
        n -= take;
        if (used + take < 64) return;
        block_(md5->state, md5->block);
    }
    for (; n >= 64; p += 64, n -= 64) block_(md5->state, p);
    memcpy(md5->block, p, n);
}

void mosaic_md5_final(MosaicMd5 *md5, uint8_t digest[16]) {
    uint64_t bits = md5->bytes * 8;
    static const uint8_t pad[64] = {0x80};
    size_t used = (size_t)(md5->bytes & 63);
    mosaic_md5_update(md5, pad, used < 56 ? 56 - used : 120 - used);
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (8 * i));
    mosaic_md5_update(md5, len, 8);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) digest[4 * i + j] = (uint8_t)(md5->state[i] >> (8 * j));
}

static void to_hex_(const uint8_t digest[16], char hex[33]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[32] = '\0';
}

void mosaic_md5_hex(const void *data, size_t n, char hex[33]) {
    MosaicMd5 md5;
    uint8_t digest[16];
    mosaic_md5_init(&md5);
    mosaic_md5_update(&md5, data, n);
    mosaic_md5_final(&md5, digest);
    to_hex_(digest, hex);
}

MosaicStatus mosaic_md5_file(const char *path, char hex[33], MosaicErr *err) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open for reading", path);
    uint8_t *buf = malloc(1 << 20);
    if (!buf) {
        fclose(fp);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    }
    MosaicMd5 md5;
    mosaic_md5_init(&md5);
    size_t got;
    while ((got = fread(buf, 1, 1 << 20, fp)) > 0) mosaic_md5_update(&md5, buf, got);
    int bad = ferror(fp);
    fclose(fp);
    free(buf);
    if (bad) return mosaic_err(err, MOSAIC_ERR_IO, "%s: read error", path);
    uint8_t digest[16];
    mosaic_md5_final(&md5, digest);
    to_hex_(digest, hex);
    return MOSAIC_OK;
}
