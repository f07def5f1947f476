/* mosaic_h5: atomic HDF5 result files, self-describing datasets and attributes (see mosaic_h5.h). */
#define _POSIX_C_SOURCE 200809L

#include "mosaic_h5.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mosaic_files.h"
#include "mosaic_input_guard.h"

struct MosaicH5File {
    hid_t id;
    char *path;  /* the real name */
    char *tmp;   /* the temporary name while writing; NULL for a file opened for reading */
    int tracked; /* its mosaic_tmp_track handle: removed if the program is interrupted */
};

/* ---- private helpers ---- */

static char *dup_(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static hid_t mem_type_(MosaicH5Type t) {
    switch (t) {
    case MOSAIC_H5_I32: return H5T_NATIVE_INT32;
    case MOSAIC_H5_I64: return H5T_NATIVE_INT64;
    case MOSAIC_H5_F32: return H5T_NATIVE_FLOAT;
    case MOSAIC_H5_F64: return H5T_NATIVE_DOUBLE;
    case MOSAIC_H5_U8: return H5T_NATIVE_UINT8;
    }
    return H5I_INVALID_HID;
}

/* Little-endian file types, whatever the machine, so files compare byte for byte across hosts. */
static hid_t file_type_(MosaicH5Type t) {
    switch (t) {
    case MOSAIC_H5_I32: return H5T_STD_I32LE;
    case MOSAIC_H5_I64: return H5T_STD_I64LE;
    case MOSAIC_H5_F32: return H5T_IEEE_F32LE;
    case MOSAIC_H5_F64: return H5T_IEEE_F64LE;
    case MOSAIC_H5_U8: return H5T_STD_U8LE;
    }
    return H5I_INVALID_HID;
}

static size_t type_size_(MosaicH5Type t) {
    switch (t) {
    case MOSAIC_H5_I32: return 4;
    case MOSAIC_H5_I64: return 8;
    case MOSAIC_H5_F32: return 4;
    case MOSAIC_H5_F64: return 8;
    case MOSAIC_H5_U8: return 1;
    }
    return 0;
}

static bool is_float_(MosaicH5Type t) { return t == MOSAIC_H5_F32 || t == MOSAIC_H5_F64; }

static const char *type_word_(MosaicH5Type t) { return is_float_(t) ? "floating-point" : "integer"; }

/* "(3, 32, any)" into buf. */
static const char *shape_str_(char *buf, size_t cap, int rank, const int64_t *dims) {
    size_t len = 0;
    len += (size_t)snprintf(buf + len, cap - len, "(");
    for (int i = 0; i < rank && len < cap; i++) {
        if (dims[i] < 0)
            len += (size_t)snprintf(buf + len, cap - len, "%sany", i ? ", " : "");
        else
            len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? ", " : "", (long long)dims[i]);
    }
    if (len < cap) snprintf(buf + len, cap - len, "%s", rank == 1 ? ",)" : ")");
    return buf;
}

/* Link creation property list that creates missing parent groups. */
static hid_t lcpl_(void) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl >= 0) H5Pset_create_intermediate_group(lcpl, 1);
    return lcpl;
}

static hid_t open_object_(const MosaicH5File *f, const char *obj) {
    if (!obj || !*obj || !strcmp(obj, "/")) return H5Oopen(f->id, "/", H5P_DEFAULT);
    if (!mosaic_h5_exists(f, obj)) return H5I_INVALID_HID;
    return H5Oopen(f->id, obj, H5P_DEFAULT);
}

/* ---- files ---- */

void mosaic_h5_quiet(void) {
    /* No library shutdown at exit: every file we write is closed by mosaic_h5_commit or _abort, and a
     * file whose close failed (a full disk) stays open inside libhdf5 1.10, whose exit-time shutdown
     * then retries the close and crashes (SIGSEGV in H5F__close_cb). Effective only before the library
     * initialises, hence first here and at the start of the program. */
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static MosaicH5File *alloc_file_(const char *path, bool writing) {
    MosaicH5File *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->id = H5I_INVALID_HID;
    f->path = dup_(path);
    if (writing) {
        size_t n = strlen(path) + 32;
        f->tmp = malloc(n);
        if (f->tmp) mosaic_tmp_name(path, "tmp", f->tmp, n); /* n leaves room */
    }
    f->tracked = f->tmp ? mosaic_tmp_track(f->tmp) : -1;
    if (!f->path || (writing && !f->tmp)) {
        mosaic_tmp_untrack(f->tracked);
        free(f->path);
        free(f->tmp);
        free(f);
        return NULL;
    }
    return f;
}

static void free_file_(MosaicH5File *f) {
    mosaic_tmp_untrack(f->tracked);
    free(f->path);
    free(f->tmp);
    free(f);
}

/* Strong close: objects a caller forgot to close do not keep the file open past commit. */
static hid_t fapl_strong_(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0) H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    return fapl;
}

