#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS each (default 600) and
# prints, per target, the executions, the coverage (libFuzzer's `cov`
# edges and `ft` features) and the seconds it ran. A crash stops the script
# with the target's name; libFuzzer leaves the input in fuzz/artifacts/.
#
#   tests/fuzz.sh           10 minutes per target (the issue 14 long run)
#   tests/fuzz.sh 10        smoke pass (tests/run-all.sh)
#   tests/fuzz.sh 600 vtoken_apdu sespake_host   only these targets
#
# A crash does not stop the run: the other targets still run, and the
# script exits 1 at the end naming every target that failed.
#
# Needs the nightly toolchain (rustup toolchain install nightly) and
# cargo-fuzz (installed from crates.io when missing). Corpora grow in
# fuzz/corpus/<target> (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi

# Its own target directory (sanitizer builds share nothing with the
# workspace's), kept beside the iOS checks' in FKN_CARGO_CACHE so a fresh
# clone on the same machine starts warm.
export CARGO_TARGET_DIR="${FKN_FUZZ_TARGET_DIR:-${FKN_CARGO_CACHE:-/var/cache/fkn-sdk}/target-fuzz}"
mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null || export CARGO_TARGET_DIR="$PWD/fuzz/target"
targets=$(cd fuzz && cargo +nightly fuzz list)
chosen=""
if [ $# -gt 1 ]; then
  shift
  targets="$*"
  chosen=1
fi
echo "==> building $(echo "$targets" | wc -w) fuzz targets"
if [ -n "$chosen" ]; then
  # Only the targets asked for: a sanitizer build of all of them is long.
  for t in $targets; do (cd fuzz && cargo +nightly fuzz build "$t"); done
else
  (cd fuzz && cargo +nightly fuzz build)
fi

printf '%-22s %12s %8s %8s %6s\n' target execs cov ft secs
failed=""
for t in $targets; do
  log="$(mktemp)"
  mkdir -p "fuzz/corpus/$t"
  start=$(date +%s)
  if ! (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1) >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "FUZZ FAILURE in $t (input in fuzz/artifacts/$t/)" >&2
    failed="$failed $t"
    rm -f "$log"
    continue
  fi
  end=$(date +%s)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-22s %12s %8s %8s %6s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$((end - start))"
  rm -f "$log"
done
if [ -n "$failed" ]; then
  echo "fuzz targets that failed:$failed" >&2
  exit 1
fi
