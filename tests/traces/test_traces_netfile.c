/* Network files: lossless round trip of every field, provenance and /method state, and one clear
 * error (file + dataset) for each kind of damage. */
#define _POSIX_C_SOURCE 200809L

#include <hdf5.h>
#include <string.h>

#include "damage_sweep.h"
#include "mosaic_netfile.h"
#include "mosaic_test.h"
#include "shd_fixture.h"

static void random_network_(MosaicNetwork *net, uint64_t seed, int n_links) {
    MosaicArch arch;
    mosaic_arch_default(&arch);
    arch.cap_r0[2] = 5; /* something not default, to see the architecture travel */
    arch.device.programming_noise = 0.0123456789;
    MosaicErr err;
    if (mosaic_network_create(net, &arch, 128, 20, 8, &err) != MOSAIC_OK) exit(3);
    net->alpha = 0.97f;
    MosaicRng rng;
    mosaic_rng_seed(&rng, seed);
    const int k = 32, tiles = 25;
    for (int i = 0; i < net->n_input_tiles * k * k; i++) net->w_in[i] = (float)mosaic_rng_normal(&rng);
    for (int t = 0; t < tiles; t++)
        if (mosaic_network_block_kind(net, t) == MOSAIC_BLOCK_RECURRENT)
            for (int i = 0; i < k * k; i++) net->w_intra[t * k * k + i] = (float)mosaic_rng_normal(&rng);
    float w[32];
    while (net->n_links < n_links) {
        int32_t src = (int32_t)mosaic_rng_below(&rng, 800), dst = (int32_t)mosaic_rng_below(&rng, 25);
        int dup = src / k == dst;
        for (int l = 0; l < net->n_links && !dup; l++)
            dup = net->link_src[l] == src && net->link_dst[l] == dst;
        if (dup) continue;
        for (int j = 0; j < k; j++) w[j] = (float)mosaic_rng_normal(&rng);
        mosaic_network_add_link(net, src, dst, w);
    }
}

/* The network of the committed golden file tests/traces/golden/network_v1.h5 (format version 1): a
 * 2x2 array, patterned weights, 10 links. Regenerate with `test_traces_netfile --write-golden PATH`
 * only when the format version changes (and keep the old file to test reading it). */
static void golden_network_(MosaicNetwork *net) {
    MosaicArch arch;
    mosaic_arch_default(&arch);
    arch.rows = arch.cols = 2;
    arch.cap_r0[1] = 6;
    MosaicErr err;
    if (mosaic_network_create(net, &arch, 32, 10, 16, &err) != MOSAIC_OK) exit(3);
    for (int i = 0; i < 32 * 32; i++) net->w_in[i] = (float)(i % 97) / 64.0f - 0.75f;
    for (int t = 1; t < 3; t++) /* tiles 1 and 2 are recurrent; 0 is the input tile, 3 the output tile */
        for (int i = 0; i < 32 * 32; i++)
            net->w_intra[t * 32 * 32 + i] = (float)((i * t) % 31) / 32.0f - 0.5f;
    float w[32];
    for (int l = 0; l < 10; l++) {
        for (int j = 0; j < 32; j++) w[j] = (float)(l * 32 + j) / 256.0f;
        const int src = 3 + 11 * l; /* neurons 3..102 over tiles 0..3; never into its own tile: */
        mosaic_network_add_link(net, src, (src / 32 + 1 + l % 3) % 4, w);
    }
}

/* Replaces dataset `name` of an existing file with new content (raw HDF5: our writers never edit). */
static void replace_(const char *path, const char *name, hid_t type, int rank, const hsize_t *dims,
                     const void *data) {
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (H5Lexists(f, name, H5P_DEFAULT) > 0) H5Ldelete(f, name, H5P_DEFAULT);
    if (data) {
        hid_t s = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
        hid_t d = H5Dcreate2(f, name, type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
        H5Dclose(d);
        H5Sclose(s);
    }
    H5Fclose(f);
}

static void copy_file_(const char *from, const char *to, long max_bytes) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int c;
    long n = 0;
    while (in && out && (max_bytes < 0 || n < max_bytes) && (c = fgetc(in)) != EOF) {
        fputc(c, out);
        n++;
    }
    if (in) fclose(in);
    if (out) fclose(out);
}

