/* mosaic_shd: reader and writer of SHD-layout spike datasets (see mosaic_shd.h). */
#define _POSIX_C_SOURCE 200809L

#include "mosaic_shd.h"

#include <assert.h>
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mosaic_files.h"
#include "mosaic_gz.h"
#include "mosaic_h5.h"
#include "mosaic_h5_heap.h"
#include "mosaic_input_guard.h"
#include "mosaic_rng.h"

/* ---- float16 ---- */

/* Round to nearest even, as numpy's float -> float16 cast. Normal results add the rounding bias
 * (0xfff plus the lowest kept mantissa bit, which makes ties go to even) before truncating; subnormal
 * results let the FPU round by adding a magic number whose exponent puts the binary16 subnormal unit
 * at the float's last mantissa bit. */
uint16_t mosaic_f16_from_float(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    uint32_t sign = (u >> 16) & 0x8000u;
    u &= 0x7fffffffu;
    if (u >= 0x47800000u) /* >= 65536 (or inf/nan): binary16 has nothing that large */
        return (uint16_t)(sign | (u > 0x7f800000u ? 0x7e00u : 0x7c00u));
    if (u < 0x38800000u) {                   /* below 2^-14: subnormal or zero */
        const uint32_t magic_u = 126u << 23; /* 0.5f: its ulp is 2^-24, the binary16 subnormal unit */
        float magic, v;
        memcpy(&magic, &magic_u, 4);
        memcpy(&v, &u, 4);
        v += magic;
        memcpy(&u, &v, 4);
        return (uint16_t)(sign | (u - magic_u));
    }
    uint32_t odd = (u >> 13) & 1u;
    u += ((uint32_t)(15 - 127) << 23) + 0xfffu + odd;
    return (uint16_t)(sign | (u >> 13)); /* an overflow past 65504 carries into the infinity pattern */
}

float mosaic_f16_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, u;
    if (exp == 0) {
        float v = (float)man * 0x1p-24f; /* zero or subnormal: exact in float */
        memcpy(&u, &v, 4);
        u |= sign;
    } else if (exp == 31) {
        u = sign | 0x7f800000u | (man << 13);
    } else {
        u = sign | ((exp + 112u) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* The HDF5 description of IEEE binary16 (HDF5 1.10 has no predefined half type): sign bit 15,
 * exponent bits 10-14 with bias 15, mantissa bits 0-9. */
static hid_t f16_type_(void) {
    hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(t, 15, 10, 5, 0, 10);
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 15);
    return t;
}

static bool is_f16_(hid_t t) {
    size_t spos, epos, esize, mpos, msize;
    if (H5Tget_class(t) != H5T_FLOAT || H5Tget_size(t) != 2 || H5Tget_order(t) != H5T_ORDER_LE) return false;
    if (H5Tget_fields(t, &spos, &epos, &esize, &mpos, &msize) < 0) return false;
    return spos == 15 && epos == 10 && esize == 5 && mpos == 0 && msize == 10 && H5Tget_ebias(t) == 15 &&
           H5Tget_norm(t) == H5T_NORM_IMPLIED && H5Tget_offset(t) == 0;
}

void mosaic_spikes_free(MosaicSpikes *spikes) {
    if (!spikes) return;
    free(spikes->times);
    free(spikes->units);
    memset(spikes, 0, sizeof *spikes);
}

static bool spikes_reserve_(MosaicSpikes *s, int64_t n) {
    if (n <= s->cap) return true;
    int64_t cap = s->cap ? s->cap : 1024;
    while (cap < n) cap *= 2;
    float *t = realloc(s->times, sizeof(float) * (size_t)cap);
    if (t) s->times = t;
    int32_t *u = realloc(s->units, sizeof(int32_t) * (size_t)cap);
    if (u) s->units = u;
    if (!t || !u) return false;
    s->cap = cap;
    return true;
}

/* ---- file images: open an inflated .gz in place ----
 * HDF5 copies a file image at every hand-over (property list, copy of the list, core driver) unless
 * the application supplies allocation callbacks. These hand out the one inflated buffer we own, make
 * copies onto itself no-ops and never free it (we free it after the file is closed); the file is
 * read-only, so the core driver never reallocates. */

typedef struct {
    void *buf;
    size_t size;
} ImageUdata_;

static void *image_malloc_(size_t size, H5FD_file_image_op_t op, void *udata) {
    (void)op;
    ImageUdata_ *u = udata;
    return size == u->size ? u->buf : NULL;
}

static void *image_memcpy_(void *dest, const void *src, size_t size, H5FD_file_image_op_t op, void *udata) {
    (void)op;
    (void)udata;
    if (dest != src) memcpy(dest, src, size);
    return dest;
}

static void *image_realloc_(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata) {
    (void)ptr;
    (void)size;
    (void)op;
    (void)udata;
    return NULL;
}

static herr_t image_free_(void *ptr, H5FD_file_image_op_t op, void *udata) {
    (void)ptr;
    (void)op;
    (void)udata;
    return 0;
}

static void *udata_copy_(void *udata) { return udata; }
static herr_t udata_free_(void *udata) {
    (void)udata;
    return 0;
}

/* HDF5 callocs its type-conversion buffer (1 MiB by default) on every H5Dread/H5Dwrite that converts,
 * and a variable-length transfer always converts: per one-sample read or write that memset dominated
 * the whole run. One hvl_t per transfer needs a few bytes. */
static hid_t small_xfer_(void) {
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl >= 0 && H5Pset_buffer(dxpl, 4096, NULL, NULL) < 0) {
        H5Pclose(dxpl);
        return H5I_INVALID_HID;
    }
    return dxpl;
}

