/* mosaic_gz: gzip inflate into memory and file compression with zlib (see mosaic_gz.h). */
#define _POSIX_C_SOURCE 200809L

#include "mosaic_gz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int mosaic_gz_is_gz_path(const char *path) {
    size_t n = strlen(path);
    return n >= 3 && !strcmp(path + n - 3, ".gz");
}

/* The inflater state shared by the memory and the file front ends. */
typedef struct {
    z_stream zs;
    unsigned char *out;
    size_t len, cap, max_out;
    int in_member; /* inside a gzip member (header seen, end not yet) */
    const char *name;
} Inflater_;

static MosaicStatus inflater_init_(Inflater_ *f, const char *name, size_t hint, size_t max_out,
                                   MosaicErr *err) {
    memset(f, 0, sizeof *f);
    f->name = name;
    f->max_out = max_out;
    f->cap = hint < 65536 ? 65536 : hint;
    if (f->cap > max_out) f->cap = max_out ? max_out : 1;
    f->out = malloc(f->cap);
    if (!f->out) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory for %zu bytes", name, f->cap);
    if (inflateInit2(&f->zs, 16 + MAX_WBITS) != Z_OK) { /* 16+: gzip wrapper only */
        free(f->out);
        return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: zlib initialisation failed", name);
    }
    return MOSAIC_OK;
}

static void inflater_free_(Inflater_ *f) {
    inflateEnd(&f->zs);
    free(f->out);
    f->out = NULL;
}

/* Consumes in[0..n); returns at the end of the input. */
static MosaicStatus inflater_feed_(Inflater_ *f, const unsigned char *in, size_t n, MosaicErr *err) {
    f->zs.next_in = (unsigned char *)in;
    f->zs.avail_in = (uInt)n;
    for (;;) {
        if (f->len == f->cap) {
            if (f->cap >= f->max_out)
                return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: inflates to more than %zu bytes (limit)",
                                  f->name, f->max_out);
            size_t cap = f->cap * 2 > f->max_out || f->cap * 2 < f->cap ? f->max_out : f->cap * 2;
            unsigned char *p = realloc(f->out, cap);
            if (!p)
                return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory inflating (%zu bytes)", f->name,
                                  cap);
            f->out = p;
            f->cap = cap;
        }
        size_t room = f->cap - f->len;
        if (room > UINT32_MAX) room = UINT32_MAX;
        f->zs.next_out = f->out + f->len;
        f->zs.avail_out = (uInt)room;
        if (f->zs.avail_in > 0) f->in_member = 1;
        int r = inflate(&f->zs, Z_NO_FLUSH);
        f->len += room - f->zs.avail_out;
        if (r == Z_STREAM_END) {
            f->in_member = 0;
            /* Another member may follow (concatenated gzip files); trailing zeros are padding. */
            size_t k = 0;
            while (k < f->zs.avail_in && f->zs.next_in[k] == 0) k++;
            if (k == f->zs.avail_in) return MOSAIC_OK;
            inflateReset(&f->zs);
            continue;
        }
        if (r != Z_OK && r != Z_BUF_ERROR)
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s: not a valid gzip stream (%s after %zu inflated bytes)", f->name,
                              f->zs.msg ? f->zs.msg : "zlib error", f->len);
        /* Output space left over means zlib has flushed everything it can from this input. */
        if (f->zs.avail_out > 0) {
            if (f->zs.avail_in > 0)
                return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: gzip stream is damaged (zlib made no progress)",
                                  f->name);
            return MOSAIC_OK;
        }
    }
}

static MosaicStatus inflater_finish_(Inflater_ *f, unsigned char **out, size_t *out_len, MosaicErr *err) {
    if (f->in_member || (f->zs.total_in == 0 && f->len == 0)) {
        MosaicStatus st = mosaic_err(
            err, MOSAIC_ERR_INPUT,
            "%s: gzip stream ends early after %zu inflated bytes (truncated download?)", f->name, f->len);
        inflater_free_(f);
        return st;
    }
    inflateEnd(&f->zs);
    *out = f->out;
    *out_len = f->len;
    return MOSAIC_OK;
}

MosaicStatus mosaic_gz_inflate(const char *name, const void *in, size_t n, size_t max_out,
                               unsigned char **out, size_t *out_len, MosaicErr *err) {
    *out = NULL;
    *out_len = 0;
    Inflater_ f;
    MOSAIC_TRY(inflater_init_(&f, name, n * 2, max_out, err));
    const unsigned char *p = in;
    while (n > 0) {
        size_t step = n > (1u << 30) ? (1u << 30) : n;
        MosaicStatus st = inflater_feed_(&f, p, step, err);
        if (st != MOSAIC_OK) {
            inflater_free_(&f);
            return st;
        }
        p += step;
        n -= step;
    }
    return inflater_finish_(&f, out, out_len, err);
}

MosaicStatus mosaic_gz_inflate_file(const char *path, size_t max_out, unsigned char **out, size_t *out_len,
                                    MosaicErr *err) {
    *out = NULL;
    *out_len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open for reading", path);
    /* The gzip trailer holds the inflated size mod 2^32: a good first allocation, never trusted. */
    size_t hint = 0;
    unsigned char tail[4];
    if (fseek(fp, -4, SEEK_END) == 0 && fread(tail, 1, 4, fp) == 4)
        hint = (size_t)tail[0] | (size_t)tail[1] << 8 | (size_t)tail[2] << 16 | (size_t)tail[3] << 24;
    long csize = ftell(fp);
    rewind(fp);
    if (csize > 0 && hint > (size_t)csize * 1100) hint = (size_t)csize * 8; /* deflate tops out near 1032:1 */
    Inflater_ f;
    MosaicStatus st = inflater_init_(&f, path, hint + 1, max_out, err);
    if (st != MOSAIC_OK) {
        fclose(fp);
        return st;
    }
    unsigned char *chunk = malloc(1 << 20);
    if (!chunk) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    size_t got;
    while (st == MOSAIC_OK && chunk && (got = fread(chunk, 1, 1 << 20, fp)) > 0)
        st = inflater_feed_(&f, chunk, got, err);
    if (st == MOSAIC_OK && ferror(fp)) st = mosaic_err(err, MOSAIC_ERR_IO, "%s: read error", path);
    free(chunk);
    fclose(fp);
    if (st != MOSAIC_OK) {
        inflater_free_(&f);
        return st;
    }
    return inflater_finish_(&f, out, out_len, err);
}

MosaicStatus mosaic_gz_compress_file(const char *src, const char *dst, MosaicErr *err) {
    FILE *in = fopen(src, "rb");
    if (!in) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open for reading", src);
    gzFile out = gzopen(dst, "wb6");
    if (!out) {
        fclose(in);
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create", dst);
    }
    MosaicStatus st = MOSAIC_OK;
    unsigned char *buf = malloc(1 << 20);
    size_t got;
    if (!buf) st = mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", dst);
    while (st == MOSAIC_OK && (got = fread(buf, 1, 1 << 20, in)) > 0)
        if (gzwrite(out, buf, (unsigned)got) != (int)got)
            st = mosaic_err(err, MOSAIC_ERR_IO, "%s: write failed", dst);
    if (st == MOSAIC_OK && ferror(in)) st = mosaic_err(err, MOSAIC_ERR_IO, "%s: read error", src);
    free(buf);
    fclose(in);
    if (gzclose(out) != Z_OK && st == MOSAIC_OK)
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: write failed at close", dst);
    return st;
}
