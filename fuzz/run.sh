#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30), one after the other, and fails on the first crash, hang
# (-timeout), memory blow-up (-rss_limit_mb, -malloc_limit_mb) or build failure. CI calls it with 30; the longer
# campaign is docs/fuzzing.md's. Usage:
#
#     fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs only the stable toolchain: cargo-fuzz passes nightly flags (-Zsanitizer, -Cpasses=sancov) to rustc, which
# RUSTC_BOOTSTRAP=1 lets a stable rustc accept. The build goes to fuzz/target (its own workspace, so the main
# build is never disturbed); new inputs go to fuzz/target/corpus/TARGET (the committed seeds of fuzz/corpus/TARGET,
# and those `seeds_of` names, are only read); a crash is written to fuzz/artifacts/TARGET/ and named in the output.
#
# FUZZ_SANITIZER (default address) chooses the sanitizer: `none` builds faster and runs about twice as fast, with
# libFuzzer's coverage guidance and its limits but without AddressSanitizer's checks (the project's crates forbid
# unsafe code; ASan guards the C and unsafe code of their dependencies). FUZZ_BUILD (default release) is `release`
# (optimised, debug assertions on: what a long campaign wants) or `dev` (unoptimised: a much shorter build for a
# short run; CI's choice). Each combination builds into its own folder, fuzz/target/BUILD-SANITIZER.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

seconds=${1:-30}
shift || true
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 2; }
targets=("$@")
((${#targets[@]} > 0)) || targets=(graphql_request graphql_http tabular_file workbook_member report_pdf summary_page)
sanitizer=${FUZZ_SANITIZER:-address}
build=${FUZZ_BUILD:-release}
case $build in
    release) build_flags=(--release) ;;
    dev) build_flags=(--dev) ;;
    *) echo "FUZZ_BUILD must be release or dev, not $build" >&2; exit 2 ;;
esac
build_flags+=(-s "$sanitizer" --target-dir "target/$build-$sanitizer")

export RUSTC_BOOTSTRAP=1
# A clean build gains nothing from incremental compilation.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

started=$SECONDS
echo "==> building the fuzz targets ($build, sanitizer: $sanitizer)"
cargo fuzz build "${build_flags[@]}"
echo "==> built in $((SECONDS - started))s"

# The GraphQL targets' SQLite database (one per process, with the bundled data) lives here and is removed after.
export TMPDIR="$PWD/target/tmp"
mkdir -p "$TMPDIR"

# Seeds that live elsewhere in the repository are read from there, not committed twice: the summary page's are the
# real snapshots (the bundled one and the tests' two), and a copy of one cut short, made here.
seeds_of() {
    case $1 in
        summary_page)
            mkdir -p target/seeds/summary_page
            cp ../data/d2i_summary_*.html ../tests/fixtures/d2i/*.html target/seeds/summary_page/
            head -c 6000 ../tests/fixtures/d2i/summary_2024-08-08.html >target/seeds/summary_page/cut.html
            echo target/seeds/summary_page
            ;;
    esac
    [[ -d corpus/$1 ]] && echo "corpus/$1"
    return 0
}

for target in "${targets[@]}"; do
    dict=()
    [[ $target == graphql_* ]] && dict=(-dict=graphql.dict)
    mkdir -p "target/corpus/$target"
    mapfile -t seeds < <(seeds_of "$target")
    echo "==> fuzzing $target for ${seconds}s"
    target_started=$SECONDS
    # -rss_limit_mb and -malloc_limit_mb make a memory blow-up a crash; -timeout makes a slow input one (the
    # GraphQL targets' own time limit is 5 s, so it answers TIMEOUT first). With no -max_len, libFuzzer takes the
    # largest seed's size (a report of 175 KB, a CSV of 72 KB, a few KB of GraphQL).
    cargo fuzz run "${build_flags[@]}" "$target" "target/corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 "${dict[@]}"
    echo "==> $target: no crash in $((SECONDS - target_started))s"
    rm -rf "${TMPDIR:?}"/send-fuzz-*
done
echo "==> fuzzing done in $((SECONDS - started))s: no crash"
