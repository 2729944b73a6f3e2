#!/usr/bin/env bash
# End-to-end: what the `fkn` command makes on a virtual token is accepted by
# OpenSSL's gost-engine, and what OpenSSL signs is accepted by `fkn verify`.
#
#   fkn token init / keygen (tc26-256-a and tc26-512-a)
#   fkn csr              -> openssl req -verify
#   fkn cert self-sign   -> fkn cert export -> openssl x509 -text
#   fkn sign [--detached] -> openssl cms -verify (and an altered document fails)
#   openssl cms -sign    -> fkn verify (and an altered document fails)
#
# Installs openssl + libengine-gost-openssl if missing (Debian 12).
# Environment: FKN_BIN=path/to/fkn skips the build; FKN_E2E_KEEP_LOGS=1 keeps
# the scratch directory.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fkn-cli-openssl.XXXXXX")"
USER_PIN=2580
ADMIN_PIN=14702580
e2e_begin cli-openssl

# --- packages ----------------------------------------------------------------
apt_install_missing say openssl libengine-gost-openssl
if ! openssl engine gost -t 2>/dev/null | grep -q available; then
  say "the OpenSSL gost engine does not load (openssl engine gost -t)"
  exit 1
fi

# --- fkn ---------------------------------------------------------------------
# shellcheck disable=SC2119 # default features (pcsc included)
find_fkn

cd "$WORK"
T="virtual:$WORK/token.fkn"

# Runs a command, logging its output to $WORK/<name>.log; true if it succeeded.
run() {
  local name="$1"
  shift
  "$@" >"$name.log" 2>&1
}
# The first line of a log, for FAIL messages.
why() { head -n 3 "$1.log" 2>/dev/null | tr '\n' ' '; }

# Overwrites the first occurrence of $2 in file $1 with $3 (same length).
patch_bytes() {
  local off
  off="$(grep -obUa -- "$2" "$1" | head -n 1 | cut -d: -f1)"
  [ -n "$off" ] || return 1
  printf '%s' "$3" | dd of="$1" bs=1 seek="$off" conv=notrunc status=none
}

printf 'Contract No. 42: MARKER of the signed text.\n%.0s' $(seq 1 200) >doc.txt
sed 's/No\. 42/No. 43/' doc.txt >altered.txt

if run init "$FKN" token init --token "$T" --user-pin "$USER_PIN" --admin-pin "$ADMIN_PIN" \
  --label "openssl e2e"; then
  pass "fkn token init"
else
  fail "fkn token init: $(why init)"
  exit 1
fi

