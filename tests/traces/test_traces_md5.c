/* MD5 against the RFC 1321 test suite, and streaming in odd pieces gives the same digest. */
#include <string.h>

#include "mosaic_md5.h"
#include "mosaic_test.h"

int main(void) {
    TEST("Rfc1321TestSuite") {
        static const char *const vectors[][2] = {
            {"", "d41d8cd98f00b204e9800998ecf8427e"},
            {"a", "0cc175b9c0f1b6a831c399e269772661"},
            {"abc", "900150983cd24fb0d6963f7d28e17f72"},
            {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
            {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
            {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
             "d174ab98d277d9f5a5611c2c9f419d9f"},
            {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
             "57edf4a22be3c955ac49da2e2107b67a"},
        };
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
            char hex[33];
            mosaic_md5_hex(vectors[i][0], strlen(vectors[i][0]), hex);
            if (strcmp(hex, vectors[i][1]) != 0) fprintf(stderr, "  md5(\"%s\") = %s\n", vectors[i][0], hex);
            CHECK(strcmp(hex, vectors[i][1]) == 0);
        }
    }

    TEST("StreamingInPiecesEqualsOneShot") {
        unsigned char data[1000];
        for (int i = 0; i < 1000; i++) data[i] = (unsigned char)(i * 131 + 7);
        char whole[33];
        mosaic_md5_hex(data, sizeof data, whole);
        static const size_t pieces[] = {1, 3, 55, 56, 63, 64, 65, 127, 500};
        for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
            MosaicMd5 md5;
            mosaic_md5_init(&md5);
            for (size_t off = 0; off < sizeof data; off += pieces[p])
                mosaic_md5_update(&md5, data + off,
                                  off + pieces[p] > sizeof data ? sizeof data - off : pieces[p]);
            uint8_t digest[16];
            mosaic_md5_final(&md5, digest);
            char hex[33];
            for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
            CHECK(strcmp(hex, whole) == 0);
        }
    }
    return mosaic_test_finish();
}
