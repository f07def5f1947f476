/* Link sets: the text format, checks, random networks with the reference budget rule, gamma_d. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mosaic_files.h"
#include "mosaic_mapper.h"
#include "mosaic_mapper_internal.h"
#include "mosaic_rng.h"

void mosaic_links_init(MosaicLinks *links) { memset(links, 0, sizeof *links); }

void mosaic_links_free(MosaicLinks *links) {
    if (!links) return;
    free(links->src);
    free(links->dst);
    memset(links, 0, sizeof *links);
}

MosaicStatus mosaic_links_push(MosaicLinks *links, int32_t src, int32_t dst, MosaicErr *err) {
    if (links->n == links->cap) {
        const int cap = links->cap ? 2 * links->cap : 1024;
        int32_t *s = realloc(links->src, sizeof(int32_t) * (size_t)cap);
        if (s) links->src = s;
        int32_t *d = s ? realloc(links->dst, sizeof(int32_t) * (size_t)cap) : NULL;
        if (d) links->dst = d;
        if (!s || !d) return mosaic_err(err, MOSAIC_ERR_NOMEM, "links: out of memory for %d links", cap);
        links->cap = cap;
    }
    links->src[links->n] = src;
    links->dst[links->n] = dst;
    links->n++;
    return MOSAIC_OK;
}

MosaicStatus mosaic_links_check(const MosaicLinks *links, const MosaicArch *arch, const char *source,
                                MosaicErr *err) {
    const int N = mosaic_arch_neurons(arch), tiles = mosaic_arch_tiles(arch);
    int32_t *start = malloc(sizeof(int32_t) * ((size_t)N + 1));
    int32_t *order = malloc(sizeof(int32_t) * ((size_t)links->n + 1));
    int32_t *stamp = malloc(sizeof(int32_t) * (size_t)tiles);
    MosaicStatus st = start && order && stamp
                          ? mapper_group_by_source_(links, arch, source, start, order, stamp, err)
                          : mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", source);
    free(start);
    free(order);
    free(stamp);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Text format
 * ------------------------------------------------------------------------------------------- */

/* Parses "# mosaic-links rows=R cols=C k=K" (fields in any order, each required once). */
static int parse_header_(const char *line, MosaicArch *arch) {
    if (strncmp(line, "# mosaic-links", 14) != 0) return 0;
    int rows = -1, cols = -1, k = -1;
    const char *p = line + 14;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (!*p) break;
        int *dst = !strncmp(p, "rows=", 5)   ? &rows
                   : !strncmp(p, "cols=", 5) ? &cols
                   : !strncmp(p, "k=", 2)    ? &k
                                             : NULL;
        if (!dst || *dst >= 0) return 0;
        p = strchr(p, '=') + 1;
        char *end;
        errno = 0;
        const long v = strtol(p, &end, 10);
        if (end == p || errno || v < 1 || v > 1000000) return 0;
        *dst = (int)v;
        p = end;
        if (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return 0;
    }
    if (rows < 0 || cols < 0 || k < 0) return 0;
    arch->rows = rows;
    arch->cols = cols;
    arch->neurons_per_tile = k;
    return 1;
}

