#!/usr/bin/env bash
# Statistical constant-time tests (dudect) of the operations that handle
# secrets: scalar multiplication on a 256- and a 512-bit curve, Kuznyechik,
# and the PIN-to-Q_PW path of a login (core/benches/ct_timing.rs).
#
#   tests/timing.sh [SAMPLES]    samples per case (default 20000)
#
# Prints one line per case; |max t| above about 5 says the time depends on
# the secret. Timing is noisy on a shared machine: run it on an idle one.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
samples="${1:-20000}"

exe=$(cargo bench -q -p fkn-core --bench ct_timing --no-run --message-format=json |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("executable") and m.get("target", {}).get("name") == "ct_timing":
        print(m["executable"])')
[ -x "$exe" ] || { echo "timing: could not build core/benches/ct_timing.rs" >&2; exit 1; }

FKN_CT_SAMPLES="$samples" "$exe"