/* ---- reader ---- */

struct MosaicShd {
    char *path;
    hid_t file;
    unsigned char *image; /* inflated .gz, or NULL */
    ImageUdata_ udata;
    hid_t d_times, d_units;
    hid_t s_times, s_units; /* file dataspaces, re-selected per sample */
    hid_t mem1;             /* one-element memory dataspace */
    hid_t dxpl;             /* transfer properties with a small conversion buffer (see open_datasets_) */
    hid_t mt_times, mt_units;
    bool times_raw16; /* stored as IEEE binary16: read the bits, convert here (HDF5's soft path is slow) */
    char times_type[32];
    int64_t n;
    int n_classes, n_units;
    char **names;
    int32_t *labels, *speakers;
};

void mosaic_shd_close(MosaicShd *shd) {
    if (!shd) return;
    hid_t ids[] = {shd->d_times, shd->d_units};
    for (int i = 0; i < 2; i++)
        if (ids[i] >= 0) H5Dclose(ids[i]);
    if (shd->s_times >= 0) H5Sclose(shd->s_times);
    if (shd->s_units >= 0) H5Sclose(shd->s_units);
    if (shd->mem1 >= 0) H5Sclose(shd->mem1);
    if (shd->dxpl >= 0) H5Pclose(shd->dxpl);
    if (shd->mt_times >= 0) H5Tclose(shd->mt_times);
    if (shd->mt_units >= 0) H5Tclose(shd->mt_units);
    if (shd->file >= 0) H5Fclose(shd->file);
    free(shd->image);
    if (shd->names)
        for (int i = 0; i < shd->n_classes; i++) free(shd->names[i]);
    free(shd->names);
    free(shd->labels);
    free(shd->speakers);
    free(shd->path);
    free(shd);
}

/* Opens dataset `name`, checks it is one-dimensional of type class `cls` (for VLEN: of base class
 * `base_cls`), and returns its length. */
static MosaicStatus open_1d_(MosaicShd *shd, const char *name, H5T_class_t cls, H5T_class_t base_cls,
                             const char *what, hid_t *ds_out, int64_t *len, MosaicErr *err) {
    *ds_out = H5I_INVALID_HID;
    if (!mosaic_h5_exists_at(shd->file, name))
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: dataset '%s' is missing (expected %s; is this an SHD file?)", shd->path, name,
                          what);
    hid_t ds = H5Dopen2(shd->file, name, H5P_DEFAULT);
    if (ds < 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: '%s' is not a dataset (expected %s)", shd->path, name,
                          what);
    hid_t t = H5Dget_type(ds), s = H5Dget_space(ds);
    bool ok = t >= 0 && s >= 0 && H5Sget_simple_extent_ndims(s) == 1 && H5Tget_class(t) == cls;
    if (ok && cls == H5T_VLEN) {
        hid_t base = H5Tget_super(t);
        ok = base >= 0 && H5Tget_class(base) == base_cls;
        if (base >= 0) H5Tclose(base);
    }
    hsize_t d = 0;
    if (ok) H5Sget_simple_extent_dims(s, &d, NULL);
    /* h5py offers filters the C library lacks (lzf): say so, rather than that every read fails */
    hid_t dcpl = ok ? H5Dget_create_plist(ds) : H5I_INVALID_HID;
    const int nf = dcpl >= 0 ? H5Pget_nfilters(dcpl) : 0;
    for (int j = 0; j < nf && ok; j++) {
        unsigned flags = 0;
        size_t ncd = 0;
        char fname[64] = "";
        const H5Z_filter_t id =
            H5Pget_filter2(dcpl, (unsigned)j, &flags, &ncd, NULL, sizeof fname, fname, NULL);
        if (id >= 0 && H5Zfilter_avail(id) <= 0) {
            if (t >= 0) H5Tclose(t);
            if (s >= 0) H5Sclose(s);
            H5Pclose(dcpl);
            H5Dclose(ds);
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: dataset '%s' is compressed with HDF5 filter %d (%s), which this libhdf5 "
                              "cannot decode (expected gzip or no compression; h5py: compression=\"gzip\")",
                              shd->path, name, (int)id, fname[0] ? fname : "unnamed");
        }
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Sclose(s);
    if (!ok) {
        H5Dclose(ds);
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': expected %s", shd->path, name, what);
    }
    *ds_out = ds;
    *len = (int64_t)d;
    return MOSAIC_OK;
}

/* Reads a one-dimensional integer dataset of length n into int32 (HDF5 converts any width). */
static MosaicStatus read_ints_(MosaicShd *shd, const char *name, int64_t n, int32_t **out, MosaicErr *err) {
    hid_t ds;
    int64_t len = 0;
    MOSAIC_TRY(
        open_1d_(shd, name, H5T_INTEGER, H5T_NO_CLASS, "a one-dimensional integer array", &ds, &len, err));
    MosaicStatus st = MOSAIC_OK;
    if (len != n)
        st = mosaic_err(err, MOSAIC_ERR_INPUT,
                        "%s: dataset '%s' has %lld entries, expected %lld (one per sample)", shd->path, name,
                        (long long)len, (long long)n);
    else if (!(*out = malloc(sizeof(int32_t) * (size_t)(n ? n : 1))))
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", shd->path);
    else if (n && H5Dread(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0)
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': read failed (damaged file?)", shd->path,
                        name);
    H5Dclose(ds);
    return st;
}

