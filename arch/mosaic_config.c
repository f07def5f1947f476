#define _POSIX_C_SOURCE 200809L
#include "mosaic_config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

/* ---------------------------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------------------------- */

#define CFG_MAX_DEPTH 8
#define CFG_MAX_VALUES 64

/* One leaf of the YAML tree: a dotted key and its scalar value(s). */
typedef struct {
    char key[256];
    char *values[CFG_MAX_VALUES];
    int nvalues;
    int is_list;
    int line;
} CfgLeaf_;

/* ---------------------------------------------------------------------------------------------
 * Private helpers
 * ------------------------------------------------------------------------------------------- */

static const MosaicCfgField *find_field_(const MosaicCfgSection *sections, size_t nsections, const char *key,
                                         void **target) {
    for (size_t s = 0; s < nsections; s++)
        for (size_t f = 0; f < sections[s].nfields; f++)
            if (strcmp(sections[s].fields[f].key, key) == 0) {
                *target = sections[s].target;
                return &sections[s].fields[f];
            }
    return NULL;
}

static void trim_(char *s) {
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    size_t i = 0;
    while (s[i] && isspace((unsigned char)s[i])) i++;
    if (i) memmove(s, s + i, n - i + 1);
}

static bool parse_long_(const char *s, long long *out) {
    if (!*s) return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

static bool parse_double_(const char *s, double *out) {
    if (!*s) return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return false;
    *out = v;
    return true;
}

static bool parse_bool_(const char *s, bool *out) {
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) return *out = true, true;
        if (strcasecmp(s, no[i]) == 0) return *out = false, true;
    }
    return false;
}

static int enum_index_(const char *choices, const char *s) {
    int idx = 0;
    const char *p = choices;
    size_t n = strlen(s);
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0) return idx;
        idx++;
        if (!bar) break;
        p = bar + 1;
    }
    return -1;
}

static void enum_name_(const char *choices, int index, char *out, size_t outlen) {
    const char *p = choices;
    for (int i = 0; i < index && p; i++) {
        p = strchr(p, '|');
        if (p) p++;
    }
    if (!p) {
        snprintf(out, outlen, "?");
        return;
    }
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    if (len >= outlen) len = outlen - 1;
    memcpy(out, p, len);
    out[len] = 0;
}

static const char *type_name_(const MosaicCfgField *f) {
    switch (f->type) {
    case MOSAIC_CFG_INT:
    case MOSAIC_CFG_INT64: return "an integer";
    case MOSAIC_CFG_DOUBLE: return "a number";
    case MOSAIC_CFG_BOOL: return "true or false";
    case MOSAIC_CFG_ENUM: return "one of";
    case MOSAIC_CFG_STRING: return "a string";
    case MOSAIC_CFG_INT8: return "an integer or a list of 8 integers";
    case MOSAIC_CFG_DOUBLES: return "a list of numbers";
    }
    return "a value";
}

/* The expectation clause of an error message: "an integer in [1, 64]". */
static void expected_(const MosaicCfgField *f, char *out, size_t n) {
    switch (f->type) {
    case MOSAIC_CFG_ENUM: snprintf(out, n, "one of {%s}", f->choices); break;
    case MOSAIC_CFG_BOOL: snprintf(out, n, "true or false"); break;
    case MOSAIC_CFG_STRING: snprintf(out, n, "a string of at most %.0f characters", f->max - 1); break;
    case MOSAIC_CFG_DOUBLES:
        snprintf(out, n, "a list of at most %zu numbers in [%g, %g]", f->count, f->min, f->max);
        break;
    default: snprintf(out, n, "%s in [%g, %g]", type_name_(f), f->min, f->max); break;
    }
}

