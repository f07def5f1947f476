/* End to end through the `mosaic` program on a generated SHD-layout dataset: train, the run folder's
 * files, a run stopped and resumed equals an uninterrupted one, eval, and bad input exits 2 with a
 * message naming the key or file. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mosaic_netfile.h"
#include "mosaic_synth.h"
#include "mosaic_test.h"
#include "mosaic_test_yaml.h"

static char dir_[256];

static int run_(const char *args, const char *log) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s > %s/%s 2>&1", MOSAIC_BIN, args, dir_, log);
    int r = system(cmd);
    return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static char *slurp_(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir_, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *s = calloc(1, 1 << 20);
    size_t n = fread(s, 1, (1 << 20) - 1, f);
    s[n] = 0;
    fclose(f);
    return s;
}

static int exists_(const char *name) {
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir_, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* history.csv without the two wall-clock columns at the end of each line. */
static void strip_timing_(char *csv) {
    char *out = csv;
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        char *c = strrchr(line, ',');
        if (c) *c = 0;
        c = strrchr(line, ',');
        if (c) *c = 0;
        size_t n = strlen(line);
        memmove(out, line, n);
        out += n;
        *out++ = '\n';
    }
    *out = 0;
}

int main(int argc, char **argv) {
    (void)mosaic_test_seed(argc, argv, 0);
    snprintf(dir_, sizeof dir_, "/tmp/mosaic_train_cli_XXXXXX");
    if (!mkdtemp(dir_)) return printf("cannot create a temporary folder\n"), 1;
    MosaicErr err;
    MosaicSynthSpec spec;
    mosaic_synth_default(&spec);
    spec.classes = 4, spec.speakers = 4, spec.per_speaker = 2;
    char path[512], args[2048];
    snprintf(path, sizeof path, "%s/data", dir_);
    CHECK(mosaic_synth_write(path, &spec, &err) == MOSAIC_OK);
    snprintf(path, sizeof path, "%s/cfg.yaml", dir_);
    FILE *f = fopen(path, "w");
    fprintf(f,
            "array: {rows: 3, cols: 3, neurons_per_tile: 16}\n"
            "train:\n  epochs: 3\n  batch: 16\n  lr: 0.01\n  lr_end: 0.003\n"
            "  loss: {lambda_fr: 1, target_fr: 1}\n"
            "  rewire: {profile: \"1:0.5,3:0.2\", min_strong: 8}\n"
            "  data: {source: shd, train: %s/data/train.h5, test: %s/data/test.h5, inputs: 64, classes: 4, "
            "steps: 30}\n",
            dir_, dir_);
    fclose(f);

    TEST("TrainWritesTheRunFolder") {
        snprintf(args, sizeof args, "train --config %s/cfg.yaml --out %s/run1", dir_, dir_);
        CHECK_EQ_INT(run_(args, "run1.log"), 0);
        char *log = slurp_("run1.log");
        CHECK(log && strstr(log, "epoch 3/3") && strstr(log, "samples/s") && strstr(log, "gamma d1:"));
        if (log) printf("%s", log);
        free(log);
        CHECK(exists_("run1/config.yaml") && exists_("run1/checkpoint.h5") && exists_("run1/network.h5"));
        CHECK(exists_("run1/history.csv") && exists_("run1/history.h5"));
        /* the resolved copy is valid YAML: each section once (train.data used to appear twice) */
        char *yaml = slurp_("run1/config.yaml"), what[256] = "";
        CHECK(yaml && strstr(yaml, "  data:\n    steps: 30") && strstr(yaml, "    source: shd"));
        CHECK(yaml && !mosaic_test_yaml_duplicate_key(yaml, what, sizeof what));
        if (what[0]) printf("repeated key: %s\n", what);
        free(yaml);
        /* epochs count from 1, as on the console and in hardware.csv */
        char *hist = slurp_("run1/history.csv");
        CHECK(hist && strstr(hist, "\n1,") && strstr(hist, "\n3,") && !strstr(hist, "\n0,"));
        free(hist);
        MosaicNetwork net;
        snprintf(path, sizeof path, "%s/run1/network.h5", dir_);
        CHECK(mosaic_netfile_read(path, &net, &err) == MOSAIC_OK);
        CHECK(net.n_links > 0 && net.arch.rows == 3 && net.n_inputs == 64);
        mosaic_network_free(&net);
    }

    TEST("StoppedAndResumedRunEqualsUninterruptedRun") {
        snprintf(args, sizeof args, "train --config %s/cfg.yaml --out %s/run2 --stop-after 1", dir_, dir_);
        CHECK_EQ_INT(run_(args, "run2a.log"), 0);
        snprintf(args, sizeof args, "train --resume %s/run2", dir_);
        CHECK_EQ_INT(run_(args, "run2b.log"), 0);
        char *a = slurp_("run1/history.csv"), *b = slurp_("run2/history.csv");
        CHECK(a && b);
        if (a && b) {
            strip_timing_(a), strip_timing_(b);
            CHECK(strcmp(a, b) == 0);
        }
        free(a), free(b);
        MosaicNetwork x, y;
        snprintf(path, sizeof path, "%s/run1/network.h5", dir_);
        CHECK(mosaic_netfile_read(path, &x, &err) == MOSAIC_OK);
        snprintf(path, sizeof path, "%s/run2/network.h5", dir_);
        CHECK(mosaic_netfile_read(path, &y, &err) == MOSAIC_OK);
        CHECK(x.n_links == y.n_links &&
              !memcmp(x.link_w, y.link_w, sizeof(float) * x.n_links * x.arch.neurons_per_tile) &&
              !memcmp(x.w_intra, y.w_intra, sizeof(float) * 9 * 16 * 16));
        mosaic_network_free(&x), mosaic_network_free(&y);
    }

    TEST("EvalScoresTheRun") {
        snprintf(args, sizeof args, "eval %s/run1 --data %s/data/test.h5", dir_, dir_);
        CHECK_EQ_INT(run_(args, "eval.log"), 0);
        char *log = slurp_("eval.log");
        CHECK(log && strstr(log, "accuracy"));
        if (log) printf("%s", log);
        free(log);
    }

    TEST("BadInputExitsTwoNamingTheProblem") {
        static const struct {
            const char *extra, *expect;
        } bad[] = {
            {"--set train.batch=0", "train.batch"},
            {"--set train.method=magic", "train.method"},
            {"--set train.data.train=/nonexistent/train.h5", "/nonexistent/train.h5"},
            {"--set train.data.classes=2", "classes"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            snprintf(args, sizeof args, "train --config %s/cfg.yaml --out %s/bad %s", dir_, dir_,
                     bad[i].extra);
            int code = run_(args, "bad.log");
            char *log = slurp_("bad.log");
            printf("  %-48s exit %d: %s", bad[i].extra, code, log ? log : "(no output)\n");
            CHECK(code == 2 || (code == 3 && strstr(bad[i].expect, "/nonexistent")));
            CHECK(log && strstr(log, bad[i].expect));
            free(log);
        }
        snprintf(args, sizeof args, "eval %s/nothing_here --data synthetic", dir_);
        CHECK(run_(args, "bad.log") != 0);
    }
    snprintf(args, sizeof args, "rm -rf %s", dir_);
    if (system(args) != 0) printf("could not remove %s\n", dir_);
    return mosaic_test_finish();
}