static MosaicStatus read_keys_(MosaicShd *shd, MosaicErr *err) {
    const char *name = "/extra/keys";
    hid_t ds;
    int64_t n = 0;
    MOSAIC_TRY(open_1d_(shd, name, H5T_STRING, H5T_NO_CLASS, "a one-dimensional array of class-name strings",
                        &ds, &n, err));
    MosaicStatus st = MOSAIC_OK;
    hid_t ft = H5Dget_type(ds);
    if (n < 1 || n > 65536) {
        st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s' has %lld class names, expected 1 to 65536",
                        shd->path, name, (long long)n);
        goto done;
    }
    shd->names = calloc((size_t)n, sizeof(char *));
    if (!shd->names) {
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", shd->path);
        goto done;
    }
    shd->n_classes = (int)n;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mt, H5Tget_cset(ft)); /* HDF5 1.10 converts no string between ASCII and UTF-8 (h5py's str) */
    if (H5Tis_variable_str(ft) > 0) {
        H5Tset_size(mt, H5T_VARIABLE);
        const MosaicH5Bytes bytes = {shd->path, shd->image, shd->image ? shd->udata.size : 0};
        char **v = calloc((size_t)n, sizeof(char *));
        if (!v)
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", shd->path);
        else if ((st = mosaic_h5_heap_check(shd->file, ds, name, &bytes, err)) != MOSAIC_OK)
            ; /* the message says what is damaged */
        else if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': read failed (damaged file?)", shd->path,
                            name);
        else {
            for (int64_t i = 0; i < n && st == MOSAIC_OK; i++)
                if (!(shd->names[i] = strdup(v[i] ? v[i] : "")))
                    st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", shd->path);
            hid_t s = H5Dget_space(ds);
            H5Dvlen_reclaim(mt, s, H5P_DEFAULT, v);
            H5Sclose(s);
        }
        free(v);
    } else {
        size_t w = H5Tget_size(ft);
        H5Tset_size(mt, w);
        H5Tset_strpad(mt, H5T_STR_NULLPAD);
        char *buf = w && w < (1u << 16) ? calloc((size_t)n, w) : NULL;
        if (!buf)
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': bad string width %zu", shd->path, name,
                            w);
        else if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': read failed (damaged file?)", shd->path,
                            name);
        else
            for (int64_t i = 0; i < n && st == MOSAIC_OK; i++)
                if (!(shd->names[i] = strndup(buf + (size_t)i * w, w)))
                    st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", shd->path);
        free(buf);
    }
    H5Tclose(mt);
done:
    H5Tclose(ft);
    H5Dclose(ds);
    return st;
}

