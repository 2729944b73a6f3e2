#!/usr/bin/env bash
# Compares fkn-core's GOST primitives with Botan 2.19 and OpenSSL + gost-engine
# on this machine, in one go:
#   (a) cargo bench -p fkn-core --bench ec --bench sym (short criterion times);
#       results from target/criterion/.../new/estimates.json (mean, ns)
#   (b) botan speed --msec=2000 GOST-34.10 Streebog-256
#   (c) openssl speed with the gost provider (md_gost12_256, kuznyechik-ctr,
#       cmac(kuznyechik-cbc)); PBKDF2 by timing `openssl kdf`
# and prints one table. Higher is better everywhere; a ratio > 1 means ours is
# faster. Missing results print "n/a".
#
#   bench/compare.sh                 full run (~2-3 minutes after the build)
#   BENCH_MSEC=500 bench/compare.sh  shorter Botan/OpenSSL runs
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
CRIT="$TARGET_DIR/criterion"
MSEC=${BENCH_MSEC:-2000}
SECS=$(( (MSEC + 999) / 1000 ))
export LC_ALL=C

log() { printf '==> %s\n' "$*" >&2; }

# --- dependencies (idempotent) ---------------------------------------------
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in botan openssl libengine-gost-openssl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

# --- (a) our criterion benchmarks --------------------------------------------
STAMP=$(mktemp)
trap 'rm -f "$STAMP"' EXIT
log "cargo bench -p fkn-core --bench ec --bench sym"
BENCHES=()
for b in ec sym; do
  if [ -f "core/benches/$b.rs" ]; then BENCHES+=(--bench "$b"); fi
done
cargo bench -q -p fkn-core "${BENCHES[@]}" -- --warm-up-time 1 --measurement-time 3 >&2 \
  || log "cargo bench failed; its rows will read n/a"

# Mean time in ns of criterion benchmark <full id> (e.g. "gost3410/sign/tc26-256-a"),
# from this run only; empty if absent. Criterion 0.8 writes "group/func_id" with
# '/' in the function id replaced by '_'; benchmark.json records the real id.
crit_ns() {
  local id=$1 meta dir
  [ -d "$CRIT" ] || return 0
  meta=$(grep -lF "\"full_id\":\"$id\"" "$CRIT"/*/*/new/benchmark.json "$CRIT"/*/*/*/new/benchmark.json 2>/dev/null | head -n1 || true)
  [ -n "$meta" ] || return 0
  dir=$(dirname "$meta")
  [ "$dir/estimates.json" -nt "$STAMP" ] || return 0
  grep -oE '"mean":\{"confidence_interval":\{[^}]*\},"point_estimate":[0-9.eE+-]+' "$dir/estimates.json" \
    | sed -E 's/.*"point_estimate"://' || true
}
ops_from_ns() {
  if [ -n "$1" ]; then awk -v ns="$1" 'BEGIN { printf "%.1f", 1e9 / ns }'; fi
}
mibs_from_ns() {
  if [ -n "$2" ]; then awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.1f", b / 1048576 / (ns / 1e9) }'; fi
}

# --- (b) Botan ------------------------------------------------------------------
log "botan speed --msec=$MSEC --buf-size=1048576 GOST-34.10 Streebog-256"
BOTAN_OUT=$(botan speed --msec="$MSEC" --buf-size=1048576 GOST-34.10 Streebog-256 2>&1 || true)
printf '%s\n' "$BOTAN_OUT" | sed 's/^/   botan: /' >&2
# "GOST-34.10-gost_256A EMSA1(GOST-34.11) 13074 sign/sec; ..." -> 13074
botan_ops() {
  printf '%s\n' "$BOTAN_OUT" | awk -v g="GOST-34.10-$1" -v op="$2/sec;" \
    '$1 == g { for (i = 2; i <= NF; i++) if ($i == op) { print $(i-1); exit } }'
}
# "Streebog-256 hash buffer size 1048576 bytes: 137.203 MiB/sec ..." -> 137.203
botan_mibs() {
  printf '%s\n' "$BOTAN_OUT" | awk -v a="$1" \
    '$1 == a { for (i = 2; i <= NF; i++) if ($i == "MiB/sec") { print $(i-1); exit } }'
}
# Which GOST groups Botan measured (2.19 measures gost_256A only).
BOTAN_GROUPS=$(printf '%s\n' "$BOTAN_OUT" | awk '$1 ~ /^GOST-34.10-/ { sub("GOST-34.10-", "", $1); print $1 }' | sort -u | paste -sd, -)

