/* Robustness of the SHD reader: files written by other tools (h5py-style variable-length UTF-8 keys,
 * float32 times, 64-bit labels, 8-bit units) read correctly, and every kind of damage gives one error
 * naming the file, the dataset and the sample index. The files are built with raw HDF5 calls so that
 * they can be wrong in ways our writer refuses to be. */
#define _POSIX_C_SOURCE 200809L

#include <hdf5.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "damage_sweep.h"
#include "mosaic_gz.h"
#include "mosaic_shd.h"
#include "mosaic_test.h"
#include "shd_fixture.h"

enum { N = 5 };

typedef struct {
    hid_t times_base;   /* element type of /spikes/times (NULL: float16) */
    hid_t units_base;   /* element type of /spikes/units */
    hid_t label_type;   /* type of /labels and /extra/speaker */
    int vlen_keys;      /* 1: variable-length UTF-8 keys (h5py str) */
    int skip;           /* 1 times, 2 units, 3 labels, 4 speaker, 5 keys */
    int short_units;    /* sample 2 gets one unit fewer than times */
    int units_rows;     /* /spikes/units has this many samples (0: N) */
    int32_t bad_unit;   /* if set, sample 3 spike 1 gets this unit */
    float bad_time;     /* if non-zero, sample 4 spike 0 gets this time */
    int32_t bad_label;  /* if non-zero, sample 1 gets this label */
    int times_not_vlen; /* /spikes/times as a plain 2-D float array */
    int chunked;        /* the spike datasets chunked by 2, shuffled and deflated (h5py's
                           compression="gzip", shuffle=True); 2: also listing h5py's lzf filter (32000),
                           which libhdf5 lacks (optional, so the data are written without it) */
} Layout;

static const float times_[N][3] = {{0.5f, 0.25f, 1.0f},
                                   {0.125f, 0.75f, 0.5f},
                                   {1.25f, 0.0f, 0.5f},
                                   {0.375f, 0.5f, 0.625f},
                                   {0.25f, 0.5f, 0.75f}};
static const int32_t units_[N][3] = {{0, 699, 5}, {1, 2, 3}, {10, 20, 30}, {100, 200, 250}, {6, 7, 8}};

static hid_t f16_(void) {
    hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(t, 15, 10, 5, 0, 10);
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 15);
    return t;
}

static void write_1d_dcpl_(hid_t file, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                           const void *data, hid_t dcpl) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t s = H5Screate_simple(1, &n, NULL);
    hid_t d = H5Dcreate2(file, name, ftype, s, lcpl, dcpl, H5P_DEFAULT);
    H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(d);
    H5Sclose(s);
    H5Pclose(lcpl);
}

static void write_1d_(hid_t file, const char *name, hid_t ftype, hid_t mtype, hsize_t n, const void *data) {
    write_1d_dcpl_(file, name, ftype, mtype, n, data, H5P_DEFAULT);
}

static int lzf_listed_;

static void write_chunked_(hid_t file, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                           const void *data) {
    const hsize_t chunk = 2;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    if (lzf_listed_) H5Pset_filter(dcpl, 32000, H5Z_FLAG_OPTIONAL, 0, NULL);
    write_1d_dcpl_(file, name, ftype, mtype, n, data, dcpl);
    H5Pclose(dcpl);
}

