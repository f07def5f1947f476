/* `mosaic arch` prints the resolved architecture and its geometry; `mosaic config` lists every key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "mosaic_arch.h"
#include "mosaic_cosim.h"
#include "mosaic_train_config.h"

static void arch_usage_(FILE *out) {
    fprintf(out, "usage: mosaic arch [--arch FILE] [--set key=value ...]\n"
                 "Prints the resolved architecture (YAML) and a geometry summary: cells per kind,\n"
                 "distances and ordered tile pairs per distance.\n");
}

int mosaic_cmd_arch(int argc, char **argv) {
    const char *path = NULL;
    CliSets sets = {0};
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return arch_usage_(stdout), 0;
        if ((r = cli_take_value(argc, argv, &i, "--arch", &path)) != 0 ||
            (r = cli_take_set(argc, argv, &i, &sets)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        fprintf(stderr, "mosaic arch: unknown option '%s'\n", argv[i]);
        arch_usage_(stderr);
        return 2;
    }
    MosaicArch arch;
    MosaicErr err;
    MosaicStatus st = cli_load_arch(path, sets.sets, sets.nsets, &arch, &err);
    if (st != MOSAIC_OK) return cli_fail("arch", st, &err);
    mosaic_arch_write_yaml(stdout, &arch);
    printf("# cells: %d NT, %d R1 (%d R1v + %d R1h), %d R0\n", mosaic_count_cells(&arch, MOSAIC_CELL_NT),
           mosaic_count_r1(&arch), mosaic_count_cells(&arch, MOSAIC_CELL_R1V),
           mosaic_count_cells(&arch, MOSAIC_CELL_R1H), mosaic_count_cells(&arch, MOSAIC_CELL_R0));
    int maxd = mosaic_arch_max_distance(&arch);
    long long *pairs = calloc((size_t)maxd + 1, sizeof *pairs);
    int *counts = calloc((size_t)maxd + 1, sizeof *counts);
    if (!pairs || !counts) return free(pairs), free(counts), 3;
    for (int t = 0; t < mosaic_arch_tiles(&arch); t++) {
        mosaic_tiles_at_distance(&arch, t, counts);
        for (int d = 1; d <= maxd; d++) pairs[d] += counts[d];
    }
    printf("# ordered tile pairs per distance:");
    for (int d = 1; d <= maxd; d++)
        if (pairs[d]) printf(" d%d %lld", d, pairs[d]);
    printf("\n");
    free(pairs);
    free(counts);
    return 0;
}

int mosaic_cmd_config(int argc, char **argv) {
    (void)argc;
    (void)argv;
    MosaicArch arch;
    MosaicTrainConfig train;
    MosaicCosimConfig cosim;
    mosaic_arch_default(&arch);
    mosaic_train_config_default(&train);
    mosaic_cosim_config_default(&cosim);
    MosaicCfgSection arch_sec = mosaic_arch_config_section(&arch);
    MosaicCfgSection train_sec = mosaic_train_config_section(&train);
    MosaicCfgSection cosim_sec = mosaic_cosim_config_section(&cosim);
    printf("Configuration keys (YAML nesting maps to dots; override any with --set key=value)\n\n"
           "Architecture: --arch FILE for arch, map, proxy-check; --config FILE for train, cosim; sim takes\n"
           "it from the network file (its --set may change any key but array.*)\n");
    mosaic_cfg_print_help(stdout, &arch_sec, 1);
    printf("\nTraining: mosaic train, mosaic cosim (--config FILE)\n");
    mosaic_cfg_print_help(stdout, &train_sec, 1);
    printf("\nCo-simulation: mosaic cosim (--config FILE)\n");
    mosaic_cfg_print_help(stdout, &cosim_sec, 1);
    return 0;
}
