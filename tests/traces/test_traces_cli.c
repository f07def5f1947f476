/* `mosaic dataset info` and `mosaic dataset verify` end to end: output figures and exit codes. The
 * path of the mosaic program is the first argument. */
#define _POSIX_C_SOURCE 200809L

#include <hdf5.h>
#include <string.h>
#include <sys/wait.h>

#include "mosaic_gz.h"
#include "mosaic_test.h"
#include "shd_fixture.h"

static char out_[1 << 16];

/* Runs `mosaic args`, captures stdout+stderr into out_, returns the exit status. */
static int run_(const char *mosaic, const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", mosaic, args);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out_, 1, sizeof out_ - 1, p) : 0;
    out_[n] = '\0';
    int status = p ? pclose(p) : -1;
    printf("$ mosaic %s -> %d\n%s", args, WIFEXITED(status) ? WEXITSTATUS(status) : -1, out_);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_traces_cli PATH-TO-MOSAIC\n");
        return 2;
    }
    const char *mosaic = argv[1];
    char h5[512], gz[512], official[512], bad[512], args[1200];
    fixture_path(h5, sizeof h5, "cli.h5");
    fixture_path(gz, sizeof gz, "cli.h5.gz");
    fixture_path(official, sizeof official, "shd_train.h5.gz");
    fixture_path(bad, sizeof bad, "bad.h5");
    /* 12 samples; sample i has i spikes at units 3..3+i-1, times i*0.1; label i % 4; speaker i % 3 */
    MosaicErr err;
    for (int f = 0; f < 2; f++) {
        MosaicShdWriter *w;
        CHECK(mosaic_shd_writer_begin(f ? gz : h5, fixture_classes_, 4, 700, &w, &err) == MOSAIC_OK);
        for (int i = 0; i < 12; i++) {
            float t[12];
            int32_t u[12];
            for (int k = 0; k < i; k++) t[k] = (float)(0.25 * k), u[k] = 3 + k;
            CHECK(mosaic_shd_writer_add(w, t, u, i, i % 4, i % 3, &err) == MOSAIC_OK);
        }
        CHECK(mosaic_shd_writer_finish(w, &err) == MOSAIC_OK);
    }

    TEST("InfoPrintsTheFigures") {
        snprintf(args, sizeof args, "dataset info '%s'", h5);
        CHECK_EQ_INT(run_(mosaic, args), 0);
        CHECK(strstr(out_, "samples: 12") != NULL);
        CHECK(strstr(out_, "float16") != NULL);
        CHECK(strstr(out_, "german-eins") && strstr(out_, "3 samples"));
        CHECK(strstr(out_, "speakers: 3 (0: 4, 1: 4, 2: 4 samples)") != NULL);
        CHECK(strstr(out_, "mean 5.5, min 0, max 11 (total 66)") != NULL);
        CHECK(strstr(out_, "max 2.500 s") != NULL);
        CHECK(strstr(out_, "active channels: 11 of 700 (units 3..13)") != NULL);
        snprintf(args, sizeof args, "dataset info '%s'", gz);
        CHECK_EQ_INT(run_(mosaic, args), 0);
        CHECK(strstr(out_, "samples: 12") != NULL);
    }

    TEST("InfoAlignsCountsAfterUtf8Keys") {
        /* "f\xc3\xbcnf" is 4 characters in 5 bytes: its count must start in the same column as the
         * ASCII key's, as a terminal shows them. */
        char utf8[512];
        fixture_path(utf8, sizeof utf8, "cli-utf8.h5");
        static const char *const keys[2] = {"vier", "f\xc3\xbcnf"};
        MosaicShdWriter *w;
        CHECK(mosaic_shd_writer_begin(utf8, keys, 2, 700, &w, &err) == MOSAIC_OK);
        const float t[1] = {0.5f};
        const int32_t u[1] = {7};
        for (int i = 0; i < 2; i++) CHECK(mosaic_shd_writer_add(w, t, u, 1, i, 0, &err) == MOSAIC_OK);
        CHECK(mosaic_shd_writer_finish(w, &err) == MOSAIC_OK);
        snprintf(args, sizeof args, "dataset info '%s'", utf8);
        CHECK_EQ_INT(run_(mosaic, args), 0);
        CHECK(strstr(out_, "    0 vier                     1 samples\n") != NULL);
        CHECK(strstr(out_, "    1 f\xc3\xbcnf                     1 samples\n") != NULL);
    }

    TEST("VerifyAcceptsValidFiles") {
        snprintf(args, sizeof args, "dataset verify '%s'", gz);
        CHECK_EQ_INT(run_(mosaic, args), 0);
        CHECK(strstr(out_, "structure valid: 12 samples, 66 spikes") && strstr(out_, "not an official"));
    }

    TEST("VerifyRejectsAnOfficialNameWithTheWrongChecksum") {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", gz, official);
        CHECK(system(cmd) == 0);
        snprintf(args, sizeof args, "dataset verify '%s'", official);
        CHECK_EQ_INT(run_(mosaic, args), 1);
        CHECK(strstr(out_, "d47c9825dee33347913e8ce0f2be08b0") != NULL);
    }

    TEST("VerifyRejectsDamagedFilesWithExitCode2") {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", h5, bad);
        CHECK(system(cmd) == 0);
        /* relabel sample 5 as class 9 of 4 */
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        hid_t f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
        hid_t d = H5Dopen2(f, "/labels", H5P_DEFAULT);
        uint16_t labels[12];
        H5Dread(d, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels);
        labels[5] = 9;
        H5Dwrite(d, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels);
        H5Dclose(d);
        H5Fclose(f);
        snprintf(args, sizeof args, "dataset verify '%s'", bad);
        CHECK_EQ_INT(run_(mosaic, args), 2);
        CHECK(strstr(out_, "bad.h5") && strstr(out_, "/labels") && strstr(out_, "sample 5"));
    }

    TEST("UsageAndMissingFiles") {
        CHECK_EQ_INT(run_(mosaic, "dataset"), 2);
        CHECK_EQ_INT(run_(mosaic, "dataset frobnicate x"), 2);
        CHECK_EQ_INT(run_(mosaic, "dataset info"), 2);
        CHECK_EQ_INT(run_(mosaic, "dataset info /nonexistent/x.h5"), 3);
        CHECK_EQ_INT(run_(mosaic, "dataset --help"), 0);
    }

    fixture_cleanup();
    return mosaic_test_finish();
}