static void write_raw_(const char *path, const Layout *lay) {
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    float t[N][3];
    int32_t u[N][3];
    memcpy(t, times_, sizeof t);
    memcpy(u, units_, sizeof u);
    if (lay->bad_unit) u[3][1] = lay->bad_unit;
    if (lay->bad_time != 0.0f) t[4][0] = lay->bad_time;
    hvl_t vt[N], vu[N];
    for (int i = 0; i < N; i++) {
        vt[i].len = 3;
        vt[i].p = t[i];
        vu[i].len = (lay->short_units && i == 2) ? 2 : 3;
        vu[i].p = u[i];
    }
    lzf_listed_ = lay->chunked == 2;
    hid_t tb = lay->times_base ? H5Tcopy(lay->times_base) : f16_();
    if (lay->skip != 1) {
        if (lay->times_not_vlen) {
            hsize_t d2[2] = {N, 3};
            hid_t s = H5Screate_simple(2, d2, NULL);
            hid_t g = H5Gcreate2(file, "/spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            hid_t d = H5Dcreate2(g, "times", H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t);
            H5Dclose(d);
            H5Gclose(g);
            H5Sclose(s);
        } else {
            hid_t fv = H5Tvlen_create(tb), mv = H5Tvlen_create(H5T_NATIVE_FLOAT);
            (lay->chunked ? write_chunked_ : write_1d_)(file, "/spikes/times", fv, mv, N, vt);
            H5Tclose(fv);
            H5Tclose(mv);
        }
    }
    if (lay->skip != 2) {
        hid_t fv = H5Tvlen_create(lay->units_base ? lay->units_base : H5T_STD_U16LE),
              mv = H5Tvlen_create(H5T_NATIVE_INT32);
        (lay->chunked ? write_chunked_ : write_1d_)(file, "/spikes/units", fv, mv,
                                                    lay->units_rows ? (hsize_t)lay->units_rows : N, vu);
        H5Tclose(fv);
        H5Tclose(mv);
    }
    H5Tclose(tb);
    int32_t labels[N] = {0, 1, 2, 3, 0}, speakers[N] = {1, 1, 2, 2, 3};
    if (lay->bad_label) labels[1] = lay->bad_label;
    hid_t lt = lay->label_type ? lay->label_type : H5T_STD_U16LE;
    if (lay->skip != 3) write_1d_(file, "/labels", lt, H5T_NATIVE_INT32, N, labels);
    if (lay->skip != 4) write_1d_(file, "/extra/speaker", lt, H5T_NATIVE_INT32, N, speakers);
    if (lay->skip != 5) {
        hid_t st = H5Tcopy(H5T_C_S1);
        if (lay->vlen_keys) {
            H5Tset_size(st, H5T_VARIABLE);
            H5Tset_cset(st, H5T_CSET_UTF8);
            write_1d_(file, "/extra/keys", st, st, 4, fixture_classes_);
        } else {
            char fixed[4][12];
            memset(fixed, 0, sizeof fixed);
            for (int i = 0; i < 4; i++) memcpy(fixed[i], fixture_classes_[i], strlen(fixture_classes_[i]));
            H5Tset_size(st, 12);
            H5Tset_strpad(st, H5T_STR_NULLPAD);
            write_1d_(file, "/extra/keys", st, st, 4, fixed);
        }
        H5Tclose(st);
    }
    H5Fclose(file);
}

/* Opens `path` and reads every sample: the first error, or MOSAIC_OK. */
static MosaicStatus read_every_sample_(const char *path, MosaicErr *err) {
    MosaicShd *shd;
    MosaicStatus st = mosaic_shd_open(path, &shd, err);
    if (st == MOSAIC_OK) {
        MosaicSpikes sp = {0};
        for (int64_t i = 0; i < mosaic_shd_num_samples(shd) && st == MOSAIC_OK; i++)
            st = mosaic_shd_read_sample(shd, i, &sp, err);
        mosaic_spikes_free(&sp);
        mosaic_shd_close(shd);
    }
    return st;
}

/* Opening and reading every sample of `path` fails with MOSAIC_ERR_INPUT and a message containing the
 * file name and w1, w2 (w2 may be NULL). */
static int fails_with_(const char *path, const char *w1, const char *w2) {
    MosaicErr err;
    MosaicStatus st = read_every_sample_(path, &err);
    if (st == MOSAIC_OK) {
        fprintf(stderr, "  %s: no error, expected one mentioning '%s'\n", path, w1);
        return 0;
    }
    printf("  expected error: %s\n", err.msg);
    return st == MOSAIC_ERR_INPUT && strstr(err.msg, path) && strstr(err.msg, w1) &&
           (!w2 || strstr(err.msg, w2));
}

/* Offset of the first occurrence of `magic` in the file, or -1. */
static long find_(const char *path, const char *magic) {
    FILE *fp = fopen(path, "rb");
    static unsigned char buf[1 << 16];
    const size_t n = fp ? fread(buf, 1, sizeof buf, fp) : 0, m = strlen(magic);
    if (fp) fclose(fp);
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(buf + i, magic, m)) return (long)i;
    return -1;
}