/* Stores leaf values into the field; `where` is "FILE:LINE" or "--set". */
static MosaicStatus apply_(const MosaicCfgField *f, void *target, char *const *values, int nvalues,
                           int is_list, const char *where, MosaicErr *err) {
    char exp[160];
    expected_(f, exp, sizeof exp);
    char *base = (char *)target + f->offset;
    const char *v0 = nvalues > 0 ? values[0] : "";
#define BAD_(shown)                                                                                          \
    mosaic_err(err, MOSAIC_ERR_INPUT, "%s: key '%s': expected %s, got '%s'", where, f->key, exp, shown)
    if (f->type != MOSAIC_CFG_INT8 && f->type != MOSAIC_CFG_DOUBLES && (is_list || nvalues != 1))
        return BAD_(is_list ? "a list" : "nothing");
    switch (f->type) {
    case MOSAIC_CFG_INT:
    case MOSAIC_CFG_INT64: {
        long long v;
        if (!parse_long_(v0, &v) || (double)v < f->min || (double)v > f->max) return BAD_(v0);
        if (f->type == MOSAIC_CFG_INT)
            *(int *)base = (int)v;
        else
            *(int64_t *)base = (int64_t)v;
        return MOSAIC_OK;
    }
    case MOSAIC_CFG_DOUBLE: {
        double v;
        if (!parse_double_(v0, &v) || v < f->min || v > f->max) return BAD_(v0);
        *(double *)base = v;
        return MOSAIC_OK;
    }
    case MOSAIC_CFG_BOOL: {
        bool v;
        if (!parse_bool_(v0, &v)) return BAD_(v0);
        *(bool *)base = v;
        return MOSAIC_OK;
    }
    case MOSAIC_CFG_ENUM: {
        int idx = enum_index_(f->choices, v0);
        if (idx < 0) return BAD_(v0);
        *(int *)base = idx;
        return MOSAIC_OK;
    }
    case MOSAIC_CFG_STRING: {
        size_t cap = (size_t)f->max;
        if (strlen(v0) + 1 > cap) return BAD_(v0);
        memcpy(base, v0, strlen(v0) + 1);
        return MOSAIC_OK;
    }
    case MOSAIC_CFG_INT8: {
        if (!(nvalues == 1 || nvalues == 8)) {
            char shown[32];
            snprintf(shown, sizeof shown, "%d values", nvalues);
            return BAD_(shown);
        }
        int tmp[8];
        for (int i = 0; i < nvalues; i++) {
            long long v;
            if (!parse_long_(values[i], &v) || (double)v < f->min || (double)v > f->max)
                return BAD_(values[i]);
            tmp[i] = (int)v;
        }
        for (int i = 0; i < 8; i++) ((int *)base)[i] = tmp[nvalues == 1 ? 0 : i];
        return MOSAIC_OK;
    }
    case MOSAIC_CFG_DOUBLES: {
        if ((size_t)nvalues > f->count) {
            char shown[32];
            snprintf(shown, sizeof shown, "%d values", nvalues);
            return BAD_(shown);
        }
        double tmp[CFG_MAX_VALUES];
        for (int i = 0; i < nvalues; i++)
            if (!parse_double_(values[i], &tmp[i]) || tmp[i] < f->min || tmp[i] > f->max)
                return BAD_(values[i]);
        for (int i = 0; i < nvalues; i++) ((double *)base)[i] = tmp[i];
        *(int *)((char *)target + f->aux) = nvalues;
        return MOSAIC_OK;
    }
    }
#undef BAD_
    return mosaic_err(err, MOSAIC_ERR_INTERNAL, "%s: key '%s': unknown field type", where, f->key);
}

/* Edit distance (insertions, deletions, substitutions) between a and b, or cap + 1 once it exceeds
 * cap; keys are short, so two rows of at most 128 entries do. */
static size_t edit_distance_(const char *a, const char *b, size_t cap) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 127 || lb > 127) return cap + 1;
    size_t prev[128], cur[128];
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < d) d = prev[j] + 1;
            if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1;
            cur[j] = d;
            if (d < row_min) row_min = d;
        }
        if (row_min > cap) return cap + 1;
        memcpy(prev, cur, sizeof(size_t) * (lb + 1));
    }
    return prev[lb];
}

static MosaicStatus unknown_key_(const char *where, const char *key, const MosaicCfgSection *sections,
                                 size_t nsections, MosaicErr *err) {
    /* Suggest the known key fewest edits away (most unknown keys are typos: a letter missing, doubled,
     * swapped or wrong), within a third of its length; ties go to the longer shared prefix. */
    const char *best = NULL;
    size_t best_dist = 0, best_len = 0;
    for (size_t s = 0; s < nsections; s++)
        for (size_t f = 0; f < sections[s].nfields; f++) {
            const char *k = sections[s].fields[f].key;
            const size_t cap = strlen(k) / 3 > 2 ? strlen(k) / 3 : 2;
            const size_t d = edit_distance_(key, k, cap);
            size_t n = 0;
            while (k[n] && key[n] && k[n] == key[n]) n++;
            if (d <= cap && (!best || d < best_dist || (d == best_dist && n > best_len)))
                best = k, best_dist = d, best_len = n;
        }
    if (best)
        return mosaic_err(err, MOSAIC_ERR_INPUT,
                          "%s: unknown key '%s' (did you mean '%s'? `mosaic config` lists every key)", where,
                          key, best);
    return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: unknown key '%s' (`mosaic config` lists every key)", where,
                      key);
}

