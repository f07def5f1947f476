// `mosaic sim` end to end: a network file and an SHD-layout dataset written with the traces module, the
// command run as a process; its result file must hold the reference loop's readout counts for the same
// binned inputs; --mapping from `mosaic map --out` is accepted; waveforms are written (VCD and FST);
// an unmappable network exits 1 with the violation report.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "cli_test_util.h"
#include "mosaic_bins.h"
#include "mosaic_h5.h"
#include "mosaic_mapper_io.h"
#include "mosaic_netfile.h"
#include "sim_test_util.h"

static std::string g_dir;

static int run(const std::string &cmd, std::string *out) { return cli_test_run(g_dir, cmd, out); }

// The signals a VCD declares, as GTKWave names them: scope.path.name[msb:0] (or without range for 1 bit).
static std::vector<std::string> vcd_signals(const std::string &path) {
    std::vector<std::string> out, scope;
    FILE *f = fopen(path.c_str(), "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
        char a[256], b[256], c[256], d[256], e[256];
        int width = 0;
        if (sscanf(line, "$scope module %255s", a) == 1)
            scope.push_back(a);
        else if (!strncmp(line, "$upscope", 8))
            scope.pop_back();
        else if (sscanf(line, "$var %255s %d %255s %255s %255s", b, &width, c, d, e) == 5) {
            std::string full;
            for (auto &x : scope) full += x + ".";
            full += d;
            if (e[0] == '[') full += e;
            out.push_back(full);
        } else if (!strncmp(line, "$enddefinitions", 15))
            break;
    }
    if (f) fclose(f);
    return out;
}

// Every signal a GTKWave save file shows must exist in the VCD the simulator writes.
static int missing_gtkw_signals(const std::string &gtkw, const std::string &vcd) {
    std::vector<std::string> have = vcd_signals(vcd);
    FILE *f = fopen(gtkw.c_str(), "r");
    if (!f) return -1;
    char line[1024];
    int missing = 0, shown = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "mosaic.", 7)) continue;
        line[strcspn(line, "\n")] = 0;
        shown++;
        if (std::find(have.begin(), have.end(), std::string(line)) == have.end()) {
            printf("  %s: %s not in %s\n", gtkw.c_str(), line, vcd.c_str());
            missing++;
        }
    }
    fclose(f);
    return shown > 10 ? missing : -1;
}

