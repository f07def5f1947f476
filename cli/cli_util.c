#include "cli_util.h"

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
