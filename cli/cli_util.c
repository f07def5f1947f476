#define _XOPEN_SOURCE 700 /* strndup, access, realpath */

#include "cli_util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 when argv[j] is option `name` ("name" or "name=..."). */
static int is_option_(const char *a, const char *name, size_t n) {
    return strncmp(a, name, n) == 0 && (a[n] == 0 || a[n] == '=');
}

static int take_(int argc, char **argv, int *i, const char *name, const char **value, int repeatable) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (!is_option_(a, name, n)) return 0;
    /* Given twice, the last would silently win: '--out a ... --out b' is more likely a slip than a wish. */
    for (int j = 1; !repeatable && j < *i; j++)
        if (is_option_(argv[j], name, n)) {
            fprintf(stderr, "mosaic: option %s is given twice; give it once\n", name);
            return -1;
        }
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "mosaic: option %s needs a value\n", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int cli_take_value(int argc, char **argv, int *i, const char *name, const char **value) {
    return take_(argc, argv, i, name, value, 0);
}

int cli_take_set(int argc, char **argv, int *i, CliSets *sets) {
    const char *v = NULL;
    int r = take_(argc, argv, i, "--set", &v, 1);
    if (r <= 0) return r;
    if (sets->nsets >= CLI_MAX_SETS) {
        fprintf(stderr, "mosaic: more than %d --set options\n", CLI_MAX_SETS);
        return -1;
    }
    sets->sets[sets->nsets++] = v;
    return 1;
}

void cli_hint_arch(MosaicStatus st, MosaicErr *err) {
    if (st == MOSAIC_OK ||
        (!strstr(err->msg, "unknown key 'train.") && !strstr(err->msg, "unknown key 'cosim.")))
        return;
    MosaicErr hinted;
    mosaic_err(&hinted, st,
               "%s; --arch takes architecture keys only, and a run's config.yaml holds training keys too: "
               "give the run folder itself (e.g. `mosaic map RUN`)",
               err->msg);
    *err = hinted;
}

MosaicStatus cli_load_arch(const char *path, const char *const *sets, int nsets, MosaicArch *arch,
                           MosaicErr *err) {
    MosaicStatus st = mosaic_arch_load(arch, path, sets, nsets, err);
    if (path) cli_hint_arch(st, err);
    return st;
}

int cli_fail(const char *cmd, MosaicStatus status, const MosaicErr *err) {
    fprintf(stderr, "mosaic %s: error: %s\n", cmd, err && err->msg[0] ? err->msg : mosaic_strstatus(status));
    return mosaic_status_exit_code(status);
}

int cli_check_out_file(const char *cmd, const char *option, const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int rc = 0;
    if (!dir) return mosaic_status_exit_code(MOSAIC_ERR_IO);
    struct stat sb;
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "mosaic %s: error: %s %s: cannot write into '%s': it is a file, not a folder\n", cmd,
                option, path, dir);
        rc = mosaic_status_exit_code(MOSAIC_ERR_IO);
    } else if (access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "mosaic %s: error: %s %s: cannot write into folder '%s': %s\n", cmd, option, path,
                dir, strerror(errno));
        rc = mosaic_status_exit_code(MOSAIC_ERR_IO);
    }
    free(dir);
    return rc;
}

/* The path `p` with its folder resolved (symbolic links, "..", "."), so that two spellings of one
 * file compare equal even before it exists. */
static void canonical_(const char *p, char *out, size_t cap) {
    const char *slash = strrchr(p, '/');
    char dir[4096], real[4096];
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", slash == p ? 1 : (int)(slash - p), p);
    else
        snprintf(dir, sizeof dir, ".");
    if (!realpath(dir, real)) snprintf(real, sizeof real, "%s", dir);
    snprintf(out, cap, "%s/%s", real, slash ? slash + 1 : p);
}

int cli_check_distinct(const char *cmd, const char *out_option, const char *out, const char *other_option,
                       const char *other) {
    if (!out || !other) return 0;
    struct stat a, b;
    int same;
    if (stat(out, &a) == 0 && stat(other, &b) == 0)
        same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    else {
        char ca[8300], cb[8300];
        canonical_(out, ca, sizeof ca);
        canonical_(other, cb, sizeof cb);
        same = strcmp(ca, cb) == 0;
    }
    if (!same) return 0;
    fprintf(stderr, "mosaic %s: error: %s %s is the same file as %s %s; give %s another name\n", cmd,
            out_option, out, other_option, other, out_option);
    return 2;
}
