/* mosaic_config: YAML configuration files checked against a schema.
 *
 * Every configurable part (architecture, training, simulation, co-simulation) describes its keys once,
 * as a table of MosaicCfgField: a dotted key ("array.rows"), a type, where the value lives in the part's
 * struct, and the allowed range. The same table drives loading a YAML file, `--set key=value`
 * overrides, error messages ("FILE:LINE: key 'array.rows': expected an integer in [1, 64], got 'x'"),
 * the resolved copy written beside every result, and `mosaic config --help`.
 *
 * YAML nesting maps to dots: `array: {rows: 5}` is the key "array.rows". Sequences of scalars are list
 * values. A key that no table claims is an error. */
#ifndef MOSAIC_CONFIG_H
#define MOSAIC_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "mosaic_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MOSAIC_CFG_INT,    /* int; range [min, max] */
    MOSAIC_CFG_INT64,  /* int64_t (seeds); range [min, max] as doubles */
    MOSAIC_CFG_DOUBLE, /* double; range [min, max] */
    MOSAIC_CFG_BOOL,   /* bool: true/false/yes/no/on/off/1/0 */
    MOSAIC_CFG_ENUM,   /* int index into `choices` ("drop|next_step") */
    MOSAIC_CFG_STRING, /* char[max] buffer; max is the buffer size */
    MOSAIC_CFG_INT8,   /* int[8], each in [min, max]; a scalar sets all 8 */
    MOSAIC_CFG_DOUBLES /* double[count], each in [min, max]; `count` is the array length; the number
                          of values given is stored in the int that follows at offset `aux` */
} MosaicCfgType;

typedef struct {
    const char *key;
    MosaicCfgType type;
    size_t offset;       /* offsetof(struct, field) */
    double min, max;     /* range (STRING: buffer size in max) */
    const char *choices; /* ENUM: "a|b|c" */
    const char *help;    /* one line for --help and the resolved copy */
    size_t count;        /* DOUBLES: capacity of the array */
    size_t aux;          /* DOUBLES: offsetof the int count */
} MosaicCfgField;

/* A part's table bound to the struct it fills. */
typedef struct {
    const MosaicCfgField *fields;
    size_t nfields;
    void *target;
} MosaicCfgSection;

/* Loads `path` into the sections. Keys not in the file keep their current values (the defaults).
 * On error returns MOSAIC_ERR_INPUT (or _IO) with a message naming the file, the line, the key and
 * the expected value; values set before the error stay set. */
MosaicStatus mosaic_cfg_load_file(const char *path, const MosaicCfgSection *sections, size_t nsections,
                                  MosaicErr *err);

/* Same, from a string (used by tests and for configs stored inside result files). `name` appears in
 * error messages in place of a file name. */
MosaicStatus mosaic_cfg_load_string(const char *name, const char *yaml, const MosaicCfgSection *sections,
                                    size_t nsections, MosaicErr *err);

/* Applies one "key=value" override (value: a scalar or "[a, b, ...]"). Errors name "--set". */
MosaicStatus mosaic_cfg_set(const char *assignment, const MosaicCfgSection *sections, size_t nsections,
                            MosaicErr *err);

/* Writes every key of the sections with its current value as YAML (nested by dots), each with its
 * help text as a comment. Loading the output again gives the same values. */
void mosaic_cfg_write(FILE *out, const MosaicCfgSection *sections, size_t nsections);

/* The same into a malloc'd string; caller frees. NULL on allocation failure. */
char *mosaic_cfg_to_string(const MosaicCfgSection *sections, size_t nsections);

/* Prints a key reference (key, type, range, default, help) for --help. */
void mosaic_cfg_print_help(FILE *out, const MosaicCfgSection *sections, size_t nsections);

#ifdef __cplusplus
}
#endif
#endif
