#!/usr/bin/env bash
# Runs every fuzz target of picoauth (or the ones named as arguments) for a bounded time and
# fails if any of them finds a crash: a panic, a failed assertion of a target's properties, a
# sanitizer report, a timeout or running out of memory. CI does not run this; run it by hand
# after touching token checking, wallet keys, configuration or request bodies.
#
#   fuzz/run.sh                          # every target, 60 s each
#   FUZZ_SECONDS=300 fuzz/run.sh wallet_keys
#
# What it needs:
# - cargo-fuzz (`cargo install cargo-fuzz --locked`; this script installs it if it is missing).
# - A Rust toolchain that accepts -Z flags. cargo-fuzz passes nightly-only flags to rustc
#   (`-Zsanitizer=address`, sanitizer-coverage passes). The machines of this project have only
#   the stable toolchain, so the script sets RUSTC_BOOTSTRAP=1, which lets stable rustc accept
#   them; on a nightly toolchain the variable is harmless. FUZZ_TOOLCHAIN=nightly picks a
#   nightly through rustup where one is installed.
# - clang is not needed: libfuzzer-sys builds libFuzzer with the system C++ compiler (g++).
# - About 3 GB of disk and 6 minutes on two cores for the first build (fuzz/target/, ignored by
#   git); later builds take about a minute.
#
# Settings (environment):
#   FUZZ_SECONDS    seconds per target (default 60)
#   FUZZ_SANITIZER  address (default) or none; if the AddressSanitizer build fails, the script
#                   retries once without a sanitizer and says so
#   FUZZ_TOOLCHAIN  a rustup toolchain name for `cargo +NAME fuzz` (default: the default one)
#   FUZZ_KEEP_GOING 1 to go on fuzzing a target after its first crash (libFuzzer's
#                   -fork=1 -ignore_crashes=1), to find every distinct crash in the time given
#
# The committed seeds in fuzz/corpus/<target>/ are copied to a temporary directory and fuzzed
# there, so the repository's corpus stays small. A crash leaves its input in
# fuzz/artifacts/<target>/ (ignored by git), with the run's log as fuzz.log; replay it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
# from the repository root, and turn it into a unit test beside the code it breaks.

set -euo pipefail

cd "$(dirname "$0")"

seconds=${FUZZ_SECONDS:-60}
sanitizer=${FUZZ_SANITIZER:-address}
toolchain=()
if [[ -n ${FUZZ_TOOLCHAIN:-} ]]; then
    toolchain=("+$FUZZ_TOOLCHAIN")
fi
export RUSTC_BOOTSTRAP=1

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=(jwt_verify wallet_keys config_toml json_bodies)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "run.sh: cargo-fuzz is missing; installing it with cargo install" >&2
    cargo install cargo-fuzz --locked
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/picoauth-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# `cargo fuzz build` builds one target or all of them; all of them share nearly every crate.
build() {
    echo "run.sh: building the fuzz targets (sanitizer: $1)" >&2
    cargo "${toolchain[@]}" fuzz build --sanitizer "$1" >"$work/build.log" 2>&1
}
if ! build "$sanitizer"; then
    tail -n 30 "$work/build.log" >&2
    if [[ $sanitizer == none ]]; then
        echo "run.sh: the fuzz targets do not build" >&2
        exit 1
    fi
    echo "run.sh: the $sanitizer-sanitizer build failed; retrying with --sanitizer none" >&2
    sanitizer=none
    if ! build none; then
        tail -n 30 "$work/build.log" >&2
        echo "run.sh: the fuzz targets do not build" >&2
        exit 1
    fi
fi

keep_going=()
if [[ ${FUZZ_KEEP_GOING:-0} == 1 ]]; then
    keep_going=(-fork=1 -ignore_crashes=1)
fi

failed=()
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    mkdir -p "$corpus" "artifacts/$target"
    cp corpus/"$target"/seed-* "$corpus"/
    log="$work/$target.log"
    touch "$work/started"
    echo "run.sh: fuzzing $target for ${seconds}s" >&2
    status=0
    cargo "${toolchain[@]}" fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 "${keep_going[@]}" \
        >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [[ -z $runs ]]; then # fork mode prints no final stats, only progress lines `#N: ...`
        runs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' "$log" | tail -n 1)
    fi
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
    n_inputs=$(find "$corpus" -type f | wc -l)
    # In fork mode libFuzzer exits 0 after crashes, so new artifacts count as failures too.
    crashes=$(find "artifacts/$target" -type f -newer "$work/started" ! -name fuzz.log)
    if [[ $status -eq 0 && -z $crashes ]]; then
        echo "run.sh: $target ok: ${runs:-?} runs, ${coverage:-cov: ?}, corpus $n_inputs inputs" >&2
    else
        cp "$log" "artifacts/$target/fuzz.log"
        echo "run.sh: $target FAILED (exit $status); from its log, artifacts/$target/fuzz.log:" >&2
        grep -E -A3 "panicked at|ERROR: (AddressSanitizer|libFuzzer)|^SUMMARY" "$log" \
            | head -n 40 >&2 || true
        echo "run.sh: crashing inputs:" $crashes >&2
        failed+=("$target")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "run.sh: crashes in ${failed[*]}; inputs are in fuzz/artifacts/" >&2
    exit 1
fi
echo "run.sh: ${#targets[@]} targets fuzzed for ${seconds}s each, no crash" >&2