/* Opens shd->image (len bytes, owned by shd) as a read-only in-memory HDF5 file. */
static MosaicStatus open_image_(MosaicShd *shd, size_t len, MosaicErr *err) {
    static const unsigned char signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /* HDF5 looks for its superblock at 0, 512, 1024, ...; the files we read start with it. Checking here
     * turns the commonest wrong input into a clear message instead of an HDF5 failure. */
    if (len < sizeof signature || memcmp(shd->image, signature, sizeof signature) != 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: the inflated content is not an HDF5 file", shd->path);
    shd->udata.buf = shd->image;
    shd->udata.size = len;
    H5FD_file_image_callbacks_t cb = {image_malloc_, image_memcpy_, image_realloc_, image_free_,
                                      udata_copy_,   udata_free_,   &shd->udata};
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    bool ok = fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 20, 0) >= 0 &&
              H5Pset_file_image_callbacks(fapl, &cb) >= 0 && H5Pset_file_image(fapl, shd->image, len) >= 0;
    /* The core driver refuses to open an image under the name of a file that exists on disk. */
    size_t nlen = strlen(shd->path) + 32;
    char *name = malloc(nlen);
    if (name) snprintf(name, nlen, "mosaic-image:%s", shd->path);
    if (ok && name) shd->file = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    free(name);
    if (fapl >= 0) H5Pclose(fapl);
    if (!ok)
        return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: HDF5 refused the in-memory file image", shd->path);
    if (shd->file < 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: HDF5 cannot open the inflated content (truncated or damaged?)", shd->path);
    return MOSAIC_OK;
}

static MosaicStatus open_file_(MosaicShd *shd, MosaicErr *err) {
    const char *path = shd->path;
    if (access(path, R_OK) != 0) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open for reading", path);
    if (!mosaic_gz_is_gz_path(path)) {
        if (H5Fis_hdf5(path) <= 0)
            return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: not an HDF5 file (truncated or damaged?)", path);
        shd->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (shd->file < 0)
            return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: HDF5 cannot open it (truncated or damaged?)", path);
        return MOSAIC_OK;
    }
    size_t len;
    MOSAIC_TRY(mosaic_gz_inflate_file(path, SIZE_MAX, &shd->image, &len, err));
    return open_image_(shd, len, err);
}

/* Everything after the file is open: datasets, types, labels, speakers, names. */
static MosaicStatus open_datasets_(MosaicShd *shd, MosaicErr *err) {
    int64_t n_times = 0, n_units = 0;
    MOSAIC_TRY(open_1d_(shd, "/spikes/times", H5T_VLEN, H5T_FLOAT,
                        "a one-dimensional array of variable-length float arrays (spike times per sample)",
                        &shd->d_times, &n_times, err));
    MOSAIC_TRY(open_1d_(shd, "/spikes/units", H5T_VLEN, H5T_INTEGER,
                        "a one-dimensional array of variable-length integer arrays (channels per sample)",
                        &shd->d_units, &n_units, err));
    shd->n = n_times;
    /* libhdf5 would trust the heap objects behind these elements: check them first (mosaic_h5_heap.h). */
    const MosaicH5Bytes bytes = {shd->path, shd->image, shd->image ? shd->udata.size : 0};
    MOSAIC_TRY(mosaic_h5_heap_check(shd->file, shd->d_times, "/spikes/times", &bytes, err));
    MOSAIC_TRY(mosaic_h5_heap_check(shd->file, shd->d_units, "/spikes/units", &bytes, err));
    if (n_units != n_times)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: dataset '/spikes/units' has %lld samples, expected %lld like "
                          "'/spikes/times'",
                          shd->path, (long long)n_units, (long long)n_times);
    MOSAIC_TRY(read_ints_(shd, "/labels", shd->n, &shd->labels, err));
    MOSAIC_TRY(read_ints_(shd, "/extra/speaker", shd->n, &shd->speakers, err));
    MOSAIC_TRY(read_keys_(shd, err));

    shd->n_units = MOSAIC_SHD_UNITS;
    if (H5Aexists(shd->file, "n_units") > 0) {
        int64_t v = 0;
        hid_t a = H5Aopen(shd->file, "n_units", H5P_DEFAULT);
        hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
        bool ok = t >= 0 && H5Tget_class(t) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_INT64, &v) >= 0;
        if (t >= 0) H5Tclose(t);
        if (a >= 0) H5Aclose(a);
        if (!ok || v < 1 || v > 65536)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: root attribute 'n_units': expected an integer in [1, 65536]", shd->path);
        shd->n_units = (int)v;
    }
    for (int64_t i = 0; i < shd->n; i++) {
        if (shd->labels[i] < 0 || shd->labels[i] >= shd->n_classes)
            return mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: dataset '/labels', sample %lld: label %d, expected a class in [0, %d) (the %d names "
                "of /extra/keys)",
                shd->path, (long long)i, shd->labels[i], shd->n_classes, shd->n_classes);
        if (shd->speakers[i] < 0)
            return mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: dataset '/extra/speaker', sample %lld: speaker %d, expected a non-negative id",
                shd->path, (long long)i, shd->speakers[i]);
    }

    /* Memory types: the file's own binary16 (converted here) or native float; native int32 units. */
    hid_t ft = H5Dget_type(shd->d_times), base = H5Tget_super(ft);
    size_t bsize = H5Tget_size(base);
    shd->times_raw16 = is_f16_(base);
    snprintf(shd->times_type, sizeof shd->times_type, "float%zu%s", bsize * 8,
             bsize == 2 && !shd->times_raw16 ? " (non-IEEE layout)" : "");
    shd->mt_times = H5Tvlen_create(shd->times_raw16 ? base : H5T_NATIVE_FLOAT);
    H5Tclose(base);
    H5Tclose(ft);
    shd->mt_units = H5Tvlen_create(H5T_NATIVE_INT32);
    hsize_t one = 1;
    shd->mem1 = H5Screate_simple(1, &one, NULL);
    shd->dxpl = small_xfer_();
    shd->s_times = H5Dget_space(shd->d_times);
    shd->s_units = H5Dget_space(shd->d_units);
    if (shd->mt_times < 0 || shd->mt_units < 0 || shd->mem1 < 0 || shd->dxpl < 0 || shd->s_times < 0 ||
        shd->s_units < 0)
        return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: HDF5 could not set up the spike reads", shd->path);
    return MOSAIC_OK;
}

static MosaicShd *alloc_shd_(const char *path) {
    MosaicShd *shd = calloc(1, sizeof *shd);
    if (!shd) return NULL;
    shd->file = shd->d_times = shd->d_units = H5I_INVALID_HID;
    shd->s_times = shd->s_units = shd->mem1 = shd->dxpl = shd->mt_times = shd->mt_units = H5I_INVALID_HID;
    shd->path = strdup(path);
    if (!shd->path) {
        free(shd);
        return NULL;
    }
    return shd;
}

static MosaicStatus shd_open_unguarded_(const char *path, MosaicShd **out, MosaicErr *err) {
    mosaic_h5_quiet();
    *out = NULL;
    MosaicShd *shd = alloc_shd_(path);
    if (!shd) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    MosaicStatus st = open_file_(shd, err);
    if (st == MOSAIC_OK) st = open_datasets_(shd, err);
    if (st != MOSAIC_OK) {
        mosaic_shd_close(shd);
        return st;
    }
    *out = shd;
    return MOSAIC_OK;
}

MosaicStatus mosaic_shd_open(const char *path, MosaicShd **out, MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(path);
    MosaicStatus st = shd_open_unguarded_(path, out, err);
    mosaic_input_leave(enclosing);
    return st;
}