/* Little-endian integers of `n` bytes at `off`. */
static uint64_t peek_(const char *path, long off, int n) {
    unsigned char b[8] = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp || fseek(fp, off, SEEK_SET) != 0 || fread(b, 1, (size_t)n, fp) != (size_t)n) exit(3);
    fclose(fp);
    uint64_t v = 0;
    for (int i = n; i-- > 0;) v = v << 8 | b[i];
    return v;
}

static void poke_(const char *path, long off, int n, uint64_t v) {
    FILE *fp = fopen(path, "r+b");
    if (!fp || fseek(fp, off, SEEK_SET) != 0) exit(3);
    for (int i = 0; i < n; i++) fputc((int)(v >> (8 * i)) & 0xff, fp);
    fclose(fp);
}

/* damage_sweep's reader: every sample read, or refused with the file named. */
static int read_shd_(const char *path) {
    MosaicErr err;
    MosaicStatus st = read_every_sample_(path, &err);
    if (st == MOSAIC_OK) return DAMAGE_READ;
    if (st == MOSAIC_ERR_INPUT && strstr(err.msg, path)) return DAMAGE_REFUSED;
    fprintf(stderr, "  status %d, message: %s\n", (int)st, err.msg);
    return DAMAGE_WRONG_ERROR;
}

static int reads_all_(const char *path) {
    MosaicErr err;
    MosaicShd *shd;
    if (mosaic_shd_open(path, &shd, &err) != MOSAIC_OK) return fprintf(stderr, "%s\n", err.msg), 0;
    MosaicSpikes sp = {0};
    int ok = mosaic_shd_num_samples(shd) == N && mosaic_shd_num_classes(shd) == 4 &&
             !strcmp(mosaic_shd_class_name(shd, 3), "german-eins") && mosaic_shd_label(shd, 3) == 3 &&
             mosaic_shd_speaker(shd, 4) == 3;
    for (int i = 0; i < N && ok; i++) {
        ok = mosaic_shd_read_sample(shd, i, &sp, &err) == MOSAIC_OK && sp.n == 3;
        for (int k = 0; ok && k < 3; k++) ok = sp.times[k] == times_[i][k] && sp.units[k] == units_[i][k];
    }
    if (!ok) fprintf(stderr, "%s: content differs: %s\n", path, err.msg);
    mosaic_spikes_free(&sp);
    mosaic_shd_close(shd);
    return ok;
}

static void gzip_file_(const char *from, const char *to, long keep_bytes) {
    MosaicErr err;
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.full", to);
    if (mosaic_gz_compress_file(from, tmp, &err) != MOSAIC_OK) exit(3);
    FILE *in = fopen(tmp, "rb"), *out = fopen(to, "wb");
    int c;
    long n = 0;
    while ((keep_bytes < 0 || n < keep_bytes) && (c = fgetc(in)) != EOF) fputc(c, out), n++;
    fclose(in);
    fclose(out);
    remove(tmp);
}