MosaicStatus mosaic_links_read_text(const char *path, MosaicArch *arch, MosaicLinks *links, int *ignored,
                                    MosaicErr *err) {
    FILE *f = fopen(path, "r");
    if (!f) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    mosaic_arch_default(arch);
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int n_ignored = 0;
    const int first = links->n;
    MosaicStatus st = MOSAIC_OK;
    if (getline(&line, &cap, f) < 0 || (lineno = 1, !parse_header_(line, arch))) {
        st = mosaic_err(err, MOSAIC_ERR_INPUT,
                        "%s:1: expected the header '# mosaic-links rows=R cols=C k=K' (R, C in [1, %d], K in "
                        "[1, %d])",
                        path, MOSAIC_MAX_SIDE, MOSAIC_MAX_K);
    } else if (arch->rows > MOSAIC_MAX_SIDE || arch->cols > MOSAIC_MAX_SIDE ||
               arch->neurons_per_tile > MOSAIC_MAX_K) {
        st = mosaic_err(err, MOSAIC_ERR_INPUT,
                        "%s:1: header: rows and cols must be in [1, %d] and k in [1, %d]", path,
                        MOSAIC_MAX_SIDE, MOSAIC_MAX_K);
    }
    const long N = mosaic_arch_neurons(arch), tiles = mosaic_arch_tiles(arch), k = arch->neurons_per_tile;
    while (st == MOSAIC_OK && getline(&line, &cap, f) >= 0) {
        lineno++;
        const char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == 0) continue;
        char *end1, *end2;
        errno = 0;
        const long s = strtol(p, &end1, 10);
        const long d = end1 != p ? strtol(end1, &end2, 10) : 0;
        const char *rest = end1 != p ? end2 : p;
        while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n') rest++;
        if (end1 == p || end2 == end1 || *rest || errno) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT,
                            "%s:%ld: expected 'source_neuron destination_tile' (two integers)", path, lineno);
        } else if (s < 0 || s >= N || d < 0 || d >= tiles) {
            st = mosaic_err(
                err, MOSAIC_ERR_INPUT,
                "%s:%ld: link %ld -> %ld out of range: expected a neuron in [0, %ld) and a tile in "
                "[0, %ld)",
                path, lineno, s, d, N, tiles);
        } else if (d == s / k) {
            n_ignored++;
        } else {
            st = mosaic_links_push(links, (int32_t)s, (int32_t)d, err);
        }
    }
    if (st == MOSAIC_OK && ferror(f)) st = mosaic_err(err, MOSAIC_ERR_IO, "%s: read error", path);
    free(line);
    fclose(f);
    if (st != MOSAIC_OK) return st;
    /* drop duplicates, keeping the first occurrence and the file order: group the new links by source
     * (stable counting sort), then stamp destination tiles per source */
    const int n_new = links->n - first;
    int32_t *start = calloc((size_t)N + 1, sizeof(int32_t));
    int32_t *order = malloc(sizeof(int32_t) * ((size_t)n_new + 1));
    int32_t *stamp = malloc(sizeof(int32_t) * (size_t)tiles);
    uint8_t *dup = calloc((size_t)links->n + 1, 1);
    if (!start || !order || !stamp || !dup) {
        free(start), free(order), free(stamp), free(dup);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", path);
    }
    for (int l = first; l < links->n; l++) start[links->src[l] + 1]++;
    for (long s = 0; s < N; s++) start[s + 1] += start[s];
    for (int l = first; l < links->n; l++) order[start[links->src[l]]++] = l;
    for (long t = 0; t < tiles; t++) stamp[t] = -1;
    for (int i = 0; i < n_new; i++) { /* order is grouped by source, in file order within a group */
        const int l = order[i];
        if (stamp[links->dst[l]] == links->src[l]) dup[l] = 1;
        stamp[links->dst[l]] = links->src[l];
    }
    int w = first;
    for (int l = first; l < links->n; l++) {
        if (dup[l]) {
            n_ignored++;
            continue;
        }
        links->src[w] = links->src[l];
        links->dst[w] = links->dst[l];
        w++;
    }
    links->n = w;
    free(start), free(order), free(stamp), free(dup);
    if (ignored) *ignored = n_ignored;
    return MOSAIC_OK;
}

MosaicStatus mosaic_links_write_text(const char *path, const MosaicArch *arch, const MosaicLinks *links,
                                     MosaicErr *err) {
    char tmp[4096];
    if (mosaic_tmp_name(path, "tmp", tmp, sizeof tmp) != 0)
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: path too long", path);
    const int tracked = mosaic_tmp_track(tmp);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        mosaic_tmp_untrack(tracked);
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    }
    fprintf(f, "# mosaic-links rows=%d cols=%d k=%d\n", arch->rows, arch->cols, arch->neurons_per_tile);
    for (int l = 0; l < links->n; l++) fprintf(f, "%d %d\n", (int)links->src[l], (int)links->dst[l]);
    const int bad = ferror(f);
    MosaicStatus st = MOSAIC_OK;
    if (fclose(f) != 0 || bad) {
        remove(tmp);
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: write failed", tmp);
    } else if (rename(tmp, path) != 0) {
        remove(tmp);
        st = mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot rename from %s: %s", path, tmp, strerror(errno));
    }
    mosaic_tmp_untrack(tracked);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * Random networks and gamma
 * ------------------------------------------------------------------------------------------- */