static MosaicStatus shd_open_gz_memory_unguarded_(const char *name, const void *data, size_t n,
                                                  size_t max_inflated, MosaicShd **out, MosaicErr *err) {
    mosaic_h5_quiet();
    *out = NULL;
    MosaicShd *shd = alloc_shd_(name);
    if (!shd) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", name);
    size_t len;
    MosaicStatus st = mosaic_gz_inflate(name, data, n, max_inflated, &shd->image, &len, err);
    if (st == MOSAIC_OK) st = open_image_(shd, len, err);
    if (st == MOSAIC_OK) st = open_datasets_(shd, err);
    if (st != MOSAIC_OK) {
        mosaic_shd_close(shd);
        return st;
    }
    *out = shd;
    return MOSAIC_OK;
}

MosaicStatus mosaic_shd_open_gz_memory(const char *name, const void *data, size_t n, size_t max_inflated,
                                       MosaicShd **out, MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(name);
    MosaicStatus st = shd_open_gz_memory_unguarded_(name, data, n, max_inflated, out, err);
    mosaic_input_leave(enclosing);
    return st;
}

const char *mosaic_shd_path(const MosaicShd *shd) { return shd->path; }
int64_t mosaic_shd_num_samples(const MosaicShd *shd) { return shd->n; }
int mosaic_shd_num_classes(const MosaicShd *shd) { return shd->n_classes; }
int mosaic_shd_num_units(const MosaicShd *shd) { return shd->n_units; }
const char *mosaic_shd_times_type(const MosaicShd *shd) { return shd->times_type; }

const char *mosaic_shd_class_name(const MosaicShd *shd, int cls) {
    assert(cls >= 0 && cls < shd->n_classes);
    return shd->names[cls];
}

int32_t mosaic_shd_label(const MosaicShd *shd, int64_t sample) {
    assert(sample >= 0 && sample < shd->n);
    return shd->labels[sample];
}

int32_t mosaic_shd_speaker(const MosaicShd *shd, int64_t sample) {
    assert(sample >= 0 && sample < shd->n);
    return shd->speakers[sample];
}

/* Reads element `i` of a vlen dataset into *vl (to be reclaimed with `mt`). */
static MosaicStatus read_vlen_(MosaicShd *shd, hid_t ds, hid_t space, hid_t mt, const char *name, int64_t i,
                               hvl_t *vl, MosaicErr *err) {
    hsize_t start = (hsize_t)i, count = 1;
    vl->len = 0;
    vl->p = NULL;
    if (H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0 ||
        H5Dread(ds, mt, shd->mem1, space, shd->dxpl, vl) < 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s', sample %lld: read failed (damaged file?)",
                          shd->path, name, (long long)i);
    return MOSAIC_OK;
}

static MosaicStatus shd_read_sample_unguarded_(MosaicShd *shd, int64_t sample, MosaicSpikes *out,
                                               MosaicErr *err) {
    if (sample < 0 || sample >= shd->n)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: sample %lld does not exist (the file has %lld)",
                          shd->path, (long long)sample, (long long)shd->n);
    hvl_t vt, vu;
    MOSAIC_TRY(read_vlen_(shd, shd->d_times, shd->s_times, shd->mt_times, "/spikes/times", sample, &vt, err));
    MosaicStatus st =
        read_vlen_(shd, shd->d_units, shd->s_units, shd->mt_units, "/spikes/units", sample, &vu, err);
    if (st != MOSAIC_OK) {
        H5Dvlen_reclaim(shd->mt_times, shd->mem1, H5P_DEFAULT, &vt);
        return st;
    }
    int64_t n = (int64_t)vt.len;
    if (vu.len != vt.len)
        st = mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: sample %lld: '/spikes/times' has %lld spikes but '/spikes/units' has %lld (ragged "
            "lengths must be equal)",
            shd->path, (long long)sample, (long long)vt.len, (long long)vu.len);
    else if (!spikes_reserve_(out, n))
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: sample %lld: out of memory for %lld spikes", shd->path,
                        (long long)sample, (long long)n);
    if (st == MOSAIC_OK) {
        out->n = n;
        if (shd->times_raw16) {
            const uint16_t *h = vt.p;
            for (int64_t k = 0; k < n; k++) out->times[k] = mosaic_f16_to_float(h[k]);
        } else if (n) {
            memcpy(out->times, vt.p, sizeof(float) * (size_t)n);
        }
        if (n) memcpy(out->units, vu.p, sizeof(int32_t) * (size_t)n);
    }
    H5Dvlen_reclaim(shd->mt_times, shd->mem1, H5P_DEFAULT, &vt);
    H5Dvlen_reclaim(shd->mt_units, shd->mem1, H5P_DEFAULT, &vu);
    if (st != MOSAIC_OK) return st;
    for (int64_t k = 0; k < n; k++) {
        float t = out->times[k];
        if (!isfinite(t) || t < 0.0f)
            return mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: dataset '/spikes/times', sample %lld, spike %lld: time %g, expected a finite "
                "non-negative number of seconds",
                shd->path, (long long)sample, (long long)k, (double)t);
        int32_t u = out->units[k];
        if (u < 0 || u >= shd->n_units)
            return mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: dataset '/spikes/units', sample %lld, spike %lld: unit %d, expected a channel in "
                "[0, %d)",
                shd->path, (long long)sample, (long long)k, u, shd->n_units);
    }
    return MOSAIC_OK;
}