MosaicStatus mosaic_h5_create(const char *path, MosaicH5File **out, MosaicErr *err) {
    mosaic_h5_quiet();
    *out = NULL;
    MosaicH5File *f = alloc_file_(path, true);
    if (!f) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    hid_t fapl = fapl_strong_();
    f->id = H5Fcreate(f->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f->id < 0) {
        MosaicStatus st =
            mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create the temporary file '%s'", path, f->tmp);
        free_file_(f);
        return st;
    }
    *out = f;
    return MOSAIC_OK;
}

MosaicStatus mosaic_h5_close_tmp(MosaicH5File *f, MosaicErr *err) {
    assert(f && f->tmp && f->id >= 0);
    const herr_t closed = H5Fclose(f->id);
    f->id = H5I_INVALID_HID;
    if (closed >= 0) return MOSAIC_OK;
    unlink(f->tmp);
    return mosaic_err(err, MOSAIC_ERR_IO, "%s: writing the temporary file '%s' failed at close", f->path,
                      f->tmp);
}

MosaicStatus mosaic_h5_publish(MosaicH5File *f, MosaicErr *err) {
    assert(f && f->tmp && f->id < 0);
    MosaicStatus st = MOSAIC_OK;
    if (rename(f->tmp, f->path) != 0) {
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot rename the temporary file '%s' to it: %s", f->path,
                        f->tmp, strerror(errno));
        unlink(f->tmp);
    }
    free_file_(f);
    return st;
}

MosaicStatus mosaic_h5_commit(MosaicH5File *f, MosaicErr *err) {
    MosaicStatus st = mosaic_h5_close_tmp(f, err);
    if (st != MOSAIC_OK) {
        free_file_(f);
        return st;
    }
    return mosaic_h5_publish(f, err);
}

void mosaic_h5_abort(MosaicH5File *f) {
    if (!f) return;
    if (f->id >= 0) H5Fclose(f->id);
    if (f->tmp) unlink(f->tmp);
    free_file_(f);
}

static MosaicStatus open_unguarded_(const char *path, MosaicH5File **out, MosaicErr *err) {
    mosaic_h5_quiet();
    *out = NULL;
    if (access(path, R_OK) != 0) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open for reading", path);
    if (H5Fis_hdf5(path) <= 0) return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: not an HDF5 file", path);
    MosaicH5File *f = alloc_file_(path, false);
    if (!f) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    hid_t fapl = fapl_strong_();
    f->id = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f->id < 0) {
        free_file_(f);
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: HDF5 cannot open it (truncated or damaged?)", path);
    }
    *out = f;
    return MOSAIC_OK;
}

MosaicStatus mosaic_h5_open(const char *path, MosaicH5File **out, MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(path);
    MosaicStatus st = open_unguarded_(path, out, err);
    mosaic_input_leave(enclosing);
    return st;
}

void mosaic_h5_close(MosaicH5File *f) { mosaic_h5_abort(f); }

const char *mosaic_h5_path(const MosaicH5File *f) { return f->path; }

hid_t mosaic_h5_id(const MosaicH5File *f) { return f->id; }

bool mosaic_h5_exists(const MosaicH5File *f, const char *name) {
    const char *enclosing = mosaic_input_enter(f->path);
    const bool found = mosaic_h5_exists_at(f->id, name);
    mosaic_input_leave(enclosing);
    return found;
}

bool mosaic_h5_exists_at(hid_t loc, const char *name) {
    /* H5Lexists fails (not "false") when an intermediate group is missing, so walk the path. */
    char buf[1024];
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, name, n + 1);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (H5Lexists(loc, buf, H5P_DEFAULT) <= 0) return false;
            if (c == '\0') return true;
            *p = c;
        }
    }
}