static MosaicStatus apply_leaf_(const CfgLeaf_ *leaf, const char *name, const MosaicCfgSection *sections,
                                size_t nsections, MosaicErr *err) {
    char where[600];
    snprintf(where, sizeof where, "%s:%d", name, leaf->line);
    void *target = NULL;
    const MosaicCfgField *f = find_field_(sections, nsections, leaf->key, &target);
    if (!f) return unknown_key_(where, leaf->key, sections, nsections, err);
    return apply_(f, target, leaf->values, leaf->nvalues, leaf->is_list, where, err);
}

static void leaf_clear_(CfgLeaf_ *leaf) {
    for (int i = 0; i < leaf->nvalues; i++) free(leaf->values[i]);
    leaf->nvalues = 0;
    leaf->is_list = 0;
}

/* The keys a file has set so far, to refuse one set twice: YAML parsers disagree on a repeated key (an
 * error, or the last one wins), so the file does not say what it means. A section may still appear
 * twice as long as its keys do not (run folders written before 2026-11-23 repeat 'train.data'). */
typedef struct {
    char (*keys)[256];
    int *lines;
    int n, cap;
} CfgSeen_;

static MosaicStatus seen_add_(CfgSeen_ *seen, const CfgLeaf_ *leaf, const char *name, MosaicErr *err) {
    for (int i = 0; i < seen->n; i++)
        if (!strcmp(seen->keys[i], leaf->key))
            return mosaic_err(err, MOSAIC_ERR_INPUT,
                              "%s:%d: key '%s' is set twice (first on line %d); keep one", name, leaf->line,
                              leaf->key, seen->lines[i]);
    if (seen->n == seen->cap) {
        const int cap = seen->cap ? 2 * seen->cap : 64;
        char(*keys)[256] = realloc(seen->keys, sizeof *keys * (size_t)cap);
        if (keys) seen->keys = keys;
        int *lines = keys ? realloc(seen->lines, sizeof *lines * (size_t)cap) : NULL;
        if (lines) seen->lines = lines;
        if (!keys || !lines) return mosaic_err(err, MOSAIC_ERR_NOMEM, "%s: out of memory", name);
        seen->cap = cap;
    }
    snprintf(seen->keys[seen->n], sizeof seen->keys[0], "%s", leaf->key);
    seen->lines[seen->n++] = leaf->line;
    return MOSAIC_OK;
}

/* ---------------------------------------------------------------------------------------------
 * YAML walk: an event loop with a stack of mapping keys.
 * ------------------------------------------------------------------------------------------- */

static MosaicStatus load_parser_(yaml_parser_t *parser, const char *name, const MosaicCfgSection *sections,
                                 size_t nsections, MosaicErr *err) {
    char stack[CFG_MAX_DEPTH][128];
    int depth = 0; /* number of open mappings */
    bool expect_key[CFG_MAX_DEPTH + 1] = {0};
    CfgLeaf_ leaf = {0};
    bool in_seq = false;
    MosaicStatus st = MOSAIC_OK;
    bool done = false;
    CfgSeen_ seen = {0};

    while (!done && st == MOSAIC_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(parser, &ev)) {
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s:%zu: not valid YAML: %s", name,
                            parser->problem_mark.line + 1, parser->problem ? parser->problem : "?");
            break;
        }
        int line = (int)ev.start_mark.line + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_MAPPING_START_EVENT:
            if (in_seq) {
                st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s:%d: key '%s': lists may hold only scalars", name,
                                line, leaf.key);
            } else if (depth >= CFG_MAX_DEPTH) {
                st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s:%d: nesting deeper than %d levels", name, line,
                                CFG_MAX_DEPTH);
            } else {
                if (depth > 0) expect_key[depth] = true; /* value consumed: next is a key */
                depth++;
                expect_key[depth] = true;
            }
            break;
        case YAML_MAPPING_END_EVENT: depth--; break;
        case YAML_SEQUENCE_START_EVENT:
            if (in_seq || depth == 0 || expect_key[depth]) {
                st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s:%d: a list is allowed only as a key's value", name,
                                line);
            } else {
                in_seq = true;
                leaf_clear_(&leaf);
                leaf.is_list = 1;
                leaf.line = line;
                /* build the dotted key */
                leaf.key[0] = 0;
                for (int i = 0; i < depth; i++) {
                    if (i) strncat(leaf.key, ".", sizeof leaf.key - strlen(leaf.key) - 1);
                    strncat(leaf.key, stack[i], sizeof leaf.key - strlen(leaf.key) - 1);
                }
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
            in_seq = false;
            st = seen_add_(&seen, &leaf, name, err);
            if (st == MOSAIC_OK) st = apply_leaf_(&leaf, name, sections, nsections, err);
            leaf_clear_(&leaf);
            expect_key[depth] = true;
            break;
        case YAML_SCALAR_EVENT: {
            const char *val = (const char *)ev.data.scalar.value;
            if (in_seq) {
                if (leaf.nvalues >= CFG_MAX_VALUES) {
                    st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s:%d: key '%s': more than %d values", name, line,
                                    leaf.key, CFG_MAX_VALUES);
                } else {
                    leaf.values[leaf.nvalues++] = strdup(val);
                }
            } else if (depth == 0) {
                /* An empty document is a scalar (possibly empty) at depth 0. */
                if (val[0])
                    st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s:%d: expected a mapping of keys, got '%s'",
                                    name, line, val);
            } else if (expect_key[depth]) {
                snprintf(stack[depth - 1], sizeof stack[0], "%s", val);
                expect_key[depth] = false;
            } else {
                leaf_clear_(&leaf);
                leaf.line = line;
                leaf.key[0] = 0;
                for (int i = 0; i < depth; i++) {
                    if (i) strncat(leaf.key, ".", sizeof leaf.key - strlen(leaf.key) - 1);
                    strncat(leaf.key, stack[i], sizeof leaf.key - strlen(leaf.key) - 1);
                }
                leaf.values[0] = strdup(val);
                leaf.nvalues = 1;
                st = seen_add_(&seen, &leaf, name, err);
                if (st == MOSAIC_OK) st = apply_leaf_(&leaf, name, sections, nsections, err);
                leaf_clear_(&leaf);
                expect_key[depth] = true;
            }
            break;
        }
        case YAML_ALIAS_EVENT:
            st = mosaic_err(err, MOSAIC_ERR_INPUT, "%s:%d: YAML aliases are not supported", name, line);
            break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    leaf_clear_(&leaf);
    free(seen.keys);
    free(seen.lines);
    return st;
}

