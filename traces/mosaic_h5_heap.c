/* mosaic_h5_heap: the global-heap check behind variable-length datasets (see mosaic_h5_heap.h).
 *
 * Formats from the HDF5 File Format Specification (version 2/3): "Global Heap" (III.E) and the
 * disk form of a variable-length element (4-byte length, heap address, 4-byte object index). The
 * collection walk mirrors libhdf5 1.10's own, so what passes here is what libhdf5 will accept. */
#define _FILE_OFFSET_BITS 64
#define _POSIX_C_SOURCE 200809L

#include "mosaic_h5_heap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define HEAP_MAX_OBJECTS 65536 /* object indices are 16 bits in a collection */
#define HEAP_MIN_SIZE 4096     /* libhdf5 creates no smaller collection and reads 4096 bytes first */

typedef struct {
    uint64_t addr; /* collection address, relative to the file's base address */
    uint32_t idx;  /* object index in the collection */
    uint32_t len;  /* sequence length (elements of the base type) */
    int64_t elem;  /* dataset element, for messages */
} Desc_;

typedef struct {
    const MosaicH5Bytes *bytes;
    FILE *fp;
    uint64_t file_len;
    uint64_t base;   /* user block size: heap addresses are relative to it */
    unsigned sa, ss; /* sizes of file addresses and lengths */
} Src_;

static uint64_t le_(const unsigned char *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;) v = v << 8 | p[i];
    return v;
}

static int cmp_desc_(const void *a, const void *b) {
    const Desc_ *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    return x->elem < y->elem ? -1 : x->elem > y->elem;
}

static bool read_at_(Src_ *s, uint64_t off, void *dst, size_t n) {
    if (off > s->file_len || n > s->file_len - off) return false;
    if (s->bytes->image) {
        memcpy(dst, s->bytes->image + off, n);
        return true;
    }
    return fseeko(s->fp, (off_t)off, SEEK_SET) == 0 && fread(dst, 1, n, s->fp) == n;
}

/* Undoes a chunk's filters: *buf (malloc'd, *n stored bytes) becomes the decoded bytes. False if they
 * are damaged; *supported false if a filter is not one this check can undo. */
static bool unfilter_(hid_t dcpl, unsigned mask, unsigned char **buf, size_t *n, size_t raw_bytes,
                      size_t esize, bool *supported) {
    int nf = H5Pget_nfilters(dcpl);
    for (int j = nf - 1; j >= 0; j--) {
        unsigned flags = 0, cd[8] = {0};
        size_t ncd = 8;
        char fname[64];
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)j, &flags, &ncd, cd, sizeof fname, fname, NULL);
        if (mask & (1u << j)) continue; /* this chunk skipped that filter */
        if (id == H5Z_FILTER_DEFLATE) {
            unsigned char *out = malloc(raw_bytes ? raw_bytes : 1);
            uLongf got = (uLongf)raw_bytes;
            if (!out) return false;
            if (uncompress(out, &got, *buf, (uLong)*n) != Z_OK) {
                free(out);
                return false;
            }
            free(*buf);
            *buf = out;
            *n = got;
        } else if (id == H5Z_FILTER_SHUFFLE) {
            size_t w = ncd >= 1 && cd[0] ? cd[0] : esize, count = *n / w;
            unsigned char *out = malloc(*n ? *n : 1);
            if (!out) return false;
            for (size_t b = 0; b < w; b++)
                for (size_t i = 0; i < count; i++) out[i * w + b] = (*buf)[b * count + i];
            memcpy(out + count * w, *buf + count * w, *n - count * w);
            free(*buf);
            *buf = out;
        } else {
            *supported = false;
            return true;
        }
    }
    return true;
}

/* Appends the descriptors of elements [first, first + count) held in raw (count * dsize bytes). */
static bool collect_(const unsigned char *raw, int64_t first, int64_t count, const Src_ *s, Desc_ **out,
                     int64_t *n_out, int64_t *cap) {
    const size_t dsize = 4 + s->sa + 4;
    for (int64_t i = 0; i < count; i++) {
        const unsigned char *p = raw + (size_t)i * dsize;
        Desc_ d = {le_(p + 4, s->sa), (uint32_t)le_(p + 4 + s->sa, 4), (uint32_t)le_(p, 4), first + i};
        if (d.addr == 0) continue; /* an empty element: libhdf5 reads nothing */
        if (*n_out == *cap) {
            const int64_t grown = *cap ? 2 * *cap : 1024;
            Desc_ *more = realloc(*out, sizeof(Desc_) * (size_t)grown);
            if (!more) return false;
            *out = more;
            *cap = grown;
        }
        (*out)[(*n_out)++] = d;
    }
    return true;
}

