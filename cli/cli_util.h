/* cli_util: option parsing shared by the subcommands (--arch FILE, repeated --set key=value). */
#ifndef MOSAIC_CLI_UTIL_H
#define MOSAIC_CLI_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mosaic_arch.h"
#include "mosaic_status.h"

/* Set by cli/CMakeLists.txt; the fallback keeps a stray build honest rather than broken. */
#ifndef MOSAIC_VERSION
#define MOSAIC_VERSION "unknown"
#endif
/* The commit the program was built from, written at build time (cmake/mosaic_git_hash.cmake). */
#define MOSAIC_GIT_HASH mosaic_git_hash

#ifdef __cplusplus
extern "C" {
#endif

extern const char mosaic_git_hash[];

#define CLI_MAX_SETS 64

typedef struct {
    const char *sets[CLI_MAX_SETS];
    int nsets;
} CliSets;

/* If argv[*i] is "--set" (with a value after it) or "--set=k=v", records it, advances *i and returns
 * 1; returns -1 (message printed) when --set has no value or too many are given; 0 otherwise. */
int cli_take_set(int argc, char **argv, int *i, CliSets *sets);

/* If argv[*i] is `name` followed by a value, stores the value, advances *i and returns 1; -1 when the
 * value is missing or the option was given before (message printed); 0 otherwise. Also accepts
 * "name=value". */
int cli_take_value(int argc, char **argv, int *i, const char *name, const char **value);

/* Checks, before a long run, that the file `path` can be created later: its folder exists and is
 * writable. Returns 0, or prints "mosaic <cmd>: error: ..." naming the option and the folder and returns
 * the I/O exit code, so that a mistyped --out does not cost the whole run. */
int cli_check_out_file(const char *cmd, const char *option, const char *path);

/* 2 (message printed) when output `out` (given with out_option) is the same file as `other` (an input,
 * or another output), which writing it would destroy or clobber; 0 otherwise or when either is NULL. */
int cli_check_distinct(const char *cmd, const char *out_option, const char *out, const char *other_option,
                       const char *other);

/* Prints "mosaic <cmd>: <message>" to stderr and returns the exit code for `status`. */
int cli_fail(const char *cmd, MosaicStatus status, const MosaicErr *err);

/* mosaic_arch_load for --arch FILE; an error caused by a run's config.yaml (training keys) says what to
 * give instead (cli_hint_arch adds that to an error of another loader that read --arch). */
void cli_hint_arch(MosaicStatus st, MosaicErr *err);
MosaicStatus cli_load_arch(const char *path, const char *const *sets, int nsets, MosaicArch *arch,
                           MosaicErr *err);

#ifdef __cplusplus
}
#endif
#endif