/* ---------------------------------------------------------------------------------------------
 * API
 * ------------------------------------------------------------------------------------------- */

MosaicStatus mosaic_cfg_load_file(const char *path, const MosaicCfgSection *sections, size_t nsections,
                                  MosaicErr *err) {
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: a folder; expected a YAML configuration file", path);
    FILE *fp = fopen(path, "rb");
    if (!fp) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot open config: %s", path, strerror(errno));
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    MosaicStatus st = load_parser_(&parser, path, sections, nsections, err);
    yaml_parser_delete(&parser);
    fclose(fp);
    return st;
}

MosaicStatus mosaic_cfg_load_string(const char *name, const char *yaml, const MosaicCfgSection *sections,
                                    size_t nsections, MosaicErr *err) {
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, strlen(yaml));
    MosaicStatus st = load_parser_(&parser, name, sections, nsections, err);
    yaml_parser_delete(&parser);
    return st;
}

MosaicStatus mosaic_cfg_set(const char *assignment, const MosaicCfgSection *sections, size_t nsections,
                            MosaicErr *err) {
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "--set '%s': expected key=value", assignment);
    char key[256];
    size_t klen = (size_t)(eq - assignment);
    if (klen >= sizeof key) return mosaic_err(err, MOSAIC_ERR_INPUT, "--set: key too long");
    memcpy(key, assignment, klen);
    key[klen] = 0;
    trim_(key);
    void *target = NULL;
    const MosaicCfgField *f = find_field_(sections, nsections, key, &target);
    if (!f) return unknown_key_("--set", key, sections, nsections, err);

    char *buf = strdup(eq + 1);
    if (!buf) return mosaic_err(err, MOSAIC_ERR_NOMEM, "--set: out of memory");
    trim_(buf);
    char *values[CFG_MAX_VALUES];
    int n = 0, is_list = 0;
    size_t len = strlen(buf);
    if (len >= 2 && buf[0] == '[' && buf[len - 1] == ']') {
        is_list = 1;
        buf[len - 1] = 0;
        char *save = NULL;
        for (char *tok = strtok_r(buf + 1, ",", &save); tok && n < CFG_MAX_VALUES;
             tok = strtok_r(NULL, ",", &save)) {
            trim_(tok);
            values[n++] = tok;
        }
    } else {
        values[n++] = buf;
    }
    MosaicStatus st = apply_(f, target, values, n, is_list, "--set", err);
    free(buf);
    return st;
}

/* The shortest decimal that reads back as the same double ("0.9", not "0.90000000000000002"). */
static void shortest_double_(double v, char *out, size_t n) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, v);
        if (strtod(out, NULL) == v) return;
    }
}

