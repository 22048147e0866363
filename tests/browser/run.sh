#!/usr/bin/env bash
# CI entry for the browser tests of the GraphiQL page and the readers' pages: `bash tests/browser/run.sh
# <path-to-send-api>`, from the repo root, as root (.ci/run calls it after building the binary).
#
# How it runs:
#   1. Setup, with the network: installs Debian's Chromium (and iproute2 for `ip`) if missing, and runs
#      `npm ci` here, which installs only playwright-core (it downloads no browser; the tests drive
#      /usr/bin/chromium) and axe-core (the accessibility checks pages.mjs injects).
#   2. The test, without the network: the script runs itself again (`--isolated`) under `unshare -rn`, in a
#      new network namespace (inside a new user namespace, so it needs no extra capability) whose only
#      interface is loopback, brought up with `ip link set lo up`. There it starts send-api on a free
#      127.0.0.1 port with a fresh --data-dir (it creates the SQLite database and imports the bundled data),
#      waits for /health, and runs graphiql.mjs, which saves target/browser/graphiql.png, then pages.mjs (the
#      readers' pages: numbers against the GraphQL API, axe-core, 375 px, keyboard), which saves screenshots in
#      target/browser/pages/. Nothing outside the machine can be reached, so the tests prove the pages work
#      offline. Both scripts also make every other host unresolvable in Chromium and abort and report any
#      request not bound for loopback, so a page that tries to reach a CDN fails the test even where no
#      namespace can be made: if `unshare -rn`
#      fails (a container that forbids user namespaces), the test runs on the host's network with a warning,
#      except under CI=true, where that is a failure.
#   3. The server is stopped with SIGTERM: the test fails unless it exits 0 and logs its shutdown and `stopped`
#      lines (graceful shutdown, as a service manager stops it).
# The data dir is removed on exit (and the server killed, if a failure left it running); its log is kept in
# target/browser/send-api.log.

set -euo pipefail

step() { printf '==> browser test: %s\n' "$*"; }
fail() { printf 'browser test: error: %s\n' "$*" >&2; exit 1; }

isolated=0
if [[ ${1:-} == --isolated ]]; then
    isolated=1
    shift
fi
[[ $# -eq 1 ]] || fail "usage: bash tests/browser/run.sh <path-to-send-api-binary>"
[[ -x $1 ]] || fail "not an executable file: $1"
binary=$(realpath -- "$1")

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$repo/target/browser
chromium=/usr/bin/chromium

server_pid=
data_dir=

# Stops the server (if started) and removes its data dir; runs on exit, however the script ends.
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n $data_dir ]]; then
        rm -rf "$data_dir"
    fi
}

# Starts send-api, waits until it is healthy, runs the browser test against it.
run_test() {
    local port base log deadline
    mkdir -p "$out"
    log=$out/send-api.log
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    data_dir=$(mktemp -d)

    # Ask the kernel for a free port (in a fresh namespace any port is free, but this also works outside).
    port=$(node -e '
        const s = require("net").createServer().listen(0, "127.0.0.1", () => {
            console.log(s.address().port);
            s.close();
        });')
    base=http://127.0.0.1:$port

    step "starting $binary on 127.0.0.1:$port (data dir $data_dir, log $log)"
    # NO_COLOR: a plain log file, without terminal colour codes.
    NO_COLOR=1 "$binary" --bind "127.0.0.1:$port" --data-dir "$data_dir" >"$log" 2>&1 &
    server_pid=$!

    step "waiting for $base/health"
    deadline=$((SECONDS + 120))
    until node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
        "$base/health"; do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            tail -n 40 "$log" >&2 || true
            fail "send-api exited before answering /health (log above)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$log" >&2 || true
            fail "send-api did not answer /health within 120 s (log above)"
        fi
        sleep 0.5
    done

    step "running graphiql.mjs against $base"
    if ! node "$here/graphiql.mjs" "$base" "$out/graphiql.png"; then
        printf -- '--- last lines of %s ---\n' "$log" >&2
        tail -n 40 "$log" >&2 || true
        fail "the GraphiQL page test failed (see above)"
    fi

    step "running pages.mjs against $base (the readers' pages)"
    # No screenshot of an earlier run may pass for one of this run.
    rm -rf "$out/pages"
    if ! node "$here/pages.mjs" "$base" "$out/pages"; then
        printf -- '--- last lines of %s ---\n' "$log" >&2
        tail -n 40 "$log" >&2 || true
        fail "the readers' pages test failed (see above)"
    fi
    stop_server "$log"
    step "passed; screenshots: target/browser/graphiql.png, target/browser/pages/*.png"
}

# Stops send-api the way a service manager does (SIGTERM) and fails unless it shuts down gracefully: exit status
# 0 within 30 s, and its log says it stopped accepting connections and then stopped.
stop_server() {
    local log=$1 watchdog status=0
    step "stopping send-api with SIGTERM (graceful shutdown)"
    kill -TERM "$server_pid"
    # `wait` has no timeout: a watchdog kills a server that hangs, which then fails the status check below.
    (sleep 30; kill -KILL "$server_pid" 2>/dev/null) &
    watchdog=$!
    wait "$server_pid" || status=$?
    kill "$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    server_pid=
    if ((status != 0)); then
        tail -n 20 "$log" >&2 || true
        fail "send-api exited with status $status after SIGTERM (expected 0; 137 means it was still running 30 s later)"
    fi
    grep -q 'shutting down: refusing new connections' "$log" \
        || fail "send-api's log ($log) has no 'shutting down' line after SIGTERM"
    grep -q 'stopped$' "$log" || fail "send-api's log ($log) has no 'stopped' line after SIGTERM"
    step "send-api stopped gracefully (exit status 0, 'stopped' logged)"
}

if ((isolated)); then
    # Inside the new network namespace: loopback exists but is down until brought up.
    ip link set lo up || fail "could not bring up loopback in the network namespace"
    run_test
    exit 0
fi

[[ $EUID -eq 0 ]] || fail "must run as root (it may install Chromium with apt-get)"
# .ci/run installs Debian's nodejs and npm when they are missing; by hand, install them first.
command -v node >/dev/null || fail "node is required (apt-get install nodejs)"
command -v npm >/dev/null || fail "npm is required (apt-get install npm)"

missing=()
[[ -x $chromium ]] || missing+=(chromium)
command -v ip >/dev/null || missing+=(iproute2)
if ((${#missing[@]} > 0)); then
    step "installing ${missing[*]} from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y "${missing[@]}"
fi
[[ -x $chromium ]] || fail "$chromium is missing after installing chromium"
step "$("$chromium" --version 2>/dev/null | head -n 1)"

step "npm ci (playwright-core and axe-core; no browser download)"
(cd "$here" && npm ci --no-audit --no-fund)

if unshare -rn true 2>/dev/null; then
    step "isolating the test in a network namespace with only loopback (unshare -rn)"
    exec unshare -rn bash "$here/run.sh" --isolated "$binary"
fi
# In CI the proof that the page works offline must not quietly weaken: no namespace is a failure there.
if [[ ${CI:-} == true ]]; then
    fail "cannot create a network namespace (unshare -rn failed), and CI=true requires the test to run without" \
        "the network; allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run elsewhere"
fi
step "WARNING: cannot create a network namespace here (unshare -rn failed): running on the host's network;" \
    "Chromium still resolves no host but loopback and the test aborts any other request"
run_test
