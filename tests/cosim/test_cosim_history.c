/* RUN/history.h5's hardware records: written, read back for a resume, and refused when damaged. */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "mosaic_cosim.h"
#include "mosaic_test.h"

static MosaicHwRecord record_(int epoch, double hw_acc) {
    MosaicHwRecord r;
    memset(&r, 0, sizeof r);
    r.epoch = epoch;
    r.mappable = 1;
    r.devices_total = 1000 * epoch;
    r.proxy_total = 1100 * epoch;
    r.worst_row = -1;
    r.late_spikes = 0;
    r.hw_acc = hw_acc;
    r.sw_acc = hw_acc;
    return r;
}

static MosaicStatus write_(const MosaicHwRecord *hw, int n, MosaicErr *err) {
    MosaicProvenance prov = {"test", "0", "none", 1, "train: {}\n"};
    return mosaic_cosim_write_history("hist_test", &prov, NULL, 0, 4, hw, n, err);
}

/* Overwrites hardware/<name>[i] with v, as a damaged file would hold it. */
static int poke_(const char *name, int i, double v) {
    hid_t f = H5Fopen("hist_test/history.h5", H5F_ACC_RDWR, H5P_DEFAULT);
    char path[64];
    snprintf(path, sizeof path, "hardware/%s", name);
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT), space = H5Dget_space(d);
    hsize_t at[1] = {(hsize_t)i}, one[1] = {1};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, at, NULL, one, NULL);
    hid_t mem = H5Screate_simple(1, one, NULL);
    const herr_t rc = H5Dwrite(d, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, &v);
    H5Sclose(mem), H5Sclose(space), H5Dclose(d), H5Fclose(f);
    return rc >= 0;
}

int main(void) {
    MosaicErr err;
    MosaicHwRecord *hw = NULL;
    int n = 0;
    mkdir("hist_test", 0755);
    const MosaicHwRecord two[2] = {record_(1, 0.5), record_(2, 0.75)};
    TEST("RecordsComeBackAsWritten") {
        CHECK(write_(two, 2, &err) == MOSAIC_OK);
        CHECK(mosaic_cosim_read_hardware("hist_test", 2, &hw, &n, &err) == MOSAIC_OK);
        CHECK(n == 2 && hw[1].epoch == 2 && hw[1].hw_acc == 0.75 && hw[0].devices_total == 1000);
        free(hw);
    }
    TEST("AMissingFileHoldsNoRecords") {
        CHECK(mosaic_cosim_read_hardware("no_such_run", 3, &hw, &n, &err) == MOSAIC_OK && n == 0);
    }
    TEST("RecordsOfEpochsNotDoneAreRefused") {
        CHECK(write_(two, 2, &err) == MOSAIC_OK);
        CHECK(mosaic_cosim_read_hardware("hist_test", 1, &hw, &n, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "hist_test/history.h5") && strstr(err.msg, "/hardware/epoch[1] is 2"));
    }
    TEST("ImpossibleValuesAreRefusedBeforeUse") {
        const MosaicHwRecord backwards[2] = {record_(2, 0.5), record_(1, 0.5)};
        CHECK(write_(backwards, 2, &err) == MOSAIC_OK);
        CHECK(mosaic_cosim_read_hardware("hist_test", 2, &hw, &n, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "ascending") != NULL);
        const MosaicHwRecord bad_acc[1] = {record_(1, -5)};
        CHECK(write_(bad_acc, 1, &err) == MOSAIC_OK);
        CHECK(mosaic_cosim_read_hardware("hist_test", 2, &hw, &n, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "accuracy outside [0, 1]") != NULL);
        /* integer columns are checked before the cast (nan in an int is undefined behaviour) */
        CHECK(write_(two, 2, &err) == MOSAIC_OK);
        CHECK(poke_("violations", 1, NAN));
        CHECK(mosaic_cosim_read_hardware("hist_test", 2, &hw, &n, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "/hardware/violations[1] is nan") != NULL);
        CHECK(write_(two, 2, &err) == MOSAIC_OK);
        CHECK(poke_("epoch", 0, 1e20));
        CHECK(mosaic_cosim_read_hardware("hist_test", 2, &hw, &n, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "/hardware/epoch[0] is 1e+20") != NULL);
    }
    TEST("AFileOfAnotherKindIsRefused") {
        CHECK(write_(two, 2, &err) == MOSAIC_OK);
        hid_t f = H5Fopen("hist_test/history.h5", H5F_ACC_RDWR, H5P_DEFAULT);
        CHECK(H5Adelete(f, "format") >= 0);
        H5Fclose(f);
        CHECK(mosaic_cosim_read_hardware("hist_test", 2, &hw, &n, &err) == MOSAIC_ERR_INPUT);
        CHECK(strstr(err.msg, "expected 'mosaic-cosim-history'") != NULL);
    }
    return mosaic_test_finish();
}