MosaicStatus mosaic_shd_read_sample(MosaicShd *shd, int64_t sample, MosaicSpikes *out, MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(shd->path);
    MosaicStatus st = shd_read_sample_unguarded_(shd, sample, out, err);
    mosaic_input_leave(enclosing);
    return st;
}

/* ---- speakers ---- */

static int cmp_i32_(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

MosaicStatus mosaic_shd_speakers(const MosaicShd *shd, int32_t **speakers, int *n, MosaicErr *err) {
    int64_t ns = mosaic_shd_num_samples(shd);
    int32_t *all = malloc(sizeof(int32_t) * (size_t)(ns ? ns : 1));
    if (!all) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", mosaic_shd_path(shd));
    for (int64_t i = 0; i < ns; i++) all[i] = mosaic_shd_speaker(shd, i);
    qsort(all, (size_t)ns, sizeof *all, cmp_i32_);
    int k = 0;
    for (int64_t i = 0; i < ns; i++)
        if (i == 0 || all[i] != all[i - 1]) all[k++] = all[i];
    *speakers = all;
    *n = k;
    return MOSAIC_OK;
}

MosaicStatus mosaic_shd_pick_speakers(const MosaicShd *shd, uint64_t seed, int n_pick, int32_t *picked,
                                      MosaicErr *err) {
    int32_t *all;
    int n;
    MOSAIC_TRY(mosaic_shd_speakers(shd, &all, &n, err));
    if (n_pick < 0 || n_pick >= n) {
        free(all);
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: cannot hold out %d of %d speakers (at least one must stay for training)",
                          mosaic_shd_path(shd), n_pick, n);
    }
    MosaicRng rng;
    mosaic_rng_seed(&rng, seed);
    for (int i = 0; i < n_pick; i++) { /* partial Fisher-Yates */
        int j = i + (int)mosaic_rng_below(&rng, (uint64_t)(n - i));
        int32_t t = all[i];
        all[i] = all[j];
        all[j] = t;
    }
    memcpy(picked, all, sizeof(int32_t) * (size_t)n_pick);
    qsort(picked, (size_t)n_pick, sizeof *picked, cmp_i32_);
    free(all);
    return MOSAIC_OK;
}

/* ---- writer ---- */

struct MosaicShdWriter {
    MosaicH5File *h5;
    char *final_path; /* the path the user asked for */
    char *h5_path;    /* where the HDF5 file is committed: final_path, or a temporary for ".gz" */
    bool gz;
    int gz_tracked; /* mosaic_tmp_track handle of that temporary (removed if the program is interrupted) */
    char *gz_ready; /* ".gz", closed: the compressed file under its temporary name, for publish */
    int gz_ready_tracked;
    hid_t d_times, d_units, t_f16, vl_times, vl_units, dxpl;
    int n_classes, n_units;
    int64_t n, cap;
    uint16_t *labels, *speakers; /* (cap) written at finish */
    uint16_t *hbuf, *ubuf;       /* one sample's converted times and units */
    int64_t bufcap;
};

static void writer_close_ids_(MosaicShdWriter *w) {
    if (w->d_times >= 0) H5Dclose(w->d_times);
    if (w->d_units >= 0) H5Dclose(w->d_units);
    if (w->vl_times >= 0) H5Tclose(w->vl_times);
    if (w->vl_units >= 0) H5Tclose(w->vl_units);
    if (w->t_f16 >= 0) H5Tclose(w->t_f16);
    if (w->dxpl >= 0) H5Pclose(w->dxpl);
    w->d_times = w->d_units = w->vl_times = w->vl_units = w->t_f16 = w->dxpl = H5I_INVALID_HID;
}

static void writer_free_(MosaicShdWriter *w) {
    mosaic_tmp_untrack(w->gz_tracked);
    mosaic_tmp_untrack(w->gz_ready_tracked);
    free(w->gz_ready);
    free(w->final_path);
    free(w->h5_path);
    free(w->labels);
    free(w->speakers);
    free(w->hbuf);
    free(w->ubuf);
    free(w);
}

void mosaic_shd_writer_abort(MosaicShdWriter *w) {
    if (!w) return;
    writer_close_ids_(w);
    mosaic_h5_abort(w->h5);
    if (w->gz_ready) unlink(w->gz_ready);
    writer_free_(w);
}

