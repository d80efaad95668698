#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Runs CMD with a throwaway PostgreSQL server and exports its admin URL as
# COMPLAINTFLOW_TEST_POSTGRES_URL (postgresql+psycopg://postgres@127.0.0.1:PORT/postgres).
# The server is started once here, so pytest-xdist workers all share it
# (each worker should create its own database). The server and its temp dir
# are always removed afterwards; the exit code is CMD's.
#
# On a fresh Debian machine it installs PostgreSQL (apt-get, as root or via
# sudo) and creates the `postgres` OS user when running as root, because
# initdb/pg_ctl refuse to run as root.
#
# Environment: PYTHON picks the interpreter for the helper (default: the
# repo's .venv/bin/python, else python3).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELPER="$REPO_ROOT/tests/support/postgres_server.py"

log() { echo "with-postgres: $*" >&2; }

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    SUDO=()
fi

have_pg_binaries() {
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
    # Debian keeps the server binaries off PATH, under /usr/lib/postgresql/<ver>/bin.
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && return 0
    done
    return 1
}

install_postgres() {
    if [[ $(id -u) -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
        log "PostgreSQL is not installed and we are neither root nor have sudo."
        log "Install it with: apt-get install -y postgresql"
        exit 1
    fi
    log "PostgreSQL binaries not found; installing with apt-get"
    # The Debian package would start its own 'main' cluster on port 5432; a
    # temporary policy-rc.d (exit 101 = "action forbidden") prevents that, so
    # installing leaves no server running. Only add one if none exists.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if ! "${SUDO[@]}" test -e "$policy"; then
        printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
        "${SUDO[@]}" chmod 755 "$policy"
        added_policy=1
    fi
    local apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql)
    local rc=0
    # Package lists may be missing or stale on a fresh machine: only pay for
    # `apt-get update` when the first attempt fails.
    "${apt[@]}" || { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q && "${apt[@]}"; } || rc=$?
    if [[ $added_policy -eq 1 ]]; then
        "${SUDO[@]}" rm -f "$policy"
    fi
    if [[ $rc -ne 0 ]]; then
        log "apt-get install postgresql failed (exit $rc)"
        exit 1
    fi
    if ! have_pg_binaries; then
        log "PostgreSQL installed but initdb/pg_ctl still not found"
        exit 1
    fi
}

ensure_postgres_user() {
    # Only needed as root: then the server runs as `postgres` via runuser.
    [[ $(id -u) -eq 0 ]] || return 0
    id -u postgres >/dev/null 2>&1 && return 0
    log "creating system user 'postgres'"
    # Same shape as Debian's postgresql-common creates it, so a later
    # apt-get install postgresql accepts the existing account.
    useradd --system --user-group --no-create-home \
        --home-dir /var/lib/postgresql --shell /bin/bash \
        --comment "PostgreSQL administrator" postgres
}

pick_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        echo "$PYTHON"
    elif [[ -x "$REPO_ROOT/.venv/bin/python" ]]; then
        echo "$REPO_ROOT/.venv/bin/python"
    elif command -v python3 >/dev/null 2>&1; then
        command -v python3
    else
        log "no python interpreter found (set PYTHON=...)"
        exit 1
    fi
}

have_pg_binaries || install_postgres
ensure_postgres_user
PY="$(pick_python)"

STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/complaintflow-pg-state.XXXXXX")"
STATE_FILE="$STATE_DIR/state.json"

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [[ -f "$STATE_FILE" ]]; then
        "$PY" "$HELPER" stop --state-file "$STATE_FILE" \
            || log "warning: stopping the temporary PostgreSQL server failed"
    fi
    rm -rf "$STATE_DIR"
    exit "$rc"
}
trap cleanup EXIT
# Signals: exit with the conventional 128+N so the EXIT trap runs and reports it.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The helper prints the admin URL on stdout; its errors (with initdb/pg_ctl
# logs) go to stderr. set -e makes a failed start fail this script.
URL="$("$PY" "$HELPER" start --state-file "$STATE_FILE")"
export COMPLAINTFLOW_TEST_POSTGRES_URL="$URL"
log "PostgreSQL running at $URL"

set +e
"$@"
rc=$?
set -e
exit "$rc"
