/* Loading, overriding and writing the architecture configuration; bad input is refused clearly. */
#include <stddef.h>

#include "mosaic_arch.h"
#include "mosaic_test.h"
#include "mosaic_test_yaml.h"

static MosaicStatus load_str_(MosaicArch *a, const char *yaml, MosaicErr *err) {
    mosaic_arch_default(a);
    MosaicCfgSection s = mosaic_arch_config_section(a);
    return mosaic_cfg_load_string("arch.yaml", yaml, &s, 1, err);
}

int main(void) {
    MosaicArch a;
    MosaicErr err;

    TEST("DefaultsAreTheCaseStudy") {
        mosaic_arch_default(&a);
        CHECK_EQ_INT(a.rows, 5);
        CHECK_EQ_INT(a.cols, 5);
        CHECK_EQ_INT(a.neurons_per_tile, 32);
        CHECK_EQ_INT(a.cap_nt[3], 32);
        CHECK_EQ_INT(a.cap_r1[0], 32);
        CHECK_EQ_INT(a.cap_r0[7], 8);
    }
    TEST("NestedKeysScalarsAndLists") {
        CHECK(load_str_(&a,
                        "array:\n  rows: 3\n  cols: 7\ncapacity:\n  r0: 16\n  nt: [1,2,3,4,5,6,7,8]\n"
                        "timing: {late_spikes: next_step}\ndevice:\n  ideal: false\n  levels: 8\n",
                        &err) == MOSAIC_OK);
        CHECK_EQ_INT(a.rows, 3);
        CHECK_EQ_INT(a.cols, 7);
        CHECK_EQ_INT(a.cap_r0[5], 16);
        CHECK_EQ_INT(a.cap_nt[7], 8);
        CHECK_EQ_INT(a.late_policy, MOSAIC_LATE_NEXT_STEP);
        CHECK(!a.device.ideal);
        CHECK_EQ_INT(a.device.levels, 8);
    }
    TEST("UnknownKeyNamesFileLineAndKey") {
        CHECK(load_str_(&a, "array:\n  rows: 3\n  colz: 4\n", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "arch.yaml:3") != NULL);
        CHECK(strstr(err.msg, "array.colz") != NULL);
        CHECK(strstr(err.msg, "array.cols") != NULL); /* the suggestion */
        /* the suggestion is the key fewest edits away, wherever the typo is */
        const char *typos[][2] = {{"arary:\n  rows: 3\n", "'array.rows'"},
                                  {"device:\n  stuck_onn: 0.1\n", "'device.stuck_on'"},
                                  {"device:\n  stuck_of: 0.1\n", "'device.stuck_off'"},
                                  {"timing:\n  cycels_per_step: 4\n", "'timing.cycles_per_step'"}};
        for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
            CHECK(load_str_(&a, typos[i][0], &err) == MOSAIC_ERR_INPUT);
            CHECK(strstr(err.msg, typos[i][1]) != NULL);
        }
        CHECK(load_str_(&a, "zzz:\n  qqq: 1\n", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "did you mean") == NULL); /* nothing close: no guess */
    }
    TEST("KeySetTwiceIsRefused") {
        /* a repeated key, even through a repeated section, is ambiguous: refused with both lines */
        CHECK(load_str_(&a, "array:\n  rows: 3\ncapacity:\n  r0: 4\narray:\n  rows: 5\n", &err) ==
              MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "arch.yaml:6: key 'array.rows' is set twice (first on line 2)") != NULL);
        CHECK(load_str_(&a, "capacity:\n  nt: [1,2,3,4,5,6,7,8]\n  nt: 4\n", &err) == MOSAIC_ERR_INPUT);
        /* a section that appears twice with different keys is fine (older run folders have one) */
        CHECK(load_str_(&a, "array:\n  rows: 3\ncapacity:\n  r0: 4\narray:\n  cols: 6\n", &err) == MOSAIC_OK);
        CHECK_EQ_INT(a.rows, 3);
        CHECK_EQ_INT(a.cols, 6);
    }
    TEST("OutOfRangeNamesTheAllowedRange") {
        CHECK(load_str_(&a, "array:\n  rows: 0\n", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "array.rows") && strstr(err.msg, "[1, 64]") && strstr(err.msg, "'0'"));
        CHECK(load_str_(&a, "array:\n  rows: five\n", &err) == MOSAIC_ERR_INPUT);
        CHECK(load_str_(&a, "capacity:\n  nt: [1, 2, 3]\n", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "3 values") != NULL);
        CHECK(load_str_(&a, "timing:\n  late_spikes: maybe\n", &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "drop|next_step") != NULL);
        CHECK(load_str_(&a, "array: [1, 2\n", &err) == MOSAIC_ERR_INPUT);
    }
    TEST("SetOverridesAndRejects") {
        const char *sets[] = {"array.rows=8", "capacity.r1=[16,16,16,16,16,16,16,16]"};
        CHECK(mosaic_arch_load(&a, NULL, sets, 2, &err) == MOSAIC_OK);
        CHECK_EQ_INT(a.rows, 8);
        CHECK_EQ_INT(a.cap_r1[4], 16);
        const char *bad[] = {"array.rowz=8"};
        CHECK(mosaic_arch_load(&a, NULL, bad, 1, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "--set") && strstr(err.msg, "array.rowz"));
        const char *noeq[] = {"array.rows"};
        CHECK(mosaic_arch_load(&a, NULL, noeq, 1, &err) == MOSAIC_ERR_INPUT);
        const char *stuck[] = {"device.stuck_on=0.7", "device.stuck_off=0.7"};
        CHECK(mosaic_arch_load(&a, NULL, stuck, 2, &err) == MOSAIC_ERR_INPUT);
        /* an R1 vector whose opposite sides differ: undefined for the R1h cells, which turn it */
        const char *lopsided[] = {"capacity.r1=[32,5,32,10,32,32,32,32]"};
        CHECK(mosaic_arch_load(&a, NULL, lopsided, 1, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "'capacity.r1': in_E/in_W are 5 and 10") != NULL);
        const char *symmetric[] = {"capacity.r1=[32,5,32,5,30,6,30,6]", "capacity.nt=[1,2,3,4,5,6,7,8]"};
        CHECK(mosaic_arch_load(&a, NULL, symmetric, 2, &err) == MOSAIC_OK);
    }
    TEST("ResolvedCopyLoadsBackToTheSameValues") {
        const char *sets[] = {"array.rows=4", "capacity.nt=[1,2,3,4,5,6,7,8]",
                              "device.programming_noise=0.125", "timing.late_spikes=next_step",
                              "device.seed=123456789012"};
        CHECK(mosaic_arch_load(&a, NULL, sets, 5, &err) == MOSAIC_OK);
        MosaicCfgSection s = mosaic_arch_config_section(&a);
        char *text = mosaic_cfg_to_string(&s, 1);
        CHECK(text != NULL);
        MosaicArch b;
        mosaic_arch_default(&b);
        MosaicCfgSection sb = mosaic_arch_config_section(&b);
        CHECK(mosaic_cfg_load_string("resolved", text, &sb, 1, &err) == MOSAIC_OK);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        free(text);
    }
    TEST("ResolvedCopyWritesEachSectionOnce") {
        /* A table that lists a section's keys in two places, as the training table does for
         * train.data: the copy must still open each section once. */
        typedef struct {
            int x, z, w, v, y, q;
        } Split;
        Split t = {1, 2, 3, 4, 5, 6}, u = {0};
        const MosaicCfgField fields[] = {
            {"a.x", MOSAIC_CFG_INT, offsetof(Split, x), 0, 9, NULL, "first", 0, 0},
            {"b.y", MOSAIC_CFG_INT, offsetof(Split, y), 0, 9, NULL, NULL, 0, 0},
            {"a.c.w", MOSAIC_CFG_INT, offsetof(Split, w), 0, 9, NULL, NULL, 0, 0},
            {"a.z", MOSAIC_CFG_INT, offsetof(Split, z), 0, 9, NULL, NULL, 0, 0},
            {"b.q", MOSAIC_CFG_INT, offsetof(Split, q), 0, 9, NULL, NULL, 0, 0},
            {"a.c.v", MOSAIC_CFG_INT, offsetof(Split, v), 0, 9, NULL, NULL, 0, 0}};
        MosaicCfgSection s = {fields, 6, &t}, su = {fields, 6, &u};
        char *text = mosaic_cfg_to_string(&s, 1);
        CHECK(text != NULL);
        CHECK_EQ_STR(text, "a:\n  x: 1  # first\n  c:\n    w: 3\n    v: 4\n  z: 2\nb:\n  y: 5\n  q: 6\n");
        char what[256];
        CHECK(!mosaic_test_yaml_duplicate_key(text, what, sizeof what));
        CHECK(mosaic_cfg_load_string("resolved", text, &su, 1, &err) == MOSAIC_OK);
        CHECK(memcmp(&t, &u, sizeof t) == 0);
        free(text);
        /* and the checker itself sees a repeated section */
        CHECK(mosaic_test_yaml_duplicate_key("a:\n  x: 1\nb:\n  y: 2\na:\n  z: 3\n", what, sizeof what));
        CHECK_EQ_STR(what, "a:");
    }
    TEST("MissingFileIsAnIoError") {
        CHECK(mosaic_arch_load(&a, "/nonexistent/arch.yaml", NULL, 0, &err) == MOSAIC_ERR_IO);
        CHECK(strstr(err.msg, "/nonexistent/arch.yaml") != NULL);
    }
    return mosaic_test_finish();
}