static bool write_dataset(const char *path, int recordings, uint64_t seed) {
    const char *names[20];
    std::vector<std::string> keep;
    for (int c = 0; c < 20; c++) keep.push_back("class" + std::to_string(c));
    for (int c = 0; c < 20; c++) names[c] = keep[(size_t)c].c_str();
    MosaicShdWriter *w = NULL;
    MosaicErr err;
    if (mosaic_shd_writer_begin(path, names, 20, 700, &w, &err) != MOSAIC_OK) return false;
    MosaicRng rng;
    mosaic_rng_derive(&rng, seed, 3);
    for (int r = 0; r < recordings; r++) {
        std::vector<float> t;
        std::vector<int32_t> u;
        const int n = 3000 + (int)mosaic_rng_below(&rng, 3000);
        for (int i = 0; i < n; i++) {
            t.push_back((float)(1.3 * mosaic_rng_uniform(&rng)));
            u.push_back((int32_t)mosaic_rng_below(&rng, 700));
        }
        if (mosaic_shd_writer_add(w, t.data(), u.data(), n, (int32_t)mosaic_rng_below(&rng, 20), r % 3,
                                  &err) != MOSAIC_OK) {
            mosaic_shd_writer_abort(w);
            return false;
        }
    }
    return mosaic_shd_writer_finish(w, &err) == MOSAIC_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_cmd_sim PATH_TO_MOSAIC [--seed N]\n");
        return EXIT_FAILURE;
    }
    const std::string mosaic = argv[1];
    const uint64_t seed = mosaic_test_seed(argc, argv, 11);
    char tmpl[] = "/tmp/mosaic_cmd_sim_XXXXXX";
    if (!mkdtemp(tmpl)) return EXIT_FAILURE;
    g_dir = tmpl;
    const std::string net_path = g_dir + "/net.h5", data_path = g_dir + "/data.h5",
                      out_path = g_dir + "/sim.h5";
    MosaicArch arch;
    mosaic_arch_default(&arch);
    MosaicNetwork net;
    MosaicErr err;
    MosaicProvenance prov = {"test_cmd_sim", "0", "0", (int64_t)seed, ""};
    CHECK(sim_test_network(&net, &arch, "1:0.8,3:0.02", seed));
    CHECK(mosaic_netfile_write(net_path.c_str(), &net, &prov, &err) == MOSAIC_OK);
    CHECK(write_dataset(data_path.c_str(), 12, seed));

    TEST("SimWritesTheReferenceReadoutCounts") {
        std::string out;
        const int rc = run(mosaic + " sim --network " + net_path + " --data " + data_path + " --out " +
                               out_path + " --samples 8 --ideal --wave " + g_dir + "/w.vcd --wave-window 2:5",
                           &out);
        CHECK_EQ_INT(rc, 0);
        MosaicH5File *f = NULL;
        CHECK(mosaic_h5_open(out_path.c_str(), &f, &err) == MOSAIC_OK);
        int64_t dims[2] = {8, 20};
        std::vector<int32_t> counts(160);
        std::vector<int64_t> index(8);
        CHECK(mosaic_h5_read_into(f, "samples/counts", MOSAIC_H5_I32, 2, dims, counts.data(), &err) ==
              MOSAIC_OK);
        CHECK(mosaic_h5_read_into(f, "samples/index", MOSAIC_H5_I64, 1, dims, index.data(), &err) ==
              MOSAIC_OK);
        mosaic_h5_close(f);
        // The same samples through the reference loop.
        MosaicShd *shd = NULL;
        MosaicBins *bins = NULL;
        MosaicBinSpec spec;
        mosaic_bin_spec_default(&spec);
        CHECK(mosaic_shd_open(data_path.c_str(), &shd, &err) == MOSAIC_OK);
        CHECK(mosaic_bins_create(shd, &spec, &bins, &err) == MOSAIC_OK);
        const int N = mosaic_arch_neurons(&arch);
        int wrong = 0;
        long long total = 0;
        std::vector<uint8_t> x((size_t)100 * 128);
        // --samples 8 of more recordings: spread evenly over the file, view offset 0 of each
        const int64_t recordings = mosaic_shd_num_samples(shd);
        CHECK(recordings > 8);
        for (int s = 0; s < 8; s++) {
            const int64_t view = mosaic_bins_view(bins, (int64_t)s * recordings / 8, 0);
            CHECK_EQ_INT(index[(size_t)s], view);
            CHECK(mosaic_bins_sample(bins, view, x.data(), &err) == MOSAIC_OK);
            std::vector<uint8_t> ref = sim_test_reference(&net, x.data(), 100);
            for (int c = 0; c < 20; c++) {
                int n = 0;
                for (int t = 0; t < 100; t++) n += ref[(size_t)t * N + N - 20 + c];
                wrong += n != counts[(size_t)s * 20 + c];
                total += n;
            }
        }
        printf("  readout spikes %lld, mismatching counts %d\n", total, wrong);
        CHECK_EQ_INT(wrong, 0);
        CHECK(total > 0);
        mosaic_bins_free(bins);
        mosaic_shd_close(shd);
        FILE *w = fopen((g_dir + "/w.vcd").c_str(), "r");
        CHECK(w != NULL);
        std::string vcd;
        char buf[65536];
        size_t n;
        while (w && (n = fread(buf, 1, sizeof buf, w)) > 0) vcd.append(buf, n);
        if (w) fclose(w);
        CHECK(vcd.find("$scope module r1_2_3 $end") != std::string::npos);
        CHECK(vcd.find("out_E") != std::string::npos);
        CHECK(vcd.find("$enddefinitions") != std::string::npos);
        const char *src = getenv("MOSAIC_SOURCE_DIR");
        if (src)
            CHECK_EQ_INT(
                missing_gtkw_signals(std::string(src) + "/waveforms/mosaic_5x5.gtkw", g_dir + "/w.vcd"), 0);
    }
    TEST("GtkwaveViewOf8x8MatchesTheSignals") {
        MosaicArch a8;
        mosaic_arch_default(&a8);
        a8.rows = a8.cols = 8;
        MosaicNetwork n8;
        CHECK(sim_test_network(&n8, &a8, "1:0.8,3:0.01", seed));
        const std::string p8 = g_dir + "/net8.h5";
        CHECK(mosaic_netfile_write(p8.c_str(), &n8, &prov, &err) == MOSAIC_OK);
        mosaic_network_free(&n8);
        CHECK_EQ_INT(run(mosaic + " sim --network " + p8 + " --data " + data_path + " --out " + g_dir +
                             "/sim8.h5 --samples 1 --wave " + g_dir + "/w8.vcd --wave-window 3 --quiet",
                         NULL),
                     0);
        const char *src = getenv("MOSAIC_SOURCE_DIR");
        if (src)
            CHECK_EQ_INT(
                missing_gtkw_signals(std::string(src) + "/waveforms/mosaic_8x8.gtkw", g_dir + "/w8.vcd"), 0);
    }
    TEST("WaveWindowOutsideTheRunIsRefusedAndOneOverlappingItIsCut") {
        // 2 samples of 100 steps: global steps 0..199
        std::string out;
        const std::string base = mosaic + " sim --network " + net_path + " --data " + data_path + " --out " +
                                 g_dir + "/simw.h5 --samples 2 --wave " + g_dir + "/win.vcd";
        CHECK_EQ_INT(run(base + " --wave-window 300:400", &out), 2);
        CHECK(out.find("the run has 200 time steps (2 samples of 100)") != std::string::npos);
        CHECK(access((g_dir + "/simw.h5").c_str(), F_OK) != 0); // refused before the work
        CHECK_EQ_INT(run(base + " --wave-window 150:250", &out), 0);
        CHECK(out.find("recording 150:200") != std::string::npos);
        CHECK(out.find("wrote " + g_dir + "/win.vcd (steps 150..199") != std::string::npos);
    }
    TEST("SimAcceptsTheMapperFileAndWritesFst") {
        const std::string map_path = g_dir + "/map.h5";
        // The file `mosaic map --out` writes (the mapper's writer), with the identity placement.
        MosaicMapping map;
        memset(&map, 0, sizeof map);
        CHECK(sim_test_map(&map, &net));
        CHECK(mosaic_mapping_write(map_path.c_str(), &map, NULL, &err) == MOSAIC_OK);
        mosaic_mapping_free(&map);
        const int rc =
            run(mosaic + " sim --network " + net_path + " --mapping " + map_path + " --data " + data_path +
                    " --out " + g_dir + "/sim2.h5 --samples 2 --wave " + g_dir + "/w.fst --wave-depth 2",
                NULL);
        CHECK_EQ_INT(rc, 0);
        struct stat sb;
        CHECK(stat((g_dir + "/w.fst").c_str(), &sb) == 0 && sb.st_size > 0);
        // written under temporary names, renamed when complete: nothing of them is left
        CHECK(stat((g_dir + "/w.vcd").c_str(), &sb) == 0);
        CHECK_EQ_INT(system(("ls " + g_dir + " | grep -q '[.]tmp'").c_str()) != 0, 1);
    }
    TEST("MirroredPlacementGivesTheSameSpikes") {
        // A placement moves logical tiles to other physical tiles: with every tile mirrored left-right the
        // distances stay, but routes, line assignment and crossbars all change (one-turn routing is not
        // mirror-symmetric); the network's spikes must not (ideal devices, enough cycles).
        std::vector<int32_t> mirror((size_t)mosaic_arch_tiles(&arch));
        for (int t = 0; t < (int)mirror.size(); t++)
            mirror[(size_t)t] = (t / arch.cols) * arch.cols + (arch.cols - 1 - t % arch.cols);
        MosaicLinks links;
        mosaic_links_init(&links);
        for (int l = 0; l < net.n_links; l++)
            mosaic_links_push(&links, net.link_src[l], net.link_dst[l], &err);
        MosaicMapping map;
        memset(&map, 0, sizeof map);
        CHECK(mosaic_map(&map, &arch, &links, mirror.data(), MOSAIC_MAP_CONFIG, &err) == MOSAIC_OK);
        CHECK_EQ_INT(map.n_violations, 0);
        const std::string map_path = g_dir + "/map_mirror.h5";
        CHECK(mosaic_mapping_write(map_path.c_str(), &map, NULL, &err) == MOSAIC_OK);
        mosaic_mapping_free(&map);
        mosaic_links_free(&links);
        CHECK_EQ_INT(run(mosaic + " sim --network " + net_path + " --mapping " + map_path + " --data " +
                             data_path + " --out " + g_dir + "/sim_mirror.h5 --samples 8 --ideal --quiet",
                         NULL),
                     0);
        MosaicH5File *a = NULL, *b = NULL;
        std::vector<int32_t> ca(160), cb(160);
        int64_t dims[2] = {8, 20};
        CHECK(mosaic_h5_open(out_path.c_str(), &a, &err) == MOSAIC_OK);
        CHECK(mosaic_h5_open((g_dir + "/sim_mirror.h5").c_str(), &b, &err) == MOSAIC_OK);
        CHECK(mosaic_h5_read_into(a, "samples/counts", MOSAIC_H5_I32, 2, dims, ca.data(), &err) == MOSAIC_OK);
        CHECK(mosaic_h5_read_into(b, "samples/counts", MOSAIC_H5_I32, 2, dims, cb.data(), &err) == MOSAIC_OK);
        mosaic_h5_close(a);
        mosaic_h5_close(b);
        CHECK(ca == cb);
    }
    TEST("UnmappableNetworkExitsOneWithTheReport") {
        MosaicNetwork dense;
        CHECK(sim_test_network(&dense, &arch, "1:0.9,3:0.3", seed));
        const std::string dense_path = g_dir + "/dense.h5";
        CHECK(mosaic_netfile_write(dense_path.c_str(), &dense, &prov, &err) == MOSAIC_OK);
        std::string out;
        const int rc = run(mosaic + " sim --network " + dense_path + " --data " + data_path + " --out " +
                               g_dir + "/never.h5",
                           &out);
        CHECK_EQ_INT(rc, 1);
        CHECK(out.find("NOT MAPPABLE") != std::string::npos);
        CHECK(access((g_dir + "/never.h5").c_str(), F_OK) != 0);
        mosaic_network_free(&dense);
    }
    TEST("MoreSamplesThanRecordingsSaysSoAndSimulatesThemAll") {
        std::string out;
        const std::string all_path = g_dir + "/sim_all.h5";
        const int rc = run(mosaic + " sim --network " + net_path + " --data " + data_path + " --out " +
                               all_path + " --samples 50 --ideal --quiet",
                           &out);
        CHECK_EQ_INT(rc, 0);
        CHECK(out.find("--samples 50: " + data_path + " has 12 recordings; simulating all of them") !=
              std::string::npos);
        MosaicH5File *f = NULL;
        CHECK(mosaic_h5_open(all_path.c_str(), &f, &err) == MOSAIC_OK);
        int64_t dims[2] = {12, 20};
        std::vector<int32_t> counts(12 * 20);
        CHECK(mosaic_h5_read_into(f, "samples/counts", MOSAIC_H5_I32, 2, dims, counts.data(), &err) ==
              MOSAIC_OK);
        mosaic_h5_close(f);
    }
    TEST("BadInputExitsTwo") {
        CHECK_EQ_INT(run(mosaic + " sim --network " + net_path + " --data " + data_path +
                             " --out x.h5 --wave-window 5:2",
                         NULL),
                     2);
        CHECK_EQ_INT(
            run(mosaic + " sim --network " + g_dir + "/missing.h5 --data " + data_path + " --out x.h5",
                NULL) != 0,
            1);
        // a network file given as the mapping: named by its format, not by a missing dataset
        std::string out;
        CHECK_EQ_INT(run(mosaic + " sim --network " + net_path + " --mapping " + net_path + " --data " +
                             data_path + " --out " + g_dir + "/x.h5",
                         &out),
                     2);
        CHECK(out.find("root attribute 'format' is 'mosaic-network'; expected 'mosaic-mapping'") !=
              std::string::npos);
    }
    mosaic_network_free(&net);
    if (mosaic_test_failures_ == 0) CHECK_EQ_INT(system(("rm -rf " + g_dir).c_str()), 0);
    return mosaic_test_finish();
}
