/* cmd_dataset: option parsing shared by the `mosaic dataset` subcommands that run the cochlea. */
#ifndef MOSAIC_CMD_DATASET_H
#define MOSAIC_CMD_DATASET_H

#include <stdint.h>

#include "mosaic_cochlea.h"

/* If argv[*i] is one of the cochlea options (--bm, --sampler, --channels, --threads, --causal) or
 * --force / --quiet, applies it, advances *i past a value and returns 1 (*ok = 0 after a bad value, a
 * message printed); 0 otherwise. */
int dataset_parse_common(int argc, char **argv, int *i, MosaicCochleaParams *p, int *force, int *quiet,
                         int *ok);

/* A decimal unsigned integer filling all of s. */
int dataset_parse_u64(const char *s, uint64_t *out);

/* `mosaic dataset probe`. */
int mosaic_cmd_dataset_probe(int argc, char **argv);

#endif
