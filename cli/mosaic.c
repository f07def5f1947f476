/* mosaic: one program, one subcommand per job. */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "mosaic_files.h"
#include "mosaic_h5.h"
#include "mosaic_input_guard.h"

/* In a sanitizer build, an impossible allocation returns NULL as glibc's malloc does, rather than
 * aborting: libhdf5 asks for sizes read from damaged files and must see the refusal it handles. */
const char *__asan_default_options(void);
__attribute__((used)) const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} MosaicCommand;

static const MosaicCommand commands_[] = {
    {"dataset", mosaic_cmd_dataset, "spike datasets in the SHD layout: make, synth, info, verify, probe"},
    {"train", mosaic_cmd_train, "train the network (routing-aware, hop-penalty, deepr, dense)"},
    {"eval", mosaic_cmd_eval, "score a training run on a dataset"},
    {"map", mosaic_cmd_map, "route a network onto the array: mappable?, violations, devices, gamma_d"},
    {"sim", mosaic_cmd_sim, "run a network on the cycle-accurate array (SystemC + Verilated routers)"},
    {"cosim", mosaic_cmd_cosim, "co-simulate training against the hardware (the main job)"},
    {"proxy-check", mosaic_cmd_proxy_check, "validate the training-time proxy against exact mapping"},
    {"arch", mosaic_cmd_arch, "print the resolved architecture and its geometry"},
    {"config", mosaic_cmd_config, "list every configuration key with type, range and default"},
};

static void usage_(FILE *out) {
    fprintf(
        out,
        "mosaic %s (%s): hardware-in-the-loop co-simulation of the Mosaic neuromorphic array\n\n"
        "usage: mosaic <command> [options]    (mosaic <command> --help for details)\n"
        "       mosaic --version              the version and the commit it was built from\n\ncommands:\n",
        MOSAIC_VERSION, MOSAIC_GIT_HASH);
    for (size_t i = 0; i < sizeof commands_ / sizeof commands_[0]; i++)
        fprintf(out, "  %-14s %s\n", commands_[i].name, commands_[i].summary);
    fprintf(
        out,
        "\nexit status: 0 ok, 1 a 'no' answer (e.g. not mappable), 2 bad input, 3 I/O or internal error\n");
}

int main(int argc, char **argv) {
    mosaic_input_guard_install("mosaic");
    mosaic_h5_quiet();
    mosaic_interrupt_install(); /* an interrupted command leaves no temporary file behind */
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage_(stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("mosaic %s (%s)\n", MOSAIC_VERSION, MOSAIC_GIT_HASH);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands_ / sizeof commands_[0]; i++)
        if (!strcmp(argv[1], commands_[i].name)) return commands_[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mosaic: unknown command '%s'\n\n", argv[1]);
    usage_(stderr);
    return 2;
}