/* ---- datasets ---- */

MosaicStatus mosaic_h5_group(MosaicH5File *f, const char *name, MosaicErr *err) {
    if (mosaic_h5_exists(f, name)) return MOSAIC_OK;
    hid_t lcpl = lcpl_();
    hid_t g = H5Gcreate2(f->id, name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
    if (g < 0) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create group '%s'", f->path, name);
    H5Gclose(g);
    return MOSAIC_OK;
}

MosaicStatus mosaic_h5_write(MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                             const int64_t *dims, const void *data, const char *units,
                             const char *description, MosaicErr *err) {
    assert(rank >= 0 && rank <= MOSAIC_H5_MAX_RANK);
    if (mosaic_h5_exists(f, name))
        return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: dataset '%s' written twice", f->path, name);
    hsize_t hd[MOSAIC_H5_MAX_RANK], chunk[MOSAIC_H5_MAX_RANK];
    uint64_t total = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: dataset '%s': negative dimension %d", f->path,
                              name, i);
        hd[i] = chunk[i] = (hsize_t)dims[i];
        total *= (uint64_t)dims[i];
    }
    hid_t space = rank ? H5Screate_simple(rank, hd, NULL) : H5Screate(H5S_SCALAR);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (rank && total > 4096) {
        /* Chunks of at most 64 Ki elements: halve the largest chunk dimension until it fits. */
        for (;;) {
            uint64_t c = 1;
            int big = 0;
            for (int i = 0; i < rank; i++) {
                c *= chunk[i];
                if (chunk[i] > chunk[big]) big = i;
            }
            if (c <= 65536) break;
            chunk[big] = (chunk[big] + 1) / 2;
        }
        H5Pset_chunk(dcpl, rank, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 4);
    }
    hid_t lcpl = lcpl_();
    hid_t ds = H5Dcreate2(f->id, name, file_type_(type), space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    MosaicStatus st = MOSAIC_OK;
    if (ds < 0)
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create dataset '%s'", f->path, name);
    else if (total && H5Dwrite(ds, mem_type_(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write dataset '%s'", f->path, name);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(space);
    if (st == MOSAIC_OK && units) st = mosaic_h5_attr_write_string(f, name, "units", units, err);
    if (st == MOSAIC_OK && description)
        st = mosaic_h5_attr_write_string(f, name, "description", description, err);
    return st;
}

/* Opens `name`, checks rank, dims and type class; fills dims (actual) and returns the dataset id. */
static MosaicStatus open_checked_(const MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                                  int64_t *dims, hid_t *ds_out, MosaicErr *err) {
    char want[256], got[256];
    *ds_out = H5I_INVALID_HID;
    shape_str_(want, sizeof want, rank, dims);
    if (!mosaic_h5_exists(f, name))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s' is missing (expected %s %s values)",
                          f->path, name, want, type_word_(type));
    hid_t ds = H5Dopen2(f->id, name, H5P_DEFAULT);
    if (ds < 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: '%s' is not a readable dataset (expected %s %s values)",
                          f->path, name, want, type_word_(type));
    hid_t space = H5Dget_space(ds), ftype = H5Dget_type(ds);
    int frank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t fd[MOSAIC_H5_MAX_RANK] = {0};
    H5T_class_t cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
    if (frank >= 0 && frank <= MOSAIC_H5_MAX_RANK) H5Sget_simple_extent_dims(space, fd, NULL);
    if (space >= 0) H5Sclose(space);
    if (ftype >= 0) H5Tclose(ftype);
    int64_t actual[MOSAIC_H5_MAX_RANK];
    for (int i = 0; i < frank && i < MOSAIC_H5_MAX_RANK; i++) actual[i] = (int64_t)fd[i];
    bool shape_ok = frank == rank;
    for (int i = 0; shape_ok && i < rank; i++)
        if (dims[i] >= 0 && dims[i] != actual[i]) shape_ok = false;
    if (!shape_ok) {
        H5Dclose(ds);
        if (frank < 0 || frank > MOSAIC_H5_MAX_RANK)
            snprintf(got, sizeof got, "rank %d", frank);
        else
            shape_str_(got, sizeof got, frank, actual);
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': expected shape %s, got %s", f->path, name,
                          want, got);
    }
    H5T_class_t want_cls = is_float_(type) ? H5T_FLOAT : H5T_INTEGER;
    if (cls != want_cls) {
        H5Dclose(ds);
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: dataset '%s': expected %s values of shape %s, got another type", f->path, name,
                          type_word_(type), want);
    }
    for (int i = 0; i < rank; i++) dims[i] = actual[i];
    *ds_out = ds;
    return MOSAIC_OK;
}