for curve in tc26-256-a tc26-512-a; do
  id="k-$curve"
  if run "keygen-$curve" "$FKN" keygen --token "$T" --pin "$USER_PIN" --id "$id" --curve "$curve" \
    --label "E2E $curve"; then
    pass "$curve: fkn keygen"
  else
    fail "$curve: fkn keygen: $(why "keygen-$curve")"
    continue
  fi

  # Certification request.
  if run "csr-$curve" "$FKN" csr --token "$T" --pin "$USER_PIN" --id "$id" \
    --subject "CN=E2E $curve,O=FKN SDK,C=RU" --out "req-$curve.der" &&
    run "req-$curve" openssl req -engine gost -in "req-$curve.der" -inform DER -verify -noout &&
    grep -q "verify OK" "req-$curve.log"; then
    pass "$curve: openssl req -verify accepts fkn csr"
  else
    fail "$curve: fkn csr / openssl req -verify: $(why "csr-$curve") $(why "req-$curve")"
  fi

  # Self-signed certificate, stored on the token, exported from the file.
  if run "self-$curve" "$FKN" cert self-sign --token "$T" --pin "$USER_PIN" --id "$id" \
    --subject "CN=E2E $curve,O=FKN SDK" --days 30 &&
    run "export-$curve" "$FKN" cert export --token "$T" --id "$id" --out "cert-$curve.der" &&
    run "x509-$curve" openssl x509 -engine gost -inform DER -in "cert-$curve.der" -text -noout &&
    grep -q "CN = E2E $curve" "x509-$curve.log" &&
    grep -qi "GOST R 34.10-2012" "x509-$curve.log"; then
    pass "$curve: openssl x509 reads fkn's self-signed certificate"
  else
    fail "$curve: cert self-sign / export / openssl x509: $(why "self-$curve") $(why "x509-$curve")"
    continue
  fi
  openssl x509 -inform DER -in "cert-$curve.der" -out "cert-$curve.pem"

  # Attached CMS.
  if run "sign-$curve" "$FKN" sign --token "$T" --pin "$USER_PIN" --id "$id" --in doc.txt \
    --out "att-$curve.p7m" &&
    run "cmsv-$curve" openssl cms -engine gost -verify -binary -inform DER -in "att-$curve.p7m" \
      -CAfile "cert-$curve.pem" -out "att-$curve.out" &&
    cmp -s doc.txt "att-$curve.out"; then
    pass "$curve: openssl cms -verify accepts fkn sign (attached), content intact"
  else
    fail "$curve: fkn sign attached / openssl cms -verify: $(why "sign-$curve") $(why "cmsv-$curve")"
  fi
  cp "att-$curve.p7m" "att-bad-$curve.p7m"
  if patch_bytes "att-bad-$curve.p7m" "No. 42" "No. 43" &&
    ! run "cmsbad-$curve" openssl cms -engine gost -verify -binary -inform DER \
      -in "att-bad-$curve.p7m" -CAfile "cert-$curve.pem" -out /dev/null; then
    pass "$curve: openssl rejects the attached signature with altered content"
  else
    fail "$curve: an altered attached signature was not rejected by openssl"
  fi

  # Detached CMS.
  if run "signd-$curve" "$FKN" sign --token "$T" --pin "$USER_PIN" --id "$id" --in doc.txt \
    --out "det-$curve.p7s" --detached &&
    run "cmsd-$curve" openssl cms -engine gost -verify -binary -inform DER -in "det-$curve.p7s" \
      -CAfile "cert-$curve.pem" -content doc.txt -out /dev/null; then
    pass "$curve: openssl cms -verify accepts fkn sign --detached"
  else
    fail "$curve: fkn sign --detached / openssl cms -verify: $(why "signd-$curve") $(why "cmsd-$curve")"
  fi
  if ! run "cmsdbad-$curve" openssl cms -engine gost -verify -binary -inform DER \
    -in "det-$curve.p7s" -CAfile "cert-$curve.pem" -content altered.txt -out /dev/null; then
    pass "$curve: openssl rejects the detached signature over an altered document"
  else
    fail "$curve: openssl accepted a detached signature over an altered document"
  fi
done

# --- OpenSSL signs, fkn verifies --------------------------------------------
if run ossl-key openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A \
  -out ossl.key &&
  run ossl-cert openssl req -engine gost -x509 -new -key ossl.key \
    -subj "/C=RU/O=OpenSSL/CN=OpenSSL signer" -days 10 -out ossl.pem &&
  run ossl-att openssl cms -sign -engine gost -binary -nodetach -in doc.txt -signer ossl.pem \
    -inkey ossl.key -outform DER -out ossl-att.p7m &&
  run ossl-det openssl cms -sign -engine gost -binary -in doc.txt -signer ossl.pem \
    -inkey ossl.key -outform DER -out ossl-det.p7s; then
  pass "openssl made a gost2012_256 key, certificate and CMS signatures"
else
  fail "openssl signing: $(why ossl-key) $(why ossl-cert) $(why ossl-att) $(why ossl-det)"
  exit 1
fi

if run fknv-att "$FKN" verify --in ossl-att.p7m --out-content ossl-att.out &&
  grep -q "^signature valid" fknv-att.log && grep -q "CN=OpenSSL signer" fknv-att.log &&
  cmp -s doc.txt ossl-att.out; then
  pass "fkn verify accepts openssl cms -sign -nodetach: $(grep '^signer' fknv-att.log)"
else
  fail "fkn verify on openssl's attached CMS: $(why fknv-att)"
fi
if run fknv-det "$FKN" verify --in ossl-det.p7s --content doc.txt; then
  pass "fkn verify accepts openssl's detached CMS"
else
  fail "fkn verify on openssl's detached CMS: $(why fknv-det)"
fi
if ! run fknv-bad "$FKN" verify --in ossl-det.p7s --content altered.txt &&
  [ "$(wc -l <fknv-bad.log)" -eq 1 ] && grep -q "NOT valid" fknv-bad.log; then
  pass "fkn verify rejects openssl's signature over an altered document: $(cat fknv-bad.log)"
else
  fail "fkn verify and an altered document: $(why fknv-bad)"
fi
cp ossl-att.p7m ossl-bad.p7m
if patch_bytes ossl-bad.p7m "No. 42" "No. 43" && ! run fknv-bad2 "$FKN" verify --in ossl-bad.p7m; then
  pass "fkn verify rejects openssl's attached CMS with altered content"
else
  fail "fkn verify accepted an altered attached CMS: $(why fknv-bad2)"
fi

[ "$failed" -eq 0 ]