/* Reading `path` fails with MOSAIC_ERR_INPUT and a message containing all of `words`. */
static int fails_with_(const char *path, const char *w1, const char *w2) {
    MosaicNetwork net;
    MosaicErr err;
    MosaicStatus st = mosaic_netfile_read(path, &net, &err);
    if (st == MOSAIC_OK) {
        mosaic_network_free(&net);
        fprintf(stderr, "  %s: read succeeded, expected an error mentioning '%s'\n", path, w1);
        return 0;
    }
    int ok = st == MOSAIC_ERR_INPUT && strstr(err.msg, path) && strstr(err.msg, w1) &&
             (!w2 || strstr(err.msg, w2));
    printf("  expected error: %s\n", err.msg);
    return ok;
}

/* H5Aiterate callback: counts variable-length string attributes. */
static herr_t count_vlen_attr_(hid_t loc, const char *name, const H5A_info_t *info, void *count) {
    (void)info;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = H5Aget_type(a);
    if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
        printf("  variable-length string attribute '%s'\n", name);
        ++*(int *)count;
    }
    H5Tclose(t);
    H5Aclose(a);
    return 0;
}

static herr_t count_vlen_attrs_of_(hid_t root, const char *name, const H5O_info_t *info, void *count) {
    (void)info;
    hid_t o = H5Oopen(root, name, H5P_DEFAULT);
    H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, count_vlen_attr_, count);
    H5Oclose(o);
    return 0;
}