/* An extendible one-dimensional vlen dataset, chunked and deflated like the official files. */
static hid_t create_ragged_(hid_t file, const char *name, hid_t type) {
    hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = 256;
    hid_t space = H5Screate_simple(1, &zero, &unlimited);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    H5Pset_deflate(dcpl, 4);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t ds = H5Dcreate2(file, name, type, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    return ds;
}

static MosaicStatus write_keys_(MosaicShdWriter *w, const char *const *names, MosaicErr *err) {
    /* n_classes was checked to be 1..65536 at begin; an unsigned count keeps the compiler from
     * assuming a negative one reaches calloc (-Walloc-size-larger-than in optimised builds). */
    const size_t nc = (unsigned)w->n_classes;
    size_t width = 1;
    for (size_t i = 0; i < nc; i++)
        if (strlen(names[i]) > width) width = strlen(names[i]);
    char *buf = calloc(nc, width);
    if (!buf) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", w->final_path);
    int ascii = 1;
    for (size_t i = 0; i < nc; i++) {
        memcpy(buf + i * width, names[i], strlen(names[i]));
        for (const unsigned char *c = (const unsigned char *)names[i]; *c; c++) ascii &= *c < 0x80;
    }
    /* numpy's "S" strings, as h5py stores them: fixed width, null-padded ASCII; keys that are not
     * ASCII ("german-fünf") are declared UTF-8, so that the type says what the bytes are. */
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, width);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, ascii ? H5T_CSET_ASCII : H5T_CSET_UTF8);
    hsize_t n = (hsize_t)w->n_classes;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t ds = H5Dcreate2(mosaic_h5_id(w->h5), "/extra/keys", t, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    MosaicStatus st = MOSAIC_OK;
    if (ds < 0 || H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write '/extra/keys'", w->final_path);
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(lcpl);
    H5Sclose(space);
    H5Tclose(t);
    free(buf);
    return st;
}

MosaicStatus mosaic_shd_writer_begin(const char *path, const char *const *class_names, int n_classes,
                                     int n_units, MosaicShdWriter **out, MosaicErr *err) {
    mosaic_h5_quiet();
    *out = NULL;
    if (n_classes < 1 || n_classes > 65536)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: %d classes, expected 1 to 65536", path, n_classes);
    if (n_units < 1 || n_units > 65536)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: %d units, expected 1 to 65536 (units are stored as uint16)", path, n_units);
    MosaicShdWriter *w = calloc(1, sizeof *w);
    if (!w) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    w->d_times = w->d_units = w->t_f16 = w->vl_times = w->vl_units = w->dxpl = H5I_INVALID_HID;
    w->n_classes = n_classes;
    w->n_units = n_units;
    w->gz = mosaic_gz_is_gz_path(path);
    w->gz_tracked = w->gz_ready_tracked = -1;
    w->final_path = strdup(path);
    size_t len = strlen(path) + 40;
    w->h5_path = malloc(len);
    if (!w->final_path || !w->h5_path) {
        writer_free_(w);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    }
    if (w->gz) {
        mosaic_tmp_name(path, "h5tmp", w->h5_path, len);
        w->gz_tracked = mosaic_tmp_track(w->h5_path);
    } else
        snprintf(w->h5_path, len, "%s", path);
    MosaicStatus st = mosaic_h5_create(w->h5_path, &w->h5, err);
    if (st != MOSAIC_OK) {
        writer_free_(w);
        return st;
    }
    hid_t file = mosaic_h5_id(w->h5);
    w->t_f16 = f16_type_();
    w->vl_times = H5Tvlen_create(w->t_f16);
    w->vl_units = H5Tvlen_create(H5T_STD_U16LE);
    w->d_times = create_ragged_(file, "/spikes/times", w->vl_times);
    w->d_units = create_ragged_(file, "/spikes/units", w->vl_units);
    w->dxpl = small_xfer_();
    if (w->d_times < 0 || w->d_units < 0 || w->dxpl < 0)
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create the spike datasets", path);
    if (st == MOSAIC_OK) st = write_keys_(w, class_names, err);
    if (st == MOSAIC_OK) st = mosaic_h5_group(w->h5, "/extra/meta_info", err);
    if (st == MOSAIC_OK) st = mosaic_h5_attr_write_int64(w->h5, "/", "n_units", n_units, err);
    if (st != MOSAIC_OK) {
        mosaic_shd_writer_abort(w);
        return st;
    }
    *out = w;
    return MOSAIC_OK;
}

static MosaicStatus append_vlen_(MosaicShdWriter *w, hid_t ds, hid_t type, const void *data, int64_t n,
                                 const char *name, MosaicErr *err) {
    hsize_t size = (hsize_t)w->n + 1, start = (hsize_t)w->n, count = 1;
    hvl_t vl = {(size_t)n, (void *)data};
    hid_t space = H5I_INVALID_HID;
    bool ok = H5Dset_extent(ds, &size) >= 0 && (space = H5Dget_space(ds)) >= 0 &&
              H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0;
    hsize_t one = 1;
    hid_t mem = H5Screate_simple(1, &one, NULL);
    ok = ok && H5Dwrite(ds, type, mem, space, w->dxpl, &vl) >= 0;
    H5Sclose(mem);
    if (space >= 0) H5Sclose(space);
    if (!ok)
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: dataset '%s', sample %lld: write failed", w->final_path,
                          name, (long long)w->n);
    return MOSAIC_OK;
}

