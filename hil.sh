#!/usr/bin/env bash
# hil.sh: set up mosaic-hil on a fresh Debian 12 machine and run it.
#   ./hil.sh main   install what is missing, build, run the main job on the built-in defaults
#   ./hil.sh test   install what is missing, build, run the whole test suite (also the ASan/UBSan build)
# Both are idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)

# Debian packages the build and the main job need (none of them GPL-linked into the product; espeak-ng
# and gtkwave's vcd2fst run as separate programs).
PACKAGES=(build-essential cmake pkg-config git
          libsystemc-dev verilator
          libhdf5-dev hdf5-tools zlib1g-dev libyaml-dev
          libsndfile1-dev libsoxr-dev libkissfft-dev espeak-ng
          gtkwave)
# ... and the tests only: clang with its runtime (the libFuzzer target), clang-format (the format check),
# chromium (renders the HTML reports headless), python3-h5py (h5py files as test input, the peer of
# bench_traces; never linked). `./hil.sh main` does not install them (about 80 packages, 200 MB).
TEST_PACKAGES=(clang libclang-rt-14-dev clang-format chromium python3-h5py)

install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        echo "== installing: ${missing[*]}"
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then
            command -v sudo >/dev/null || {
                echo "hil.sh: these Debian packages are missing and installing them needs root: run as root" \
                     "(or install sudo): ${missing[*]}" >&2
                exit 1
            }
            sudo="sudo"
        fi
        # env: sudo drops the caller's environment, and debconf must not stop to ask questions
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
            echo "hil.sh: apt-get update failed (see above); installing from the package lists as they are" >&2
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || {
            echo "hil.sh: apt-get could not install ${missing[*]} (no network, or no Debian package" \
                 "sources in /etc/apt?); nothing was built" >&2
            exit 1
        }
    fi
}

build() {
    echo "== building (Release) in build/"
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release -DMOSAIC_WERROR=ON >/dev/null
    cmake --build "$ROOT/build" -j"$JOBS"
}

build_sanitized() {
    # Everything, the SystemC simulator and the Verilated routers included, under AddressSanitizer +
    # UndefinedBehaviorSanitizer.
    echo "== building with ASan+UBSan in build-asan/"
    cmake -S "$ROOT" -B "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DMOSAIC_SANITIZE=ON \
          -DMOSAIC_WITH_SIM=ON -DMOSAIC_WERROR=ON >/dev/null
    cmake --build "$ROOT/build-asan" -j"$JOBS"
}

main_job() {
    # 1. The built-in spoken-digit dataset (espeak-ng English and German digits through the cochlea
    #    front end), made once into data/default and remade only when its parameters change.
    echo "== built-in dataset (data/default)"
    "$ROOT/build/mosaic" dataset make --default --out "$ROOT/data/default"
    # 2. Co-simulation: training with the array in the loop. Each run gets its own folder, so a second
    #    ./hil.sh main never overwrites the first.
    local run="$ROOT/runs/main-$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$ROOT/runs"
    echo "== co-simulation into $run"
    "$ROOT/build/mosaic" cosim --config "$ROOT/configs/default.yaml" --out "$run" \
        --set train.data.train="$ROOT/data/default/train.h5" --set train.data.test="$ROOT/data/default/test.h5"
    echo "== open $run/report.html in a browser for the run report"
}

case "${1:-}" in
main)
    install_missing "${PACKAGES[@]}"
    build
    main_job
    ;;
test)
    install_missing "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build_sanitized
    echo "== the whole test suite under ASan+UBSan"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir "$ROOT/build-asan" --output-on-failure -j"$JOBS"
    build
    echo "== the whole test suite"
    ctest --test-dir "$ROOT/build" --output-on-failure -j"$JOBS"
    ;;
*)
    echo "usage: ./hil.sh main | test" >&2
    exit 2
    ;;
esac
