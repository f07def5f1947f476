/* The links text format (errors carry file and line), the file front end and the HDF5 mapping file. */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <stdlib.h>
#include <unistd.h>

#include "mosaic_mapper.h"
#include "mosaic_mapper_io.h"
#include "mosaic_netfile.h"
#include "mosaic_test.h"

static char dir_[256];

static const char *write_(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir_, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Reads `text` as a links file; returns the status and leaves the message in err. */
static MosaicStatus read_(const char *text, MosaicLinks *l, int *ignored, MosaicErr *err) {
    const char *p = write_("links.txt", text);
    MosaicArch a;
    mosaic_links_init(l);
    return mosaic_links_read_text(p, &a, l, ignored, err);
}

static void expect_error_at_(const char *text, const char *where) {
    MosaicLinks l;
    MosaicErr err = {{0}};
    CHECK(read_(text, &l, NULL, &err) == MOSAIC_ERR_INPUT);
    if (!strstr(err.msg, where)) fprintf(stderr, "  message was: %s (expected '%s')\n", err.msg, where);
    CHECK(strstr(err.msg, where) != NULL);
    mosaic_links_free(&l);
}

int main(void) {
    snprintf(dir_, sizeof dir_, "%s/mosaic_mapper_test_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir_)) {
        perror("mkdtemp");
        return 1;
    }
    TEST("TextFormatIgnoresIntraTileAndDuplicatesKeepsOrder") {
        MosaicLinks l;
        MosaicErr err;
        int ignored = -1;
        CHECK(read_("# mosaic-links rows=5 cols=5 k=32\n"
                    "40 0\n"
                    "\n"
                    "# a comment\n"
                    "5 0\n" /* intra-tile */
                    "  7 3 \n"
                    "40 0\n" /* duplicate */
                    "799 0\n",
                    &l, &ignored, &err) == MOSAIC_OK);
        CHECK_EQ_INT(l.n, 3);
        CHECK_EQ_INT(ignored, 2);
        if (l.n == 3) {
            CHECK(l.src[0] == 40 && l.dst[0] == 0);
            CHECK(l.src[1] == 7 && l.dst[1] == 3);
            CHECK(l.src[2] == 799 && l.dst[2] == 0);
        }
        mosaic_links_free(&l);
    }
    TEST("TextFormatErrorsNameFileAndLine") {
        char where[600];
        snprintf(where, sizeof where, "%s/links.txt:1:", dir_);
        expect_error_at_("# mosaic-links rows=5 cols=5\n1 2\n", where);
        expect_error_at_("1 2\n", where);
        expect_error_at_("# mosaic-links rows=5 cols=x k=32\n", where);
        snprintf(where, sizeof where, "%s/links.txt:3:", dir_);
        expect_error_at_("# mosaic-links rows=5 cols=5 k=32\n40 0\n40 0 1\n", where);
        expect_error_at_("# mosaic-links rows=5 cols=5 k=32\n40 0\nforty 0\n", where);
        expect_error_at_("# mosaic-links rows=5 cols=5 k=32\n40 0\n800 0\n", where);
        expect_error_at_("# mosaic-links rows=5 cols=5 k=32\n40 0\n40 25\n", where);
        expect_error_at_("# mosaic-links rows=5 cols=5 k=32\n40 0\n-1 2\n", where);
        expect_error_at_("# mosaic-links rows=5 cols=5 k=32\n40 0\n40\n", where);
        MosaicArch a;
        MosaicLinks l;
        MosaicErr err;
        mosaic_links_init(&l);
        CHECK(mosaic_links_read_text("/nonexistent/links.txt", &a, &l, NULL, &err) == MOSAIC_ERR_IO);
    }
    TEST("WriteThenReadRoundTrips") {
        MosaicArch a;
        mosaic_arch_default(&a);
        a.rows = 3, a.cols = 7, a.neurons_per_tile = 16;
        MosaicProfile p;
        MosaicErr err;
        MosaicLinks l, back;
        mosaic_links_init(&l);
        mosaic_profile_parse(&p, "1:0.5,3:0.2,5:0.1", "t", &err);
        CHECK(mosaic_links_random(&l, &a, &p, 3, &err) == MOSAIC_OK);
        char path[512];
        snprintf(path, sizeof path, "%s/rt.txt", dir_);
        CHECK(mosaic_links_write_text(path, &a, &l, &err) == MOSAIC_OK);
        MosaicArch b;
        mosaic_links_init(&back);
        CHECK(mosaic_links_read_text(path, &b, &back, NULL, &err) == MOSAIC_OK);
        CHECK(b.rows == 3 && b.cols == 7 && b.neurons_per_tile == 16);
        CHECK(back.n == l.n && !memcmp(back.src, l.src, sizeof(int32_t) * (size_t)l.n) &&
              !memcmp(back.dst, l.dst, sizeof(int32_t) * (size_t)l.n));
        /* the front end: rows/cols/k from the file; --set may restate, not change them */
        MosaicArch c;
        int in_tiles = 0;
        MosaicLinks l3;
        mosaic_links_init(&l3);
        const char *ok_sets[] = {"array.rows=3", "capacity.r0=16"};
        CHECK(mosaic_links_load(path, NULL, ok_sets, 2, &c, &l3, &in_tiles, &err) == MOSAIC_OK);
        CHECK(c.rows == 3 && c.cols == 7 && c.neurons_per_tile == 16 && c.cap_r0[0] == 16 && in_tiles == 8);
        mosaic_links_free(&l3);
        mosaic_links_init(&l3);
        const char *bad_sets[] = {"array.cols=6"};
        CHECK(mosaic_links_load(path, NULL, bad_sets, 1, &c, &l3, &in_tiles, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "array.cols") != NULL);
        mosaic_links_free(&l3);
        mosaic_links_free(&l);
        mosaic_links_free(&back);
    }
    TEST("NetworkFileLinksAreTheNetworksLinks") {
        MosaicArch a;
        mosaic_arch_default(&a);
        a.cap_r0[0] = 9; /* the file's architecture travels with it */
        MosaicNetwork net;
        MosaicErr err;
        CHECK(mosaic_network_create(&net, &a, 128, 20, 16, &err) == MOSAIC_OK);
        const float w[32] = {0.5f};
        const int32_t pairs[][2] = {{40, 0}, {7, 3}, {799, 0}, {100, 24}};
        for (int i = 0; i < 4; i++) CHECK(mosaic_network_add_link(&net, pairs[i][0], pairs[i][1], w) >= 0);
        CHECK(mosaic_network_canonicalize(&net, &err) == MOSAIC_OK);
        char path[512];
        snprintf(path, sizeof path, "%s/net.h5", dir_);
        const MosaicProvenance prov = {"test", "0", "none", 1, NULL};
        CHECK(mosaic_netfile_write(path, &net, &prov, &err) == MOSAIC_OK);
        MosaicArch got;
        MosaicLinks l;
        int in_tiles = 0;
        mosaic_links_init(&l);
        const char *sets[] = {"capacity.nt=[30, 30, 30, 30, 32, 32, 32, 32]"};
        const MosaicStatus st = mosaic_links_load(path, NULL, sets, 1, &got, &l, &in_tiles, &err);
        if (st != MOSAIC_OK) fprintf(stderr, "  %s\n", err.msg);
        CHECK(st == MOSAIC_OK);
        CHECK_EQ_INT(l.n, net.n_links);
        for (int i = 0; i < l.n && i < net.n_links; i++)
            CHECK(l.src[i] == net.link_src[i] && l.dst[i] == net.link_dst[i]);
        CHECK_EQ_INT(in_tiles, 4);
        CHECK_EQ_INT(got.cap_r0[0], 9);
        CHECK_EQ_INT(got.cap_nt[0], 30);
        mosaic_links_free(&l);
        mosaic_network_free(&net);
    }
    TEST("MappingFileHoldsCountsAndCrossbars") {
        MosaicArch a;
        mosaic_arch_default(&a);
        MosaicProfile p;
        MosaicErr err;
        MosaicLinks l;
        mosaic_links_init(&l);
        mosaic_profile_parse(&p, "1:0.8,3:0.1", "t", &err);
        CHECK(mosaic_links_random(&l, &a, &p, 5, &err) == MOSAIC_OK);
        MosaicMapping m;
        CHECK(mosaic_map(&m, &a, &l, NULL, MOSAIC_MAP_CONFIG, &err) == MOSAIC_OK);
        char path[512];
        snprintf(path, sizeof path, "%s/mapping.h5", dir_);
        CHECK(mosaic_mapping_write(path, &m, NULL, &err) == MOSAIC_OK);
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        CHECK(f >= 0);
        int32_t *count = malloc(sizeof(int32_t) * (size_t)m.n_cells * 8);
        hid_t ds = H5Dopen2(f, "ports/count", H5P_DEFAULT);
        CHECK(ds >= 0 && H5Dread(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, count) >= 0);
        CHECK(!memcmp(count, m.count, sizeof(int32_t) * (size_t)m.n_cells * 8));
        H5Dclose(ds);
        H5Fclose(f);
        free(count);
        /* read back: the same mapping, field by field */
        MosaicMapping back;
        const MosaicStatus rst = mosaic_mapping_read(path, &back, &err);
        if (rst != MOSAIC_OK) fprintf(stderr, "  read back: %s\n", err.msg);
        CHECK(rst == MOSAIC_OK);
        if (rst == MOSAIC_OK) {
            CHECK(mosaic_mapping_compare(&m, &back, &err) == MOSAIC_OK);
            CHECK_EQ_INT(back.n_violations, m.n_violations);
            for (int i = 0; i < m.n_violations && i < back.n_violations; i++)
                CHECK(!memcmp(&back.violations[i], &m.violations[i], sizeof m.violations[i]));
            for (int d = 0; d <= m.max_distance; d++) CHECK_EQ_INT(back.gamma[d], m.gamma[d]);
            CHECK_EQ_INT(back.dev_r1, m.dev_r1);
            /* and a different mapping is told apart */
            back.conn[back.conn_offset[back.n_cells] / 2].out_line ^= 1;
            CHECK(mosaic_mapping_compare(&m, &back, &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, "router crossbar") != NULL);
        }
        mosaic_mapping_free(&back);
        /* not a mapping file */
        char other[512];
        snprintf(other, sizeof other, "%s/links.txt", dir_);
        CHECK(mosaic_mapping_read(other, &back, &err) != MOSAIC_OK);
        mosaic_mapping_free(&back);
        remove(path);
        mosaic_mapping_free(&m);
        mosaic_links_free(&l);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir_);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir_);
    return mosaic_test_finish();
}