MosaicStatus mosaic_shd_writer_add(MosaicShdWriter *w, const float *times, const int32_t *units, int64_t n,
                                   int32_t label, int32_t speaker, MosaicErr *err) {
    if (label < 0 || label >= w->n_classes)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: sample %lld: label %d, expected a class in [0, %d)",
                          w->final_path, (long long)w->n, label, w->n_classes);
    if (speaker < 0 || speaker > 65535)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: sample %lld: speaker %d, expected an id in [0, 65535]",
                          w->final_path, (long long)w->n, speaker);
    if (n < 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: sample %lld: %lld spikes", w->final_path,
                          (long long)w->n, (long long)n);
    if (n > w->bufcap) {
        int64_t cap = w->bufcap ? w->bufcap : 1024;
        while (cap < n) cap *= 2;
        uint16_t *h = realloc(w->hbuf, 2 * (size_t)cap);
        if (h) w->hbuf = h;
        uint16_t *u = realloc(w->ubuf, 2 * (size_t)cap);
        if (u) w->ubuf = u;
        if (!h || !u) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", w->final_path);
        w->bufcap = cap;
    }
    for (int64_t k = 0; k < n; k++) {
        if (!isfinite(times[k]) || times[k] < 0.0f || times[k] > 65504.0f)
            return mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s: sample %lld, spike %lld: time %g, expected seconds in [0, 65504] (float16)",
                w->final_path, (long long)w->n, (long long)k, (double)times[k]);
        if (units[k] < 0 || units[k] >= w->n_units)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: sample %lld, spike %lld: unit %d, expected a channel in [0, %d)",
                              w->final_path, (long long)w->n, (long long)k, units[k], w->n_units);
        w->hbuf[k] = mosaic_f16_from_float(times[k]);
        w->ubuf[k] = (uint16_t)units[k];
    }
    if (w->n == w->cap) {
        int64_t cap = w->cap ? w->cap * 2 : 1024;
        uint16_t *l = realloc(w->labels, 2 * (size_t)cap);
        if (l) w->labels = l;
        uint16_t *s = realloc(w->speakers, 2 * (size_t)cap);
        if (s) w->speakers = s;
        if (!l || !s) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", w->final_path);
        w->cap = cap;
    }
    hid_t mt_times = H5Tvlen_create(w->t_f16), mt_units = H5Tvlen_create(H5T_NATIVE_UINT16);
    MosaicStatus st = append_vlen_(w, w->d_times, mt_times, w->hbuf, n, "/spikes/times", err);
    if (st == MOSAIC_OK) st = append_vlen_(w, w->d_units, mt_units, w->ubuf, n, "/spikes/units", err);
    H5Tclose(mt_times);
    H5Tclose(mt_units);
    if (st != MOSAIC_OK) return st;
    w->labels[w->n] = (uint16_t)label;
    w->speakers[w->n] = (uint16_t)speaker;
    w->n++;
    return MOSAIC_OK;
}

MosaicStatus mosaic_shd_writer_meta(MosaicShdWriter *w, const char *name, const double *values, int64_t n,
                                    MosaicErr *err) {
    char path[256];
    snprintf(path, sizeof path, "/extra/meta_info/%s", name);
    return mosaic_h5_write(w->h5, path, MOSAIC_H5_F64, 1, &n, values, NULL, NULL, err);
}

static MosaicStatus write_u16_(MosaicShdWriter *w, const char *name, const uint16_t *v, MosaicErr *err) {
    hsize_t n = (hsize_t)w->n, chunk = 4096;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (n > 0) {
        if (chunk > n) chunk = n;
        H5Pset_chunk(dcpl, 1, &chunk);
        H5Pset_deflate(dcpl, 4);
    }
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t ds = H5Dcreate2(mosaic_h5_id(w->h5), name, H5T_STD_U16LE, space, lcpl, dcpl, H5P_DEFAULT);
    MosaicStatus st = MOSAIC_OK;
    if (ds < 0 || (n && H5Dwrite(ds, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0))
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write '%s'", w->final_path, name);
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    return st;
}

MosaicStatus mosaic_shd_writer_close(MosaicShdWriter *w, MosaicErr *err) {
    MosaicStatus st = write_u16_(w, "/labels", w->labels, err);
    if (st == MOSAIC_OK) st = write_u16_(w, "/extra/speaker", w->speakers, err);
    if (st != MOSAIC_OK) {
        mosaic_shd_writer_abort(w);
        return st;
    }
    writer_close_ids_(w);
    if (!w->gz) {
        st = mosaic_h5_close_tmp(w->h5, err);
        if (st != MOSAIC_OK) mosaic_shd_writer_abort(w);
        return st;
    }
    /* ".gz": the HDF5 file goes to its own temporary (h5_path), then compressed into the one that
     * publish renames */
    st = mosaic_h5_commit(w->h5, err);
    w->h5 = NULL;
    if (st == MOSAIC_OK) {
        const size_t len = strlen(w->final_path) + 32;
        w->gz_ready = malloc(len);
        if (!w->gz_ready)
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", w->final_path);
        else {
            mosaic_tmp_name(w->final_path, "tmp", w->gz_ready, len);
            w->gz_ready_tracked = mosaic_tmp_track(w->gz_ready);
            st = mosaic_gz_compress_file(w->h5_path, w->gz_ready, err);
        }
    }
    unlink(w->h5_path);
    if (st != MOSAIC_OK) mosaic_shd_writer_abort(w);
    return st;
}

MosaicStatus mosaic_shd_writer_publish(MosaicShdWriter *w, MosaicErr *err) {
    MosaicStatus st = MOSAIC_OK;
    if (!w->gz) {
        st = mosaic_h5_publish(w->h5, err);
        w->h5 = NULL;
    } else if (rename(w->gz_ready, w->final_path) != 0) {
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot rename the temporary file '%s' to it: %s",
                        w->final_path, w->gz_ready, strerror(errno));
        unlink(w->gz_ready);
    }
    writer_free_(w);
    return st;
}

MosaicStatus mosaic_shd_writer_finish(MosaicShdWriter *w, MosaicErr *err) {
    MOSAIC_TRY(mosaic_shd_writer_close(w, err));
    return mosaic_shd_writer_publish(w, err);
}