static MosaicStatus read_unguarded_(const MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                                    int64_t *dims, void **data, MosaicErr *err) {
    mosaic_h5_quiet();
    *data = NULL;
    hid_t ds;
    MOSAIC_TRY(open_checked_(f, name, type, rank, dims, &ds, err));
    /* A damaged header can claim any shape: refuse one the stored bytes cannot hold before allocating
     * for it (deflate packs at most about 1032:1; our writers store every element). */
    const uint64_t esize = type_size_(type), stored = (uint64_t)H5Dget_storage_size(ds);
    uint64_t total = 1;
    bool fits = true;
    for (int i = 0; i < rank && fits; i++) {
        fits = dims[i] == 0 || total <= UINT64_MAX / esize / (uint64_t)dims[i];
        total *= (uint64_t)dims[i];
    }
    if (!fits || total * esize > stored * 1100 + (1u << 20)) {
        char shape[160];
        shape_str_(shape, sizeof shape, rank, dims);
        H5Dclose(ds);
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: dataset '%s': shape %s cannot be held in the %llu bytes stored for it "
                          "(damaged file?)",
                          f->path, name, shape, (unsigned long long)stored);
    }
    void *buf = malloc(total ? total * esize : 1);
    MosaicStatus st = MOSAIC_OK;
    if (!buf)
        st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: dataset '%s': out of memory", f->path, name);
    else if (total && H5Dread(ds, mem_type_(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        st =
            mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': read failed (damaged file?)", f->path, name);
    H5Dclose(ds);
    if (st != MOSAIC_OK)
        free(buf);
    else
        *data = buf;
    return st;
}

MosaicStatus mosaic_h5_read(const MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                            int64_t *dims, void **data, MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(f->path);
    MosaicStatus st = read_unguarded_(f, name, type, rank, dims, data, err);
    mosaic_input_leave(enclosing);
    return st;
}

static MosaicStatus read_into_unguarded_(const MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                                         const int64_t *dims, void *buf, MosaicErr *err) {
    mosaic_h5_quiet();
    assert(rank <= MOSAIC_H5_MAX_RANK);
    int64_t d[MOSAIC_H5_MAX_RANK];
    uint64_t total = 1;
    for (int i = 0; i < rank; i++) {
        assert(dims[i] >= 0);
        d[i] = dims[i];
        total *= (uint64_t)dims[i];
    }
    hid_t ds;
    MOSAIC_TRY(open_checked_(f, name, type, rank, d, &ds, err));
    MosaicStatus st = MOSAIC_OK;
    if (total && H5Dread(ds, mem_type_(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        st =
            mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': read failed (damaged file?)", f->path, name);
    H5Dclose(ds);
    return st;
}

MosaicStatus mosaic_h5_read_into(const MosaicH5File *f, const char *name, MosaicH5Type type, int rank,
                                 const int64_t *dims, void *buf, MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(f->path);
    MosaicStatus st = read_into_unguarded_(f, name, type, rank, dims, buf, err);
    mosaic_input_leave(enclosing);
    return st;
}

static MosaicStatus list_unguarded_(const MosaicH5File *f, const char *group, char ***names, int *n,
                                    MosaicErr *err) {
    *names = NULL;
    *n = 0;
    if (strcmp(group, "/") && !mosaic_h5_exists(f, group))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: group '%s' is missing", f->path, group);
    H5G_info_t info;
    if (H5Gget_info_by_name(f->id, group, &info, H5P_DEFAULT) < 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: '%s' is not a group", f->path, group);
    char **list = calloc(info.nlinks ? info.nlinks : 1, sizeof *list);
    if (!list) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", f->path);
    for (hsize_t i = 0; i < info.nlinks; i++) {
        ssize_t len = H5Lget_name_by_idx(f->id, group, H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
        if (len >= 0) list[i] = malloc((size_t)len + 1);
        if (len < 0 || !list[i] ||
            H5Lget_name_by_idx(f->id, group, H5_INDEX_NAME, H5_ITER_INC, i, list[i], (size_t)len + 1,
                               H5P_DEFAULT) < 0) {
            mosaic_h5_free_names(list, (int)info.nlinks);
            return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: cannot list group '%s'", f->path, group);
        }
    }
    *names = list;
    *n = (int)info.nlinks;
    return MOSAIC_OK;
}

MosaicStatus mosaic_h5_list(const MosaicH5File *f, const char *group, char ***names, int *n, MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(f->path);
    MosaicStatus st = list_unguarded_(f, group, names, n, err);
    mosaic_input_leave(enclosing);
    return st;
}

void mosaic_h5_free_names(char **names, int n) {
    if (!names) return;
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
}

/* ---- attributes ---- */

/* Creates (replacing) attribute `name` on `obj` with `type` and writes `value`. */
static MosaicStatus attr_write_(MosaicH5File *f, const char *obj, const char *name, hid_t ftype, hid_t mtype,
                                const void *value, MosaicErr *err) {
    mosaic_h5_quiet();
    hid_t o = open_object_(f, obj);
    if (o < 0)
        return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: attribute '%s' on missing object '%s'", f->path,
                          name, obj);
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(o, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    MosaicStatus st = MOSAIC_OK;
    if (a < 0 || H5Awrite(a, mtype, value) < 0)
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write attribute '%s' of '%s'", f->path, name, obj);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Oclose(o);
    return st;
}

MosaicStatus mosaic_h5_attr_write_string(MosaicH5File *f, const char *obj, const char *name,
                                         const char *value, MosaicErr *err) {
    /* Fixed-length UTF-8, sized to the text. A variable-length string lives in the file's global heap,
     * and libhdf5 1.10 trusts the object sizes stored there: one flipped byte in a heap made H5Aread
     * copy past its buffers or loop for ever (tests/traces/fuzz-findings/README.md). A fixed-length
     * attribute is stored in its object header, whose messages HDF5 checks. h5py returns bytes for it.
     * Texts too long for one header message (64 KiB) still go to the heap. */
    const char *v = value ? value : "";
    const size_t n = strlen(v) + 1;
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_cset(t, H5T_CSET_UTF8);
    MosaicStatus st;
    if (n <= MOSAIC_H5_FIXED_STRING_MAX) {
        H5Tset_size(t, n);
        H5Tset_strpad(t, H5T_STR_NULLTERM);
        st = attr_write_(f, obj, name, t, t, v, err);
    } else {
        H5Tset_size(t, H5T_VARIABLE);
        st = attr_write_(f, obj, name, t, t, &v, err);
    }
    H5Tclose(t);
    return st;
}

MosaicStatus mosaic_h5_attr_write_int64(MosaicH5File *f, const char *obj, const char *name, int64_t value,
                                        MosaicErr *err) {
    return attr_write_(f, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, err);
}

MosaicStatus mosaic_h5_attr_write_double(MosaicH5File *f, const char *obj, const char *name, double value,
                                         MosaicErr *err) {
    return attr_write_(f, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, err);
}

/* Opens attribute `name` of `obj` and checks it holds one value of class `cls`. */
static MosaicStatus attr_open_(const MosaicH5File *f, const char *obj, const char *name, H5T_class_t cls,
                               const char *what, hid_t *o_out, hid_t *a_out, MosaicErr *err) {
    mosaic_h5_quiet();
    *o_out = *a_out = H5I_INVALID_HID;
    hid_t o = open_object_(f, obj);
    if (o < 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: object '%s' is missing (wanted its attribute '%s')",
                          f->path, obj, name);
    if (H5Aexists(o, name) <= 0) {
        H5Oclose(o);
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: '%s' has no attribute '%s' (expected %s)", f->path, obj,
                          name, what);
    }
    hid_t a = H5Aopen(o, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    hid_t s = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    bool ok = a >= 0 && t >= 0 && s >= 0 && H5Tget_class(t) == cls && H5Sget_simple_extent_npoints(s) == 1;
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Sclose(s);
    if (!ok) {
        if (a >= 0) H5Aclose(a);
        H5Oclose(o);
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: attribute '%s' of '%s': expected %s", f->path, name,
                          obj, what);
    }
    *o_out = o;
    *a_out = a;
    return MOSAIC_OK;
}

static MosaicStatus attr_read_string_unguarded_(const MosaicH5File *f, const char *obj, const char *name,
                                                char **value, MosaicErr *err) {
    *value = NULL;
    hid_t o, a;
    MOSAIC_TRY(attr_open_(f, obj, name, H5T_STRING, "one string", &o, &a, err));
    hid_t ft = H5Aget_type(a);
    MosaicStatus st = MOSAIC_OK;
    if (H5Tis_variable_str(ft) > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(ft)); /* HDF5 1.10 converts no string between ASCII and UTF-8 */
        char *v = NULL;
        if (H5Aread(a, mt, &v) < 0 || !v)
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: attribute '%s' of '%s': read failed", f->path, name,
                            obj);
        else {
            *value = dup_(v);
            if (!*value) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", f->path);
        }
        if (v) {
            hid_t s = H5Screate(H5S_SCALAR);
            H5Dvlen_reclaim(mt, s, H5P_DEFAULT, &v);
            H5Sclose(s);
        }
        H5Tclose(mt);
    } else {
        size_t n = H5Tget_size(ft);
        char *v = calloc(n + 1, 1);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, n);
        H5Tset_cset(mt, H5Tget_cset(ft));
        if (!v)
            st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", f->path);
        else if (H5Aread(a, mt, v) < 0) {
            free(v);
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: attribute '%s' of '%s': read failed", f->path, name,
                            obj);
        } else
            *value = v;
        H5Tclose(mt);
    }
    H5Tclose(ft);
    H5Aclose(a);
    H5Oclose(o);
    return st;
}

MosaicStatus mosaic_h5_attr_read_string(const MosaicH5File *f, const char *obj, const char *name,
                                        char **value, MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(f->path);
    MosaicStatus st = attr_read_string_unguarded_(f, obj, name, value, err);
    mosaic_input_leave(enclosing);
    return st;
}

/* One number of class `cls` ("what" in messages), read as `mtype` into *value. */
static MosaicStatus attr_read_number_(const MosaicH5File *f, const char *obj, const char *name,
                                      H5T_class_t cls, const char *what, hid_t mtype, void *value,
                                      MosaicErr *err) {
    const char *enclosing = mosaic_input_enter(f->path);
    hid_t o, a;
    MosaicStatus st = attr_open_(f, obj, name, cls, what, &o, &a, err);
    if (st == MOSAIC_OK) {
        if (H5Aread(a, mtype, value) < 0)
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s: attribute '%s' of '%s': read failed", f->path, name,
                            obj);
        H5Aclose(a);
        H5Oclose(o);
    }
    mosaic_input_leave(enclosing);
    return st;
}

MosaicStatus mosaic_h5_attr_read_int64(const MosaicH5File *f, const char *obj, const char *name,
                                       int64_t *value, MosaicErr *err) {
    return attr_read_number_(f, obj, name, H5T_INTEGER, "one integer", H5T_NATIVE_INT64, value, err);
}

MosaicStatus mosaic_h5_attr_read_double(const MosaicH5File *f, const char *obj, const char *name,
                                        double *value, MosaicErr *err) {
    return attr_read_number_(f, obj, name, H5T_FLOAT, "one floating-point number", H5T_NATIVE_DOUBLE, value,
                             err);
}

MosaicStatus mosaic_h5_write_provenance(MosaicH5File *f, const MosaicProvenance *prov, MosaicErr *err) {
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    MOSAIC_TRY(mosaic_h5_attr_write_string(f, "/", "program", prov->program, err));
    MOSAIC_TRY(mosaic_h5_attr_write_string(f, "/", "version", prov->version, err));
    MOSAIC_TRY(mosaic_h5_attr_write_string(f, "/", "git_hash", prov->git_hash, err));
    MOSAIC_TRY(mosaic_h5_attr_write_string(f, "/", "created", created, err));
    MOSAIC_TRY(mosaic_h5_attr_write_int64(f, "/", "seed", prov->seed, err));
    return mosaic_h5_attr_write_string(f, "/", "config", prov->config, err);
}
