/* libFuzzer target for the .h5.gz path: gzip inflate into memory -> HDF5 file image -> structure
 * checks -> every sample's validation. Built with clang -fsanitize=fuzzer,address when clang is
 * available (tests/traces/CMakeLists.txt); CTest runs it briefly on a seed corpus (label `fuzz`).
 *
 * MOSAIC_FUZZ_RAW_HDF5=1 in the environment switches to fuzzing the HDF5 bytes themselves: the input
 * is gzip-compressed here first, so mutations reach HDF5 past the gzip CRC. That mode probes libhdf5
 * (1.10), which is not hardened against hostile files; see docs/formats.md "Robustness". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mosaic_h5.h"
#include "mosaic_shd.h"

static int raw_mode_ = -1;

static void read_all_(const void *gz, size_t n) {
    MosaicShd *shd;
    MosaicErr err;
    /* 64 MiB of inflated content is plenty for any seed; it keeps zip bombs from looking like leaks */
    if (mosaic_shd_open_gz_memory("fuzz.h5.gz", gz, n, (size_t)64 << 20, &shd, &err) != MOSAIC_OK) return;
    MosaicSpikes sp = {0};
    int64_t samples = mosaic_shd_num_samples(shd);
    for (int64_t i = 0; i < samples && i < 256; i++) mosaic_shd_read_sample(shd, i, &sp, &err);
    for (int c = 0; c < mosaic_shd_num_classes(shd); c++) (void)strlen(mosaic_shd_class_name(shd, c));
    mosaic_spikes_free(&sp);
    mosaic_shd_close(shd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (raw_mode_ < 0) {
        const char *env = getenv("MOSAIC_FUZZ_RAW_HDF5");
        raw_mode_ = env && *env == '1';
        mosaic_h5_quiet();
    }
    if (!raw_mode_) {
        read_all_(data, size);
        return 0;
    }
    /* gzip-wrap the input (level 1: speed) so the whole pipeline runs on exactly these HDF5 bytes */
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    size_t cap = deflateBound(&zs, (uLong)size) + 32;
    unsigned char *gz = malloc(cap);
    if (gz) {
        zs.next_in = (unsigned char *)data;
        zs.avail_in = (uInt)size;
        zs.next_out = gz;
        zs.avail_out = (uInt)cap;
        if (deflate(&zs, Z_FINISH) == Z_STREAM_END) read_all_(gz, cap - zs.avail_out);
    }
    deflateEnd(&zs);
    free(gz);
    return 0;
}