MosaicStatus mosaic_links_random(MosaicLinks *links, const MosaicArch *arch, const MosaicProfile *prof,
                                 uint64_t seed, MosaicErr *err) {
    const int tiles = mosaic_arch_tiles(arch), maxd = mosaic_arch_max_distance(arch);
    int *budgets = malloc(sizeof(int) * (size_t)tiles * ((size_t)maxd + 1));
    if (!budgets) return mosaic_err(err, MOSAIC_ERR_NOMEM, "random network: out of memory");
    mosaic_profile_budgets(prof, arch, budgets);
    MosaicStatus st = mosaic_links_random_budgets(links, arch, budgets, seed, err);
    free(budgets);
    return st;
}

MosaicStatus mosaic_links_random_budgets(MosaicLinks *links, const MosaicArch *arch, const int *budgets,
                                         uint64_t seed, MosaicErr *err) {
    const int tiles = mosaic_arch_tiles(arch), k = arch->neurons_per_tile;
    const int maxd = mosaic_arch_max_distance(arch);
    int32_t *at_d = malloc(sizeof(int32_t) * (size_t)tiles);
    int32_t *pool = malloc(sizeof(int32_t) * (size_t)tiles * (size_t)k);
    if (!at_d || !pool) {
        free(at_d), free(pool);
        return mosaic_err(err, MOSAIC_ERR_NOMEM, "random network: out of memory");
    }
    MosaicRng rng;
    mosaic_rng_seed(&rng, seed);
    MosaicStatus st = MOSAIC_OK;
    for (int s = 0; s < tiles && st == MOSAIC_OK; s++)
        for (int d = 1; d <= maxd && st == MOSAIC_OK; d++) {
            const int budget = budgets[s * (maxd + 1) + d];
            if (budget <= 0) continue;
            int nd = 0;
            for (int t = 0; t < tiles; t++)
                if (mosaic_tile_distance(arch, s, t) == d) at_d[nd++] = t;
            /* partial Fisher-Yates over the k * nd (neuron, tile) pairs: uniform without replacement */
            const int pairs = k * nd;
            if (budget > pairs) {
                st = mosaic_err(
                    err, MOSAIC_ERR_INPUT,
                    "random network: %d links from tile %d at distance %d; it has only %d (neuron, "
                    "tile) pairs there",
                    budget, s, d, pairs);
                break;
            }
            for (int i = 0; i < pairs; i++) pool[i] = i;
            for (int i = 0; i < budget && st == MOSAIC_OK; i++) {
                const int j = i + (int)mosaic_rng_below(&rng, (uint64_t)(pairs - i));
                const int32_t pick = pool[j];
                pool[j] = pool[i];
                pool[i] = pick;
                st = mosaic_links_push(links, s * k + pick / nd, at_d[pick % nd], err);
            }
        }
    free(at_d), free(pool);
    return st;
}

void mosaic_links_gamma(const MosaicLinks *links, const MosaicArch *arch, const int32_t *placement,
                        int *gamma) {
    const int k = arch->neurons_per_tile;
    memset(gamma, 0, sizeof(int) * ((size_t)mosaic_arch_max_distance(arch) + 1));
    for (int l = 0; l < links->n; l++) {
        const int a = links->src[l] / k, b = links->dst[l];
        gamma[placement ? mosaic_tile_distance(arch, placement[a], placement[b])
                        : mosaic_tile_distance(arch, a, b)]++;
    }
}
