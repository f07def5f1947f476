/* `mosaic dataset synth`: a small synthetic dataset in the SHD layout, in seconds (traces/mosaic_synth.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "mosaic_synth.h"

static void usage_(FILE *out) {
    fprintf(out,
            "usage: mosaic dataset synth --out DIR [--classes N] [--speakers N] [--per-speaker N]\n"
            "                            [--units N] [--seed S]\n\n"
            "Writes DIR/train.h5 and DIR/test.h5 in the SHD layout: synthetic spoken-word-like spike\n"
            "patterns (three formant-like tracks per word, per-speaker shifts and stretches, background\n"
            "spikes); the last two speakers form the test split. For tests and quick demos: it is not\n"
            "speech (use `mosaic dataset make` for spoken digits).\n"
            "Defaults: 10 classes, 8 speakers, 6 utterances per speaker and word, 700 units, seed 1.\n");
}

int mosaic_cmd_dataset_synth(int argc, char **argv) {
    MosaicSynthSpec spec;
    mosaic_synth_default(&spec);
    const char *out = NULL, *v = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage_(stdout), 0;
        int r;
        if ((r = cli_take_value(argc, argv, &i, "--out", &out)) != 0) {
            if (r < 0) return 2;
            continue;
        }
        static const char *names[] = {"--classes", "--speakers", "--per-speaker", "--units", "--seed"};
        int *fields[] = {&spec.classes, &spec.speakers, &spec.per_speaker, &spec.units, NULL};
        int taken = 0;
        for (int o = 0; o < 5 && !taken; o++) {
            if ((r = cli_take_value(argc, argv, &i, names[o], &v)) == 0) continue;
            if (r < 0) return 2;
            char *end;
            long long x = strtoll(v, &end, 10);
            if (*end || x < 0 || x > 1000000) {
                fprintf(stderr, "mosaic dataset synth: %s: expected an integer in [0, 1000000], got '%s'\n",
                        names[o], v);
                return 2;
            }
            if (fields[o])
                *fields[o] = (int)x;
            else
                spec.seed = x;
            taken = 1;
        }
        if (taken) continue;
        fprintf(stderr, "mosaic dataset synth: unknown option '%s'\n", argv[i]);
        usage_(stderr);
        return 2;
    }
    if (!out) {
        fprintf(stderr, "mosaic dataset synth: --out DIR is required\n");
        return 2;
    }
    MosaicErr err;
    MosaicStatus st = mosaic_synth_write(out, &spec, &err);
    if (st != MOSAIC_OK) return cli_fail("dataset synth", st, &err);
    printf("wrote %s/train.h5 (%d speakers) and %s/test.h5 (2 speakers): %d classes x %d utterances each\n",
           out, spec.speakers - 2, out, spec.classes, spec.per_speaker);
    return 0;
}
