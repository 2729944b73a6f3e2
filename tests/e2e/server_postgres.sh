#!/usr/bin/env bash
# fkn-server's integration tests against a real PostgreSQL (Debian's
# packages), next to their default SQLite run in `cargo test`.
#
# Starts a throw-away cluster as a non-root user (`nobody` when run as root,
# else the caller) in a temporary directory, listening on 127.0.0.1 only at
# a free port, runs `cargo test -p fkn-server` with FKN_TEST_DATABASE_URL
# pointing at it, and always stops and removes it.
#
# Environment: FKN_E2E_KEEP_LOGS=1 keeps the scratch directory.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fkn-server-pg.XXXXXX")"
PGDATA_DIR="$WORK/data"
PG_STARTED=""

stop_postgres() {
  if [ -n "$PG_STARTED" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if e2e_run_failed; then tail_logs "$WORK/log/postgres.log"; fi
}
e2e_begin server-postgres stop_postgres

apt_install_missing say postgresql

# The newest installed server binaries (initdb is not on PATH on Debian).
PG_BIN="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  say "initdb not found under /usr/lib/postgresql/*/bin"
  exit 1
fi

# PostgreSQL refuses to run as root: use nobody, which owns only the data.
if [ "$(id -u)" -eq 0 ]; then
  PG_USER=nobody
  as_pg() { runuser -u "$PG_USER" -- "$@"; }
else
  PG_USER="$(id -un)"
  as_pg() { "$@"; }
fi
chmod 755 "$WORK"
mkdir -p "$PGDATA_DIR" "$WORK/sock" "$WORK/log"
[ "$(id -u)" -ne 0 ] || chown "$PG_USER" "$PGDATA_DIR" "$WORK/sock" "$WORK/log"

# A port nothing answers on (bash's /dev/tcp: no extra tools).
PORT=""
for _ in $(seq 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    PORT=$candidate
    break
  fi
done
[ -n "$PORT" ] || { say "no free port found"; exit 1; }

as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U fkn --auth=trust -E UTF8 >"$WORK/initdb.log" 2>&1 \
  || { tail_logs "$WORK/initdb.log"; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/log/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK/sock" start >/dev/null
PG_STARTED=1
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U fkn fkn
pass "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') as $PG_USER on 127.0.0.1:$PORT"

export FKN_TEST_DATABASE_URL="postgres://fkn@127.0.0.1:$PORT/fkn?sslmode=disable"
# Every integration test file, the smoke load tests (two instances on one
# database) included.
mapfile -t selection < <(cargo_selection -p fkn-server)
server_tests=()
for t in server/tests/*.rs; do server_tests+=(--test "$(basename "$t" .rs)"); done
if cargo test -q "${selection[@]}" "${server_tests[@]}" >"$WORK/cargo-test.log" 2>&1; then
  grep "^test result" "$WORK/cargo-test.log" || true
  pass "fkn-server integration and load smoke tests on PostgreSQL"
else
  tail -n 60 "$WORK/cargo-test.log"
  fail "fkn-server integration and load smoke tests on PostgreSQL"
fi

# The load test: 50 devices on one instance, then on two sharing the database.
# One test at a time, so each one's figures are its own.
if cargo test -q "${selection[@]}" --test load -- --ignored --nocapture --test-threads=1 \
  >"$WORK/cargo-load.log" 2>&1; then
  # (libtest prints a test's output on the line of its name.)
  grep -oE "(load .* ms|test result.*)" "$WORK/cargo-load.log" | sed 's/^/  PostgreSQL /' || true
  pass "50 concurrent devices, one and two instances on PostgreSQL, no nonce index used twice"
else
  tail -n 60 "$WORK/cargo-load.log"
  fail "load test on PostgreSQL"
fi
