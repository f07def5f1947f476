// `mosaic sim --network RUN` on a run trained by `mosaic train` (3x3 array, synthetic SHD-layout words):
// the ideal array's accuracy over every test view equals `mosaic eval`'s, sample for sample in count.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <string>

#include "cli_test_util.h"
#include "mosaic_test.h"

static std::string g_dir;

static int run(const std::string &cmd, std::string *out) { return cli_test_run(g_dir, cmd, out); }

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_cmd_sim_run PATH_TO_MOSAIC\n");
        return EXIT_FAILURE;
    }
    const std::string mosaic = argv[1];
    char tmpl[] = "/tmp/mosaic_sim_run_XXXXXX";
    if (!mkdtemp(tmpl)) return EXIT_FAILURE;
    g_dir = tmpl;
    TEST("SimOfATrainingRunMatchesEval") {
        CHECK_EQ_INT(run(mosaic + " dataset synth --out d --classes 4 --speakers 6 --per-speaker 6", NULL),
                     0);
        FILE *c = fopen((g_dir + "/c.yaml").c_str(), "w");
        CHECK(c != NULL);
        if (c) {
            fputs("array:\n  rows: 3\n  cols: 3\ntrain:\n  epochs: 6\n  batch: 16\n  lr: 0.01\n"
                  "  rewire:\n    profile: \"1:0.5,3:0.01\"\n  loss:\n    target_fr: 1\n"
                  "  data:\n    source: shd\n    train: d/train.h5\n    test: d/test.h5\n    classes: 4\n",
                  c);
            fclose(c);
        }
        CHECK_EQ_INT(run(mosaic + " train --config c.yaml --out run", NULL), 0);
        std::string ev, sim;
        CHECK_EQ_INT(run(mosaic + " eval run --data d/test.h5", &ev), 0);
        CHECK_EQ_INT(
            run(mosaic + " sim --network run --data d/test.h5 --offset all --ideal --out s.h5 --quiet", &sim),
            0);
        int n_eval = 0, correct = 0, n_sim = -1;
        double pct = -1;
        const char *p = strstr(ev.c_str(), "(");
        const char *q = strstr(ev.c_str(), "accuracy ");
        CHECK(p && q && sscanf(p, "(%d samples)", &n_eval) == 1 && sscanf(q, "accuracy %lf%%", &pct) == 1);
        const char *r = strstr(sim.c_str(), "accuracy on the array: ");
        CHECK(r && sscanf(strchr(r, '('), "(%d/%d)", &correct, &n_sim) == 2);
        printf("  eval %.2f%% of %d, array %d/%d\n", pct, n_eval, correct, n_sim);
        CHECK_EQ_INT(n_sim, n_eval);
        CHECK(n_sim > 0 && fabs(100.0 * correct / n_sim - pct) < 0.006);
        CHECK(pct > 30.0); // learned something: the comparison is not one of two silent networks
    }
    if (mosaic_test_failures_ == 0) CHECK_EQ_INT(system(("rm -rf " + g_dir).c_str()), 0);
    return mosaic_test_finish();
}