# --- (c) OpenSSL + gost ----------------------------------------------------------
# OpenSSL 3's `speed` fetches algorithms from providers only, so the engine form
# (`-engine gost -evp md_gost12_256`) fails; the same package ships `gostprov`.
OSSL=(openssl speed -provider gostprov -provider default -seconds "$SECS")
log "${OSSL[*]} -evp md_gost12_256"
OSSL_MD=$("${OSSL[@]}" -evp md_gost12_256 2>/dev/null || true)
# Last line: "md_gost12_256  13952.98k ... 200257.16k" (1000s of bytes/s); take the
# largest block size (last column) and convert to MiB/s.
ossl_last_col_mibs() {
  printf '%s\n' "$1" | awk -v a="$2" \
    '$1 == a { v = $NF; sub("k$", "", v); printf "%.1f", v * 1000 / 1048576; exit }'
}
log "${OSSL[*]} -bytes 4096 -evp kuznyechik-ctr / -cmac kuznyechik-cbc"
OSSL_CTR=$("${OSSL[@]}" -bytes 4096 -evp kuznyechik-ctr 2>/dev/null || true)
OSSL_CMAC=$("${OSSL[@]}" -bytes 4096 -cmac kuznyechik-cbc 2>/dev/null || true)
OSSL_LARGEST=$(printf '%s\n' "$OSSL_MD" | awk '$1 == "type" { print $(NF-1) }' | tail -n1)

# PBKDF2: `openssl speed` has no KDFs, so time one `openssl kdf` run with 100x the
# iterations (process start-up is then < 1 %) and scale to 2000 iterations.
ossl_pbkdf2_ops() {
  local iters=200000 t0 t1
  t0=$(date +%s%N)
  openssl kdf -provider gostprov -provider default -keylen 32 -kdfopt digest:md_gost12_512 \
    -kdfopt pass:123456 -kdfopt hexsalt:2923BE84E16CD6AE529049F1F1BBE9EB \
    -kdfopt iter:$iters PBKDF2 >/dev/null 2>&1 || return 0
  t1=$(date +%s%N)
  awk -v ns=$((t1 - t0)) -v n=$iters 'BEGIN { printf "%.1f", (n / 2000) / (ns / 1e9) }'
}
log "openssl kdf PBKDF2 md_gost12_512 (timed)"
OSSL_PBKDF2=$(ossl_pbkdf2_ops)

# --- table ------------------------------------------------------------------------
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else printf 'n/a'; fi; }
na() { if [ -n "$1" ]; then awk -v v="$1" 'BEGIN { printf "%.1f", v }'; else printf 'n/a'; fi; }
row() { # operation unit ours botan openssl
  printf '%-34s %-6s %12s %12s %12s %10s %10s\n' "$1" "$2" "$(na "$3")" "$(na "$4")" "$(na "$5")" \
    "$(ratio "$3" "$4")" "$(ratio "$3" "$5")"
}

echo
echo "fkn-core vs Botan $(botan version 2>/dev/null || echo '?') vs $(openssl version | awk '{print $1, $2}') + gost ($(uname -m), $(nproc) cores)"
printf '%-34s %-6s %12s %12s %12s %10s %10s\n' operation unit ours botan openssl ours/botan ours/ossl
printf '%s\n' "$(printf '%.0s-' {1..102})"
for curve in 256 512; do
  for op in keygen sign verify; do
    ours=$(ops_from_ns "$(crit_ns "gost3410/$op/tc26-$curve-a")")
    botan=""
    # Botan's gost_256A is id-tc26-gost-3410-2012-256-paramSetA (OID 1.2.643.7.1.2.1.1.1).
    if [ "$curve" = 256 ]; then botan=$(botan_ops gost_256A "$op"); fi
    row "GOST 34.10 $op tc26-$curve-A" "ops/s" "$ours" "$botan" ""
  done
done
row "Streebog-256 1 MiB" "MiB/s" "$(mibs_from_ns 1048576 "$(crit_ns streebog256/hash/1MiB)")" \
  "$(botan_mibs Streebog-256)" "$(ossl_last_col_mibs "$OSSL_MD" md_gost12_256)"
row "PBKDF2-HMAC-Streebog-512 c=2000" "ops/s" "$(ops_from_ns "$(crit_ns pbkdf2/streebog512/2000)")" "" "$OSSL_PBKDF2"
row "Kuznyechik CTR 4 KiB" "MiB/s" "$(mibs_from_ns 4096 "$(crit_ns kuznyechik/ctr/4KiB)")" "" \
  "$(ossl_last_col_mibs "$OSSL_CTR" kuznyechik-ctr)"
row "Kuznyechik OMAC 4 KiB" "MiB/s" "$(mibs_from_ns 4096 "$(crit_ns kuznyechik/mac/4KiB)")" "" \
  "$(ossl_last_col_mibs "$OSSL_CMAC" "cmac(kuznyechik-cbc)")"
echo
echo "Notes:"
echo " - ours: criterion mean (warm-up 1 s, measurement 3 s); n/a = no result from this run."
echo " - load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (numbers are only comparable on an idle machine)."
echo " - Botan measured GOST-34.10 groups: ${BOTAN_GROUPS:-none}; gost_256A = tc26-256-A. Botan 2.19 has no"
echo "   512-bit row, no Kuznyechik and no PBKDF2 in 'speed'. Its keygen figure may come from very few runs."
echo " - Botan Streebog-256 with --buf-size=1048576 (same 1 MiB input as ours)."
echo " - OpenSSL Streebog-256: 'openssl speed -evp md_gost12_256' at its largest block (${OSSL_LARGEST:-?});"
echo "   CTR/OMAC at 4096-byte blocks; PBKDF2 timed via 'openssl kdf' (200000 iterations, scaled)."
echo "   OpenSSL 3 'speed' has no GOST 34.10 sign/verify."
