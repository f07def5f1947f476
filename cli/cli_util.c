/* strndup, access */
#define _POSIX_C_SOURCE 200809L

#include "cli_util.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int cli_take_value(int argc, char **argv, int *i, const char *name, const char **value) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != 0) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "mosaic: option %s needs a value\n", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int cli_take_set(int argc, char **argv, int *i, CliSets *sets) {
    const char *v = NULL;
    int r = cli_take_value(argc, argv, i, "--set", &v);
    if (r <= 0) return r;
    if (sets->nsets >= CLI_MAX_SETS) {
        fprintf(stderr, "mosaic: more than %d --set options\n", CLI_MAX_SETS);
        return -1;
    }
    sets->sets[sets->nsets++] = v;
    return 1;
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
    if (access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "mosaic %s: error: %s %s: cannot write into folder '%s': %s\n", cmd, option, path,
                dir, strerror(errno));
        rc = mosaic_status_exit_code(MOSAIC_ERR_IO);
    }
    free(dir);
    return rc;
}