static void format_value_(const MosaicCfgField *f, const void *target, char *out, size_t n) {
    const char *base = (const char *)target + f->offset;
    switch (f->type) {
    case MOSAIC_CFG_INT: snprintf(out, n, "%d", *(const int *)base); break;
    case MOSAIC_CFG_INT64: snprintf(out, n, "%lld", (long long)*(const int64_t *)base); break;
    case MOSAIC_CFG_DOUBLE: shortest_double_(*(const double *)base, out, n); break;
    case MOSAIC_CFG_BOOL: snprintf(out, n, "%s", *(const bool *)base ? "true" : "false"); break;
    case MOSAIC_CFG_ENUM: enum_name_(f->choices, *(const int *)base, out, n); break;
    case MOSAIC_CFG_STRING: snprintf(out, n, "\"%s\"", base); break;
    case MOSAIC_CFG_INT8: {
        const int *v = (const int *)base;
        snprintf(out, n, "[%d, %d, %d, %d, %d, %d, %d, %d]", v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
        break;
    }
    case MOSAIC_CFG_DOUBLES: {
        int cnt = *(const int *)((const char *)target + f->aux);
        size_t used = (size_t)snprintf(out, n, "[");
        for (int i = 0; i < cnt && used < n; i++)
            used +=
                (size_t)snprintf(out + used, n - used, "%s%.17g", i ? ", " : "", ((const double *)base)[i]);
        if (used < n) snprintf(out + used, n - used, "]");
        break;
    }
    }
}

typedef struct {
    const MosaicCfgField *f;
    const void *target;
} CfgKeyRef_;

/* Writes, at `depth`, every key under `prefix` (which ends in '.' unless empty) not yet written: each
 * leaf where it first appears, each sub-section (all of its keys at once) where its first key appears.
 * Grouping by section, not by table position, keeps the YAML valid when the tables list a section's
 * keys in two places (train.data.steps ... then train.data.source ...): a mapping key written twice is
 * an error to strict YAML parsers and silently loses the first half in PyYAML. */
static void write_level_(FILE *out, const CfgKeyRef_ *keys, size_t n, unsigned char *done, const char *prefix,
                         int depth) {
    const size_t plen = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        const char *key = keys[i].f->key;
        if (done[i] || strncmp(key, prefix, plen) != 0) continue;
        const char *rest = key + plen, *dot = strchr(rest, '.');
        if (!dot) {
            char val[2048];
            format_value_(keys[i].f, keys[i].target, val, sizeof val);
            fprintf(out, "%*s%s: %s", 2 * depth, "", rest, val);
            if (keys[i].f->help) fprintf(out, "  # %s", keys[i].f->help);
            fputc('\n', out);
            done[i] = 1;
            continue;
        }
        char child[512];
        snprintf(child, sizeof child, "%s%.*s.", prefix, (int)(dot - rest), rest);
        fprintf(out, "%*s%.*s:\n", 2 * depth, "", (int)(dot - rest), rest);
        write_level_(out, keys, n, done, child, depth + 1);
    }
}

void mosaic_cfg_write(FILE *out, const MosaicCfgSection *sections, size_t nsections) {
    size_t n = 0;
    for (size_t s = 0; s < nsections; s++) n += sections[s].nfields;
    CfgKeyRef_ *keys = malloc(sizeof *keys * (n ? n : 1));
    unsigned char *done = calloc(n ? n : 1, 1);
    if (!keys || !done) { /* a silently shortened configuration would load as defaults: stop instead */
        fputs("mosaic: out of memory writing the configuration\n", stderr);
        abort();
    }
    size_t k = 0;
    for (size_t s = 0; s < nsections; s++)
        for (size_t i = 0; i < sections[s].nfields; i++)
            keys[k++] = (CfgKeyRef_){&sections[s].fields[i], sections[s].target};
    write_level_(out, keys, n, done, "", 0);
    free(keys);
    free(done);
}

char *mosaic_cfg_to_string(const MosaicCfgSection *sections, size_t nsections) {
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) return NULL;
    mosaic_cfg_write(mem, sections, nsections);
    fclose(mem);
    return buf;
}

void mosaic_cfg_print_help(FILE *out, const MosaicCfgSection *sections, size_t nsections) {
    for (size_t s = 0; s < nsections; s++)
        for (size_t i = 0; i < sections[s].nfields; i++) {
            const MosaicCfgField *f = &sections[s].fields[i];
            char exp[160], def[512];
            expected_(f, exp, sizeof exp);
            format_value_(f, sections[s].target, def, sizeof def);
            fprintf(out, "  %-32s %s (default %s)\n      %s\n", f->key, exp, def, f->help ? f->help : "");
        }
}