/* The raw descriptors of every element: *n_desc of them in *descs (malloc'd). */
static MosaicStatus gather_(hid_t ds, const char *name, Src_ *s, int64_t n, Desc_ **descs, int64_t *n_desc,
                            bool *checked, MosaicErr *err) {
    const char *path = s->bytes->path;
    const size_t dsize = 4 + s->sa + 4;
    *descs = NULL;
    *n_desc = 0;
    int64_t cap = 0;
    hid_t dcpl = H5Dget_create_plist(ds);
    const H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
    MosaicStatus st = MOSAIC_OK;
    if (layout == H5D_CONTIGUOUS) {
        const haddr_t off = H5Dget_offset(ds); /* absolute: includes the user block */
        unsigned char *raw = NULL;
        if (off != HADDR_UNDEF && n > 0) {
            if ((uint64_t)n > s->file_len / dsize || off > s->file_len - (uint64_t)n * dsize)
                st = mosaic_err(err, MOSAIC_ERR_INPUT,
                                "%s: dataset '%s': its %lld elements do not fit in the file (truncated or "
                                "damaged?)",
                                path, name, (long long)n);
            else if (!(raw = malloc(dsize * (size_t)n)) || !read_at_(s, off, raw, dsize * (size_t)n) ||
                     !collect_(raw, 0, n, s, descs, n_desc, &cap))
                st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
        }
        free(raw);
    } else if (layout == H5D_CHUNKED) {
        hsize_t chunk = 0, nchunks = 0;
        hid_t space = H5Dget_space(ds);
        if (H5Pget_chunk(dcpl, 1, &chunk) != 1 || chunk == 0 || H5Dget_num_chunks(ds, space, &nchunks) < 0)
            st = mosaic_err(err, MOSAIC_ERR_INPUT,
                            "%s: dataset '%s': unreadable chunk layout (damaged file?)", path, name);
        const size_t raw_bytes = (size_t)chunk * dsize;
        for (hsize_t c = 0; c < nchunks && st == MOSAIC_OK && *checked; c++) {
            hsize_t offset = 0, size = 0;
            unsigned mask = 0;
            haddr_t addr = 0;
            if (H5Dget_chunk_info(ds, space, c, &offset, &mask, &addr, &size) < 0 || offset % chunk ||
                offset >= (hsize_t)n || size > s->file_len) {
                st = mosaic_err(err, MOSAIC_ERR_INPUT,
                                "%s: dataset '%s': chunk %llu is unreadable (damaged file?)", path, name,
                                (unsigned long long)c);
                break;
            }
            size_t got = (size_t)size;
            unsigned char *buf = malloc(got ? got : 1);
            if (!buf) {
                st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            unsigned mask2 = 0;
            if (H5Dread_chunk(ds, H5P_DEFAULT, &offset, &mask2, buf) < 0 ||
                !unfilter_(dcpl, mask2, &buf, &got, raw_bytes, dsize, checked) ||
                (*checked && got != raw_bytes)) {
                st = mosaic_err(
                    err, MOSAIC_ERR_INPUT,
                    "%s: dataset '%s': the chunk of elements %llu.. cannot be decoded (damaged file?)", path,
                    name, (unsigned long long)offset);
            } else if (*checked) {
                const int64_t count =
                    (int64_t)chunk < n - (int64_t)offset ? (int64_t)chunk : n - (int64_t)offset;
                if (!collect_(buf, (int64_t)offset, count, s, descs, n_desc, &cap))
                    st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
            }
            free(buf);
        }
        if (space >= 0) H5Sclose(space);
    } else {
        *checked = false; /* compact: the descriptors live in the object header, out of our reach */
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    return st;
}

/* Parses collection `addr` as libhdf5 does and records each object's size in size[idx] (seen[idx] =
 * stamp). NULL on success, else what is wrong. */
static const char *parse_collection_(Src_ *s, uint64_t addr, uint64_t *size, uint32_t *seen, uint32_t stamp,
                                     unsigned char **buf, size_t *cap) {
    /* magic, version, reserved, size; padded to 8 so that the objects after it are aligned */
    const unsigned ss = s->ss, hdr = (8 + ss + 7) / 8 * 8, objhdr = 2 + 2 + 4 + ss;
    unsigned char head[32];
    const uint64_t at = s->base + addr;
    if (!read_at_(s, at, head, hdr)) return "lies past the end of the file";
    if (memcmp(head, "GCOL", 4) != 0) return "is not one (no GCOL signature)";
    if (head[4] != 1) return "has an unknown version";
    const uint64_t total = le_(head + 8, ss);
    if (total < HEAP_MIN_SIZE) return "is smaller than the 4096 bytes of every collection";
    if (total > s->file_len - at) return "claims more bytes than the file holds";
    if (total > *cap) {
        unsigned char *nb = realloc(*buf, (size_t)total);
        if (!nb) return "is too large to check";
        *buf = nb;
        *cap = (size_t)total;
    }
    if (!read_at_(s, at, *buf, (size_t)total)) return "lies past the end of the file";
    const unsigned char *p = *buf + hdr, *end = *buf + total;
    while (p < end) {
        if ((uint64_t)(end - p) < objhdr) break; /* a tail too small for a header is free space */
        const unsigned idx = (unsigned)le_(p, 2);
        const uint64_t osize = le_(p + 8, ss);
        const uint64_t room = (uint64_t)(end - p);
        uint64_t need;
        if (idx > 0) {
            if (osize > room) return "has an object running past its end";
            need = objhdr + ((osize + 7) / 8) * 8;
            if (seen[idx] == stamp) return "lists one object twice";
            seen[idx] = stamp;
            size[idx] = osize;
        } else {
            need = osize; /* the free-space object: its size includes its header */
        }
        if (need == 0) return "has an object of no size (libhdf5 would loop for ever)";
        if (need > room) return "has an object running past its end";
        p += need;
    }
    return NULL;
}

MosaicStatus mosaic_h5_heap_check(hid_t file, hid_t ds, const char *name, const MosaicH5Bytes *bytes,
                                  MosaicErr *err) {
    bool checked = true; /* false: a layout whose raw descriptors this check cannot reach */
    const char *path = bytes->path;
    Src_ s = {bytes, NULL, bytes->len, 0, 8, 8};
    hid_t fcpl = H5Fget_create_plist(file);
    size_t sa = 0, ss = 0;
    hsize_t ub = 0;
    bool ok = fcpl >= 0 && H5Pget_sizes(fcpl, &sa, &ss) >= 0 && H5Pget_userblock(fcpl, &ub) >= 0;
    if (fcpl >= 0) H5Pclose(fcpl);
    if (!ok || sa < 2 || sa > 8 || ss < 2 || ss > 8)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: unreadable file address sizes (damaged file?)", path);
    s.sa = (unsigned)sa, s.ss = (unsigned)ss, s.base = ub;

    hid_t ft = H5Dget_type(ds), space = H5Dget_space(ds);
    const bool vstr = ft >= 0 && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) > 0;
    hid_t super = ft >= 0 && !vstr ? H5Tget_super(ft) : H5I_INVALID_HID;
    const size_t base_size = vstr ? 1 : super >= 0 ? H5Tget_size(super) : 0;
    const hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (super >= 0) H5Tclose(super);
    if (ft >= 0) H5Tclose(ft);
    if (space >= 0) H5Sclose(space);
    if (base_size == 0 || n < 0)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: dataset '%s': unreadable variable-length type", path,
                          name);

    if (!bytes->image) {
        s.fp = fopen(path, "rb");
        if (!s.fp || fseeko(s.fp, 0, SEEK_END) != 0) {
            if (s.fp) fclose(s.fp);
            return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open for reading", path);
        }
        s.file_len = (uint64_t)ftello(s.fp);
    }
    Desc_ *d = NULL;
    int64_t nd = 0;
    MosaicStatus st = gather_(ds, name, &s, (int64_t)n, &d, &nd, &checked, err);
    uint64_t *size = NULL;
    uint32_t *seen = NULL;
    unsigned char *buf = NULL;
    size_t cap = 0;
    if (st == MOSAIC_OK && checked && nd > 0) {
        size = malloc(sizeof *size * HEAP_MAX_OBJECTS);
        seen = calloc(HEAP_MAX_OBJECTS, sizeof *seen);
        if (!size || !seen) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
        qsort(d, (size_t)nd, sizeof *d, cmp_desc_);
        uint32_t stamp = 0;
        for (int64_t i = 0; i < nd && st == MOSAIC_OK; i++) {
            if (i == 0 || d[i].addr != d[i - 1].addr) {
                const char *bad = parse_collection_(&s, d[i].addr, size, seen, ++stamp, &buf, &cap);
                if (bad) {
                    st = mosaic_err(err, MOSAIC_ERR_INPUT,
                                    "%s: dataset '%s', element %lld: the global heap collection at byte %llu "
                                    "it points to %s (damaged file?)",
                                    path, name, (long long)d[i].elem,
                                    (unsigned long long)(s.base + d[i].addr), bad);
                    break;
                }
            }
            const uint64_t want = (uint64_t)d[i].len * base_size;
            if (d[i].idx == 0 || d[i].idx >= HEAP_MAX_OBJECTS || seen[d[i].idx] != stamp)
                st = mosaic_err(err, MOSAIC_ERR_INPUT,
                                "%s: dataset '%s', element %lld: points to object %u of the global heap "
                                "collection at byte %llu, which holds no such object (damaged file?)",
                                path, name, (long long)d[i].elem, d[i].idx,
                                (unsigned long long)(s.base + d[i].addr));
            else if (size[d[i].idx] != want)
                st = mosaic_err(
                    err, MOSAIC_ERR_INPUT,
                    "%s: dataset '%s', element %lld: expected %llu bytes (%u values) in object %u of "
                    "the global heap collection at byte %llu, found %llu (damaged file?)",
                    path, name, (long long)d[i].elem, (unsigned long long)want, d[i].len, d[i].idx,
                    (unsigned long long)(s.base + d[i].addr), (unsigned long long)size[d[i].idx]);
        }
    }
    free(buf);
    free(size);
    free(seen);
    free(d);
    if (s.fp) fclose(s.fp);
    return st;
}