int main(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char p[512], g[512];
    fixture_path(p, sizeof p, "raw.h5");
    fixture_path(g, sizeof g, "raw.h5.gz");

    TEST("ForeignButValidLayoutsRead") {
        Layout lay = {0};
        write_raw_(p, &lay);
        CHECK(reads_all_(p)); /* float16 times, uint16 units, fixed keys */
        lay.vlen_keys = 1;    /* h5py str keys */
        lay.times_base = H5T_IEEE_F32LE;
        lay.units_base = H5T_STD_I64LE;
        lay.label_type = H5T_STD_I64BE; /* wide, big-endian labels */
        write_raw_(p, &lay);
        CHECK(reads_all_(p));
        lay.times_base = H5T_IEEE_F64LE;
        lay.units_base = H5T_STD_I32LE;
        lay.label_type = H5T_STD_U8LE;
        write_raw_(p, &lay);
        CHECK(reads_all_(p));
    }

    TEST("MissingDatasetsAreNamed") {
        const char *names[] = {"/spikes/times", "/spikes/units", "/labels", "/extra/speaker", "/extra/keys"};
        for (int s = 1; s <= 5; s++) {
            Layout lay = {0};
            lay.skip = s;
            write_raw_(p, &lay);
            CHECK(fails_with_(p, names[s - 1], "missing"));
        }
    }

    TEST("WrongTypesAreNamed") {
        Layout lay = {0};
        lay.times_base = H5T_STD_I32LE; /* integer times */
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "/spikes/times", "float"));
        lay = (Layout){0};
        lay.times_not_vlen = 1;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "/spikes/times", "variable-length"));
        lay = (Layout){0};
        lay.label_type = H5T_IEEE_F32LE;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "/labels", "integer"));
    }

    TEST("RaggedLengthsMustAgree") {
        Layout lay = {0};
        lay.short_units = 1;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "sample 2", "ragged"));
        lay = (Layout){0};
        lay.units_rows = N - 1;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "/spikes/units", "4 samples"));
    }

    TEST("ValuesOutOfRangeNameTheSample") {
        Layout lay = {0};
        lay.bad_unit = 700;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "sample 3, spike 1", "unit 700"));
        lay.bad_unit = -1;
        lay.units_base = H5T_STD_I32LE;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "sample 3, spike 1", "unit -1"));
        lay = (Layout){0};
        lay.bad_label = 4;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "/labels', sample 1", "label 4"));
        lay = (Layout){0};
        lay.bad_time = -0.5f;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "sample 4, spike 0", "non-negative"));
        lay.bad_time = NAN;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "sample 4, spike 0", "finite"));
        lay.bad_time = INFINITY;
        lay.times_base = H5T_IEEE_F32LE;
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "sample 4, spike 0", "finite"));
    }

    TEST("ChunkedFilteredSpikesRead") {
        Layout lay = {0};
        lay.chunked = 1;
        write_raw_(p, &lay);
        CHECK(reads_all_(p));
        lay.chunked = 2; /* a filter this libhdf5 does not have is named, not reported as damage */
        write_raw_(p, &lay);
        CHECK(fails_with_(p, "'/spikes/times' is compressed with HDF5 filter 32000", "cannot decode"));
    }

    TEST("DamagedGlobalHeapIsRefusedBeforeHdf5ReadsIt") {
        /* libhdf5 1.10 trusts these sizes (it copied past its buffers, or looped for ever), so the
         * reader checks every heap object a spike train points to first: contiguous and chunked. */
        for (int chunked = 0; chunked < 2; chunked++) {
            Layout lay = {0};
            lay.chunked = chunked;
            write_raw_(p, &lay);
            const long gcol = find_(p, "GCOL");
            CHECK(gcol > 0);
            if (gcol <= 0) break;
            /* collection header 16 bytes; object 1 (sample 0's three float16 times): index, references,
             * reserved, then its size */
            const long obj1 = gcol + 16;
            CHECK_EQ_INT(peek_(p, obj1, 2), 1);
            CHECK_EQ_INT(peek_(p, obj1 + 8, 8), 6);
            poke_(p, obj1 + 8, 8, 8);
            CHECK(fails_with_(p, "'/spikes/times', element 0", "expected 6 bytes (3 values)"));
            poke_(p, obj1 + 8, 8, (uint64_t)1 << 40);
            CHECK(fails_with_(p, "'/spikes/times'", "running past its end"));
            poke_(p, obj1, 2, 0);
            poke_(p, obj1 + 8, 8, 0);
            CHECK(fails_with_(p, "'/spikes/times'", "loop for ever"));
            poke_(p, obj1, 2, 60000); /* an index nothing names: object 1 is then missing */
            poke_(p, obj1 + 8, 8, 6);
            CHECK(fails_with_(p, "'/spikes/times', element 0", "no such object"));
            poke_(p, gcol, 4, 0x4c4f4358u); /* "XCOL" */
            CHECK(fails_with_(p, "'/spikes/times'", "no GCOL signature"));
        }
        /* the file that crashed libhdf5 1.10.8 in fuzzing (tests/traces/fuzz-findings/) */
        const char *src = getenv("MOSAIC_SOURCE_DIR");
        char repro[1024];
        snprintf(repro, sizeof repro, "%s/tests/traces/fuzz-findings/hdf5-1.10.8-H5HG_read-overlap.h5",
                 src ? src : ".");
        CHECK(fails_with_(repro, "'/spikes/times'", "global heap"));
    }

    TEST("RandomlyDamagedFilesAreReadOrRefusedNeverCrash") {
        for (int chunked = 0; chunked < 2; chunked++) {
            Layout lay = {0};
            lay.chunked = chunked;
            write_raw_(p, &lay);
            char scratch[520];
            snprintf(scratch, sizeof scratch, "%s.damaged", p);
            DamageCounts c = damage_sweep(p, scratch, 5 + (uint64_t)chunked, 500, read_shd_);
            CHECK_EQ_INT(c.broken, 0);
            CHECK(c.refused > 0);
        }
    }

    TEST("TruncatedFilesFailCleanly") {
        Layout lay = {0};
        write_raw_(p, &lay);
        FILE *fp = fopen(p, "rb");
        fseek(fp, 0, SEEK_END);
        long size = ftell(fp);
        fclose(fp);
        char t[520];
        snprintf(t, sizeof t, "%s.cut", p);
        for (long keep = 0; keep < size; keep += size / 7 + 1) {
            FILE *in = fopen(p, "rb"), *out = fopen(t, "wb");
            for (long i = 0; i < keep; i++) fputc(fgetc(in), out);
            fclose(in);
            fclose(out);
            CHECK(fails_with_(t, "raw.h5.cut", NULL));
        }
    }

    TEST("GzipStreamsCutShortOrDamagedFailCleanly") {
        Layout lay = {0};
        write_raw_(p, &lay);
        gzip_file_(p, g, -1);
        CHECK(reads_all_(g));
        FILE *fp = fopen(g, "rb");
        fseek(fp, 0, SEEK_END);
        long size = ftell(fp);
        fclose(fp);
        gzip_file_(p, g, size - 9); /* the trailer and a byte of data missing */
        CHECK(fails_with_(g, "ends early", NULL));
        gzip_file_(p, g, size / 2);
        CHECK(fails_with_(g, "ends early", NULL));
        gzip_file_(p, g, 5); /* inside the gzip header */
        CHECK(fails_with_(g, "ends early", NULL));
        FILE *junk = fopen(g, "wb");
        fputs("this is not gzip at all", junk);
        fclose(junk);
        CHECK(fails_with_(g, "gzip", NULL));
        /* valid gzip of something that is not HDF5 */
        gzFile z = gzopen(g, "wb");
        gzputs(z, "plain text, compressed");
        gzclose(z);
        CHECK(fails_with_(g, "not an HDF5 file", NULL));
        /* a flipped bit in the deflate data: the CRC or the decoder catches it */
        gzip_file_(p, g, -1);
        FILE *rw = fopen(g, "r+b");
        fseek(rw, size / 2, SEEK_SET);
        int c = fgetc(rw);
        fseek(rw, size / 2, SEEK_SET);
        fputc(c ^ 0x10, rw);
        fclose(rw);
        CHECK(fails_with_(g, "raw.h5.gz", NULL));
    }

    TEST("DecompressionLimitIsEnforced") {
        Layout lay = {0};
        write_raw_(p, &lay);
        gzip_file_(p, g, -1);
        FILE *fp = fopen(g, "rb");
        unsigned char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        MosaicShd *shd;
        MosaicErr err;
        CHECK(mosaic_shd_open_gz_memory("mem.h5.gz", buf, n, 1000, &shd, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "limit") != NULL);
        CHECK(mosaic_shd_open_gz_memory("mem.h5.gz", buf, n, SIZE_MAX, &shd, &err) == MOSAIC_OK);
        CHECK_EQ_INT(mosaic_shd_num_samples(shd), N);
        mosaic_shd_close(shd);
    }

    fixture_cleanup();
    return mosaic_test_finish();
}