/* damage_sweep's reader: read, or refused with the file named. */
static int read_network_(const char *path) {
    MosaicNetwork net;
    MosaicErr err;
    MosaicStatus st = mosaic_netfile_read(path, &net, &err);
    if (st == MOSAIC_OK) {
        mosaic_network_free(&net);
        return DAMAGE_READ;
    }
    if (st == MOSAIC_ERR_INPUT && strstr(err.msg, path)) return DAMAGE_REFUSED;
    fprintf(stderr, "  status %d, message: %s\n", (int)st, err.msg);
    return DAMAGE_WRONG_ERROR;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--write-golden")) {
        MosaicNetwork g;
        MosaicErr err;
        golden_network_(&g);
        const MosaicProvenance gp = {"test_traces_netfile --write-golden", "0.1.0", "golden", 7,
                                     "golden: true\n"};
        MosaicStatus st = mosaic_netfile_write(argv[2], &g, &gp, &err);
        if (st != MOSAIC_OK) fprintf(stderr, "%s\n", err.msg);
        mosaic_network_free(&g);
        return st == MOSAIC_OK ? 0 : 3;
    }
    uint64_t seed = mosaic_test_seed(argc, argv, 11);
    char path[512], bad[512];
    fixture_path(path, sizeof path, "net.h5");
    fixture_path(bad, sizeof bad, "bad.h5");
    MosaicNetwork net;
    random_network_(&net, seed, 300);
    MosaicErr err;
    const MosaicProvenance prov = {"mosaic test", "0.1.0", "abc123def456", 42, "train:\n  epochs: 3\n"};

    TEST("NetworkFileRoundTripsEveryField") {
        MosaicH5File *f;
        CHECK(mosaic_netfile_create(path, &net, &prov, &f, &err) == MOSAIC_OK);
        /* the trainer's extension point: named arrays under /method */
        const int64_t dm[2] = {300, 32}, d4 = 4;
        float *m = calloc(300 * 32, sizeof(float));
        m[5] = 0.25f;
        const int64_t rng_state[4] = {1, -2, 3, INT64_MIN};
        CHECK(mosaic_h5_write(f, "/method/adam_m", MOSAIC_H5_F32, 2, dm, m, "weight", "Adam first moment",
                              &err) == MOSAIC_OK);
        CHECK(mosaic_h5_write(f, "/method/rng_state", MOSAIC_H5_I64, 1, &d4, rng_state, "", "xoshiro state",
                              &err) == MOSAIC_OK);
        CHECK(mosaic_h5_attr_write_string(f, "/method", "name", "deepr-routing", &err) == MOSAIC_OK);
        CHECK(access(path, F_OK) != 0); /* still under the temporary name */
        CHECK(mosaic_h5_commit(f, &err) == MOSAIC_OK);

        MosaicNetwork back;
        CHECK(mosaic_netfile_open(path, &back, &f, &err) == MOSAIC_OK);
        if (!f) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        MosaicNetwork canon;
        CHECK(mosaic_network_copy(&canon, &net, &err) == MOSAIC_OK);
        CHECK(mosaic_network_canonicalize(&canon, &err) == MOSAIC_OK);
        CHECK(back.arch.rows == 5 && back.arch.cap_r0[2] == 5 &&
              back.arch.device.programming_noise == 0.0123456789);
        CHECK(memcmp(back.arch.cap_nt, net.arch.cap_nt, sizeof net.arch.cap_nt) == 0);
        CHECK(back.n_inputs == 128 && back.n_input_tiles == 4 && back.n_classes == 20 &&
              back.output_recurrent == 0);
        CHECK(back.alpha == 0.97f && back.threshold == 1.0f);
        CHECK(memcmp(back.w_in, net.w_in, sizeof(float) * 4 * 32 * 32) == 0);
        CHECK(memcmp(back.w_intra, net.w_intra, sizeof(float) * 25 * 32 * 32) == 0);
        CHECK_EQ_INT(back.n_links, 300);
        CHECK(memcmp(back.link_src, canon.link_src, sizeof(int32_t) * 300) == 0);
        CHECK(memcmp(back.link_dst, canon.link_dst, sizeof(int32_t) * 300) == 0);
        CHECK(memcmp(back.link_w, canon.link_w, sizeof(float) * 300 * 32) == 0);
        char *s = NULL;
        int64_t v = 0;
        CHECK(mosaic_h5_attr_read_string(f, "/", "git_hash", &s, &err) == MOSAIC_OK && s &&
              !strcmp(s, "abc123def456"));
        free(s);
        CHECK(mosaic_h5_attr_read_string(f, "/", "config", &s, &err) == MOSAIC_OK && s &&
              strstr(s, "epochs: 3"));
        free(s);
        CHECK(mosaic_h5_attr_read_string(f, "/", "created", &s, &err) == MOSAIC_OK && s && strlen(s) == 20);
        free(s);
        CHECK(mosaic_h5_attr_read_int64(f, "/", "seed", &v, &err) == MOSAIC_OK && v == 42);
        CHECK(mosaic_h5_attr_read_string(f, "/method", "name", &s, &err) == MOSAIC_OK && s &&
              !strcmp(s, "deepr-routing"));
        free(s);
        CHECK(mosaic_h5_attr_read_string(f, "/links/w", "units", &s, &err) == MOSAIC_OK && s &&
              !strcmp(s, "weight"));
        free(s);
        int64_t dims[2] = {-1, 32};
        float *mb = NULL;
        CHECK(mosaic_h5_read(f, "/method/adam_m", MOSAIC_H5_F32, 2, dims, (void **)&mb, &err) == MOSAIC_OK);
        CHECK(dims[0] == 300 && mb && mb[5] == 0.25f);
        free(mb);
        int64_t rs[4];
        CHECK(mosaic_h5_read_into(f, "/method/rng_state", MOSAIC_H5_I64, 1, &d4, rs, &err) == MOSAIC_OK);
        CHECK(memcmp(rs, rng_state, sizeof rs) == 0);
        char **names;
        int nn;
        CHECK(mosaic_h5_list(f, "/method", &names, &nn, &err) == MOSAIC_OK);
        CHECK(nn == 2 && !strcmp(names[0], "adam_m") && !strcmp(names[1], "rng_state"));
        mosaic_h5_free_names(names, nn);
        /* a shape check names file, dataset and the expected shape */
        int64_t wrong[2] = {301, 32};
        CHECK(mosaic_h5_read(f, "/method/adam_m", MOSAIC_H5_F32, 2, wrong, (void **)&mb, &err) ==
              MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "net.h5") && strstr(err.msg, "/method/adam_m") && strstr(err.msg, "(301, 32)"));
        CHECK(mosaic_h5_read(f, "/method/adam_m", MOSAIC_H5_I32, 2, dims, (void **)&mb, &err) ==
              MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "integer") != NULL);
        mosaic_h5_close(f);
        mosaic_network_free(&back);
        mosaic_network_free(&canon);
        free(m);
    }

    TEST("NetworkWithoutLinksRoundTrips") {
        MosaicNetwork empty, back;
        MosaicArch arch;
        mosaic_arch_default(&arch);
        arch.rows = arch.cols = 2;
        CHECK(mosaic_network_create(&empty, &arch, 32, 10, 1, &err) == MOSAIC_OK);
        char p2[512];
        fixture_path(p2, sizeof p2, "empty.h5");
        CHECK(mosaic_netfile_write(p2, &empty, &prov, &err) == MOSAIC_OK);
        CHECK(mosaic_netfile_read(p2, &back, &err) == MOSAIC_OK);
        CHECK(back.n_links == 0 && back.arch.rows == 2 && back.n_input_tiles == 1);
        mosaic_network_free(&back);
        mosaic_network_free(&empty);
    }

    TEST("WriterRefusesAnInvalidNetworkAndLeavesNoFile") {
        MosaicNetwork dup;
        CHECK(mosaic_network_copy(&dup, &net, &err) == MOSAIC_OK);
        mosaic_network_add_link(&dup, dup.link_src[0], dup.link_dst[0], NULL);
        char p2[512];
        fixture_path(p2, sizeof p2, "refused.h5");
        CHECK(mosaic_netfile_write(p2, &dup, &prov, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "duplicate") != NULL);
        CHECK(access(p2, F_OK) != 0);
        mosaic_network_free(&dup);
    }

    TEST("DamagedFilesFailWithFileAndDataset") {
        const hsize_t one = 1;
        int32_t own[300];
        memcpy(own, net.link_dst, sizeof own);
        MosaicNetwork canon;
        CHECK(mosaic_network_copy(&canon, &net, &err) == MOSAIC_OK);
        CHECK(mosaic_network_canonicalize(&canon, &err) == MOSAIC_OK);
        hsize_t L = 300;
        memcpy(own, canon.link_dst, sizeof own);
        own[7] = canon.link_src[7] / 32; /* a link into its own tile */
        copy_file_(path, bad, -1);
        replace_(bad, "/links/dst", H5T_NATIVE_INT32, 1, &L, own);
        CHECK(fails_with_(bad, "/links/dst", "inside its tile"));

        memcpy(own, canon.link_dst, sizeof own);
        int32_t src[300];
        memcpy(src, canon.link_src, sizeof src);
        src[1] = src[0];
        own[1] = own[0]; /* a duplicate */
        copy_file_(path, bad, -1);
        replace_(bad, "/links/src", H5T_NATIVE_INT32, 1, &L, src);
        replace_(bad, "/links/dst", H5T_NATIVE_INT32, 1, &L, own);
        CHECK(fails_with_(bad, "/links/src", "duplicate"));

        memcpy(src, canon.link_src, sizeof src);
        src[3] = 800; /* N = 800 neurons */
        copy_file_(path, bad, -1);
        replace_(bad, "/links/src", H5T_NATIVE_INT32, 1, &L, src);
        CHECK(fails_with_(bad, "/links/src", "800"));

        hsize_t d3[3] = {3, 32, 32};
        copy_file_(path, bad, -1);
        replace_(bad, "/blocks/w_in", H5T_NATIVE_FLOAT, 3, d3, net.w_in);
        CHECK(fails_with_(bad, "/blocks/w_in", "(4, 32, 32)"));

        copy_file_(path, bad, -1);
        replace_(bad, "/links/w", 0, 0, NULL, NULL);
        CHECK(fails_with_(bad, "/links/w", "missing"));

        /* a header claiming 2^40 links, which the bytes stored cannot hold: refused before allocating */
        copy_file_(path, bad, -1);
        {
            hid_t fh = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
            H5Ldelete(fh, "/links/src", H5P_DEFAULT);
            const hsize_t huge = (hsize_t)1 << 40, chunk = 4096;
            hid_t sp = H5Screate_simple(1, &huge, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
            H5Pset_chunk(dcpl, 1, &chunk);
            hid_t d = H5Dcreate2(fh, "/links/src", H5T_STD_I32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
            H5Dclose(d);
            H5Pclose(dcpl);
            H5Sclose(sp);
            H5Fclose(fh);
        }
        CHECK(fails_with_(bad, "/links/src", "cannot be held"));

        float *w = malloc(sizeof(float) * 300 * 32);
        memcpy(w, canon.link_w, sizeof(float) * 300 * 32);
        w[1234] = NAN;
        hsize_t dw[2] = {300, 32};
        copy_file_(path, bad, -1);
        replace_(bad, "/links/w", H5T_NATIVE_FLOAT, 2, dw, w);
        CHECK(fails_with_(bad, "/links/w", "finite"));
        free(w);

        int32_t rows = 6;
        copy_file_(path, bad, -1);
        replace_(bad, "/arch/rows", H5T_NATIVE_INT32, 0, &one, &rows);
        CHECK(fails_with_(bad, "/arch/rows", "YAML"));

        float *intra = malloc(sizeof(float) * 25 * 32 * 32);
        memcpy(intra, net.w_intra, sizeof(float) * 25 * 32 * 32);
        intra[5] = 1.0f; /* tile 0 is an input tile: no intra-tile block */
        hsize_t di[3] = {25, 32, 32};
        copy_file_(path, bad, -1);
        replace_(bad, "/blocks/w_intra", H5T_NATIVE_FLOAT, 3, di, intra);
        CHECK(fails_with_(bad, "/blocks/w_intra", "tile 0"));
        free(intra);

        float fsrc[300];
        for (int i = 0; i < 300; i++) fsrc[i] = (float)canon.link_src[i];
        copy_file_(path, bad, -1);
        replace_(bad, "/links/src", H5T_NATIVE_FLOAT, 1, &L, fsrc);
        CHECK(fails_with_(bad, "/links/src", "integer"));

        FILE *fp = fopen(path, "rb");
        fseek(fp, 0, SEEK_END);
        long size = ftell(fp);
        fclose(fp);
        copy_file_(path, bad, size / 2);
        CHECK(fails_with_(bad, "bad.h5", NULL));

        char shd[512];
        fixture_path(shd, sizeof shd, "not-a-net.h5");
        MosaicShdWriter *sw;
        CHECK(mosaic_shd_writer_begin(shd, fixture_classes_, 4, 700, &sw, &err) == MOSAIC_OK);
        CHECK(mosaic_shd_writer_finish(sw, &err) == MOSAIC_OK);
        CHECK(fails_with_(shd, "format", NULL));
        mosaic_network_free(&canon);
    }

    TEST("StringAttributesStayOutOfTheGlobalHeap") {
        /* libhdf5 1.10 trusts global-heap object sizes: variable-length strings are where a damaged
         * file made it crash or hang (fuzz-findings/README.md), so the writers use none. */
        CHECK(mosaic_netfile_write(path, &net, &prov, &err) == MOSAIC_OK);
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        int vlen = 0;
        CHECK(f >= 0);
        H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, count_vlen_attr_, &vlen);
        H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, count_vlen_attrs_of_, &vlen);
        H5Fclose(f);
        CHECK_EQ_INT(vlen, 0);
        /* the longest fixed-length text, and a longer one (variable-length) read back whole */
        const size_t lens[2] = {MOSAIC_H5_FIXED_STRING_MAX - 1, MOSAIC_H5_FIXED_STRING_MAX + 10000};
        for (int i = 0; i < 2; i++) {
            char *text = malloc(lens[i] + 1), *back = NULL;
            for (size_t j = 0; j < lens[i]; j++) text[j] = (char)('a' + j % 26);
            text[lens[i]] = 0;
            MosaicH5File *h;
            CHECK(mosaic_h5_create(bad, &h, &err) == MOSAIC_OK);
            CHECK(mosaic_h5_attr_write_string(h, "/", "long", text, &err) == MOSAIC_OK);
            CHECK(mosaic_h5_commit(h, &err) == MOSAIC_OK);
            CHECK(mosaic_h5_open(bad, &h, &err) == MOSAIC_OK);
            CHECK(mosaic_h5_attr_read_string(h, "/", "long", &back, &err) == MOSAIC_OK && back &&
                  !strcmp(back, text));
            mosaic_h5_close(h);
            free(back);
            free(text);
        }
    }

    TEST("RandomlyDamagedFilesAreReadOrRefusedNeverCrash") {
        MosaicNetwork g;
        golden_network_(&g);
        CHECK(mosaic_netfile_write(path, &g, &prov, &err) == MOSAIC_OK);
        mosaic_network_free(&g);
        DamageCounts c = damage_sweep(path, bad, seed, 1000, read_network_);
        CHECK_EQ_INT(c.broken, 0);
        CHECK(c.refused > 0);
    }

    TEST("GoldenVersion1FileStillReads") {
        const char *src = getenv("MOSAIC_SOURCE_DIR");
        char golden[1024];
        snprintf(golden, sizeof golden, "%s/tests/traces/golden/network_v1.h5", src ? src : ".");
        MosaicNetwork want, got;
        golden_network_(&want);
        CHECK(mosaic_network_canonicalize(&want, &err) == MOSAIC_OK);
        CHECK(mosaic_netfile_read(golden, &got, &err) == MOSAIC_OK);
        if (got.w_in) {
            CHECK(got.arch.rows == 2 && got.arch.cap_r0[1] == 6 && got.n_inputs == 32 && got.n_classes == 10);
            CHECK(memcmp(got.w_in, want.w_in, sizeof(float) * 32 * 32) == 0);
            CHECK(memcmp(got.w_intra, want.w_intra, sizeof(float) * 4 * 32 * 32) == 0);
            CHECK_EQ_INT(got.n_links, want.n_links);
            CHECK(got.n_links == want.n_links &&
                  memcmp(got.link_src, want.link_src, sizeof(int32_t) * (size_t)want.n_links) == 0 &&
                  memcmp(got.link_dst, want.link_dst, sizeof(int32_t) * (size_t)want.n_links) == 0 &&
                  memcmp(got.link_w, want.link_w, sizeof(float) * 32 * (size_t)want.n_links) == 0);
            mosaic_network_free(&got);
        } else {
            fprintf(stderr, "%s\n", err.msg);
        }
        mosaic_network_free(&want);
    }

    mosaic_network_free(&net);
    fixture_cleanup();
    return mosaic_test_finish();
}
