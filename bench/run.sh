#!/usr/bin/env bash
# Track & Trace API vs the peer event store (Emmett 0.42 on PostgreSQL), side by side in one run.
#
#   npm run bench                                   # from the repo root
#   DURATION=3 SCENARIOS="many hot-any" npm run bench
#
# env: DURATION=10 (measured seconds per scenario, after WARMUP=1)  CONNECTIONS=16
#      SCENARIOS="many hot-any hot read" (load.mjs scenarios)        TRIES=3 (attempts when noisy)
#      LOAD_ARGS="" (extra load.mjs args for both sides, e.g. "--streams 100")
#      API_SNAPSHOT=1 (run the API from a copy of the working tree; head = from `git archive HEAD`; 0 = in place)
#      API_LOG_LEVEL=warn (wrangler's --log-level for our API; info logs a line per request, costing CPU)
#      PG_POOL_MAX=10 (peer's pg.Pool)  MANY_STREAMS=5000  MANY_CONCURRENCY=64 (0 streams = skip)
#      NOISE_MAX=0.20 QUIET_MAX=0.25 QUIET_WAIT=60 STALL_MS=1000 (see measure below)
#      PEER_BENCH=../shared/peer-bench (read-only; copied to $BENCH_WORK/peer-bench and npm ci'd)
#      BENCH_WORK=/tmp/tracktrace-bench (peer copy, per-run logs; the Postgres data is deleted on exit)
#
# One embedded PostgreSQL (durable: fsync + synchronous_commit on) holds both databases
# (tracktrace, emmett). Our API runs as `npm start` with DATABASE_URL, the peer as node server.mjs.
# For every scenario the peer runs first, then ours, each wrapped in cpuwatch.mjs (cores used by
# server / postgres / load client / other processes). Then bench/many-streams.mjs appends one
# event to each of MANY_STREAMS new shipment streams on our API. Every kept JSON line goes to
# bench/results/<UTC stamp>.jsonl (all attempts: .raw.jsonl, run facts: .meta.json); the end
# prints bench/report.mjs tables. Ctrl-C / exit stops everything this script started.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-16}
SCENARIOS=${SCENARIOS:-many hot-any hot read}
TRIES=${TRIES:-3}
PG_POOL_MAX=${PG_POOL_MAX:-10}
MANY_STREAMS=${MANY_STREAMS:-5000}
MANY_CONCURRENCY=${MANY_CONCURRENCY:-64}
LOAD_ARGS=${LOAD_ARGS:-}
API_SNAPSHOT=${API_SNAPSHOT:-1}
NOISE_MAX=${NOISE_MAX:-0.20}   # foreign cores during a measurement above which it is repeated
QUIET_MAX=${QUIET_MAX:-0.25}   # machine-wide busy cores that still count as quiet before a measurement
QUIET_WAIT=${QUIET_WAIT:-60}   # max seconds to wait for a quiet machine
STALL_MS=${STALL_MS:-1000}     # max latency above this (scenarios without "hot") = stall, repeat
PEER_BENCH=${PEER_BENCH:-$ROOT/../shared/peer-bench}
BENCH_WORK=${BENCH_WORK:-/tmp/tracktrace-bench}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
OUT=$RESULTS/$STAMP.jsonl
RAW=$RESULTS/$STAMP.raw.jsonl
META=$RESULTS/$STAMP.meta.json
RUN=$BENCH_WORK/run-$STAMP      # logs, API data dir (signing key, wrangler state), postgres data
PEER=$BENCH_WORK/peer-bench     # run-time copy of the peer benchmark (+ node_modules)

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # stop_tree, start_postgres, busy_cores, wait_quiet

# ---------------------------------------------------------------------------------------------
# process bookkeeping: everything long-lived is started with setsid (own process group, pgid = pid,
# out of reach of the terminal's Ctrl-C) so it can be stopped in order, by its id.
PG_PID= API_PID= PEER_PID= CHILD_PID= POSTMASTER=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_tree load "$CHILD_PID" 3
  stop_tree peer "$PEER_PID" 5
  stop_tree api "$API_PID" 20
  stop_tree postgres-helper "$PG_PID" 20
  if [ -n "$POSTMASTER" ] && kill -0 "$POSTMASTER" 2>/dev/null; then
    log "postmaster $POSTMASTER still running; fast shutdown"
    kill -INT "$POSTMASTER" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$POSTMASTER" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$RUN/pg" "$RUN/api/wrangler" "$RUN/app" 2>/dev/null || true
  [ "$rc" = 0 ] || log "failed (exit $rc); logs in $RUN"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run a command in its own process group and wait for it (interruptible by the traps)
run_child() { # outfile cmd...
  local out=$1 rc=0
  shift
  setsid "$@" >"$out" &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=
  return "$rc"
}

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# ---------------------------------------------------------------------------------------------
# peer benchmark: copy (the directory is read-only) and install once per lock file
[ -f "$PEER_BENCH/load.mjs" ] || die "peer benchmark not found at $PEER_BENCH (set PEER_BENCH)"
mkdir -p "$PEER" "$RESULTS" "$RUN"
chmod 755 "$BENCH_WORK" "$RUN"   # the embedded postgres runs as user postgres when we are root
(cd "$PEER_BENCH" && tar --exclude=./node_modules --exclude=./peer-emmett/node_modules --exclude=./results -cf - .) |
  tar -C "$PEER" --no-same-owner -xf -
chmod -R u+w "$PEER"
for d in "$PEER" "$PEER/peer-emmett"; do
  sum=$(sha256sum "$d/package-lock.json" | cut -d' ' -f1)
  if [ ! -d "$d/node_modules" ] || [ "$(cat "$d/node_modules/.bench-lock" 2>/dev/null)" != "$sum" ]; then
    log "npm ci in $d"
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$sum" >"$d/node_modules/.bench-lock"
  fi
done

# ---------------------------------------------------------------------------------------------
# 1. PostgreSQL (databases tracktrace + emmett)
log "starting PostgreSQL (run dir $RUN)"
start_postgres

# 2. our API (npm start with DATABASE_URL; own data dir, so the dev signing key is per run).
# API_SNAPSHOT=1 (default): from a copy of the working tree taken now, so edits to src/ during
# the run do not make wrangler reload the Worker mid-measurement; 0: in place.
GIT_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo none)
git diff --quiet HEAD -- src migrations wrangler.toml scripts package.json 2>/dev/null || GIT_COMMIT=$GIT_COMMIT-dirty
if [ "$API_SNAPSHOT" = head ]; then # exactly the committed tree (others' uncommitted edits stay out)
  APP=$RUN/app
  mkdir -p "$APP"
  git archive HEAD | tar -C "$APP" -xf -
  # hard links, not a symlink: an `npm i` in the repo during the run must not reload the Worker
  cp -al "$ROOT/node_modules" "$APP/node_modules"
# generated files git leaves out (Scalar's bundle for /docs), as npm install makes them
(cd "$APP" && node src/ops/vendor/build.mjs >/dev/null)
  GIT_COMMIT=$(git rev-parse --short HEAD)
elif [ "$API_SNAPSHOT" = 1 ]; then
  APP=$RUN/app
  mkdir -p "$APP"
  tar -C "$ROOT" --exclude=./node_modules --exclude=./.git --exclude=./.data --exclude=./.wrangler \
    --exclude=./bench/results --exclude=./coverage -cf - . | tar -C "$APP" -xf -
  ln -s "$ROOT/node_modules" "$APP/node_modules"
else
  APP=$ROOT
fi
API_PORT=$(free_port)
export TRACKTRACE_DATA_DIR=$RUN/api
log "starting the Track & Trace API on :$API_PORT"
(cd "$APP" && DATABASE_URL=$PG_BASE/tracktrace PORT=$API_PORT WRANGLER_LOG_LEVEL=${API_LOG_LEVEL:-warn} exec setsid npm start >"$RUN/api.log" 2>&1) &
API_PID=$!
API_URL=http://127.0.0.1:$API_PORT
for _ in $(seq 1 1200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$API_URL/health/ready" || true)" = 200 ] && break
  kill -0 "$API_PID" 2>/dev/null || { tail -40 "$RUN/api.log" >&2; die "the API exited during start"; }
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$API_URL/health/ready" || true)" = 200 ] || die "the API was not ready within 120 s"
TRACKTRACE_TOKEN=$(cd "$APP" && npm run --silent token -- --tenant bench --scope "tracking:read tracking:write")
export TRACKTRACE_TOKEN
[ -n "$TRACKTRACE_TOKEN" ] || die "no token"

# 3. the peer
PEER_PORT=$(free_port)
PEER_URL=http://127.0.0.1:$PEER_PORT
log "starting peer-emmett on :$PEER_PORT (PG_POOL_MAX=$PG_POOL_MAX)"
(cd "$PEER/peer-emmett" && DATABASE_URL=$PG_BASE/emmett PORT=$PEER_PORT PG_POOL_MAX=$PG_POOL_MAX PROJECTION=0 \
  exec setsid node server.mjs >"$RUN/peer.log" 2>&1) &
PEER_PID=$!
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "$PEER_URL/health" && break
  kill -0 "$PEER_PID" 2>/dev/null || { cat "$RUN/peer.log" >&2; die "the peer exited during start"; }
  sleep 0.1
done
curl -fs -o /dev/null "$PEER_URL/health" || die "the peer was not ready within 30 s"

# run facts
export DURATION WARMUP CONNECTIONS SCENARIOS TRIES PG_POOL_MAX LOAD_ARGS API_SNAPSHOT
node -e '
const fs = require("fs"), os = require("os");
const pg = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const v = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")).version; } catch { return null; } };
const meta = {
  stamp: process.argv[2], host: os.hostname(), cores: os.availableParallelism(), node: process.version,
  gitCommit: process.argv[3], apiSnapshot: process.env.API_SNAPSHOT === "head" ? "head" : process.env.API_SNAPSHOT === "1", durationS: +process.env.DURATION, warmupS: +process.env.WARMUP,
  connections: +process.env.CONNECTIONS, scenarios: process.env.SCENARIOS, tries: +process.env.TRIES,
  loadArgs: process.env.LOAD_ARGS || undefined,
  pgPoolMaxPeer: +process.env.PG_POOL_MAX, postgres: { version: pg.version, settings: pg.settings },
  emmett: v(process.argv[4] + "/peer-emmett/node_modules/@event-driven-io/emmett/package.json"),
  undici: v(process.argv[4] + "/node_modules/undici/package.json"),
  wrangler: v("node_modules/wrangler/package.json"),
};
fs.writeFileSync(process.argv[5], JSON.stringify(meta, null, 1) + "\n");
' "$RUN/pg.json" "$STAMP" "$GIT_COMMIT" "$PEER" "$META"
log "PostgreSQL $(node -p "JSON.parse(require('fs').readFileSync('$RUN/pg.json','utf8')).version") pid $POSTMASTER; API pid $API_PID; peer pid $PEER_PID"
log "writing $OUT"

# ---------------------------------------------------------------------------------------------
# measure CMD...: up to TRIES attempts; keeps the best (clean beats noisy/stalled/reloaded, then
# less foreign CPU), marks it, appends it to $OUT and prints it. All attempts -> $RAW.
#   noisy: other processes used > NOISE_MAX cores; stalled: max latency > STALL_MS (not for
#   hot*); apiReloads: wrangler reloaded the Worker during the attempt (source files changed).
reloads() { grep -c 'Reloading local server' "$RUN/api.log" 2>/dev/null || true; }
mark() { # line on stdin, reload count as $1 -> marked line, then its score on a second line
  STALL_MS=$STALL_MS NOISE_MAX=$NOISE_MAX RELOADS=$1 node -e '
    const d = JSON.parse(require("fs").readFileSync(0, "utf8")), f = d.cpu?.foreign ?? 0;
    d.noisy = f > +process.env.NOISE_MAX;
    d.stalled = !/hot|many-streams/.test(d.scenario) && (d.max ?? 0) > +process.env.STALL_MS;
    if (+process.env.RELOADS > 0) d.apiReloads = +process.env.RELOADS;
    console.log(JSON.stringify(d));
    console.log(f + (d.noisy || d.stalled || d.apiReloads ? 100 : 0));'
}
measure() {
  local best= bestk=999 k out line i r0 tmp=$RUN/attempt.out
  for ((i = 1; i <= TRIES; i++)); do
    wait_quiet
    r0=$(reloads)
    run_child "$tmp" "$@" || log "attempt $i exited non-zero"
    line=$(grep '^{' "$tmp" | tail -1 || true)
    [ -n "$line" ] || { log "no result from: $*"; continue; }
    out=$(printf '%s' "$line" | mark $(($(reloads) - r0)))
    line=$(head -1 <<<"$out"); k=$(tail -1 <<<"$out")
    echo "$line" >>"$RAW"
    if awk -v k="$k" -v b="$bestk" 'BEGIN{exit !(k<b)}'; then best=$line; bestk=$k; fi
    awk -v k="$k" 'BEGIN{exit !(k<100)}' && break
    [ "$i" -lt "$TRIES" ] && log "attempt $i noisy, stalled or reloaded (score $k); repeating"
  done
  [ -n "$best" ] || return 1
  echo "$best" | tee -a "$OUT"
}
load() { # adapter url label server_pid scenario
  measure node "$PEER/cpuwatch.mjs" --group server="$4" --group postgres="$POSTMASTER" -- \
    node "$PEER/load.mjs" --adapter "$1" --url "$2" --label "$3" --scenario "$5" \
    --duration "$DURATION" --warmup "$WARMUP" --connections "$CONNECTIONS" ${LOAD_ARGS:-}
}

for s in $SCENARIOS; do
  log "scenario $s: peer-emmett"
  load emmett "$PEER_URL" peer-emmett "$PEER_PID" "$s" || log "scenario $s: no result from the peer"
  log "scenario $s: tracktrace"
  load tracktrace "$API_URL" tracktrace "$API_PID" "$s" || log "scenario $s: no result from tracktrace"
done

MANY_RC=0
if [ "$MANY_STREAMS" -gt 0 ]; then
  log "many-streams-$MANY_STREAMS: tracktrace, concurrency $MANY_CONCURRENCY"
  wait_quiet
  r0=$(reloads)
  run_child "$RUN/attempt.out" node "$PEER/cpuwatch.mjs" --group server="$API_PID" --group postgres="$POSTMASTER" -- \
    node bench/many-streams.mjs --url "$API_URL" --streams "$MANY_STREAMS" --concurrency "$MANY_CONCURRENCY" || MANY_RC=$?
  line=$(grep '^{' "$RUN/attempt.out" | tail -1 || true)
  if [ -n "$line" ]; then
    line=$(printf '%s' "$line" | mark $(($(reloads) - r0)) | head -1)
    echo "$line" >>"$RAW"
    echo "$line" | tee -a "$OUT"
  else
    log "many-streams: no result"
    MANY_RC=1
  fi
  [ "$MANY_RC" = 0 ] || log "many-streams: some appends or read-backs FAILED (exit $MANY_RC)"
fi

# what the API's log says about the run (wrangler logs one line per request)
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
const status = {}; let errors = 0; const samples = [];
for (const l of lines) {
  const m = /^\[wrangler:\w+\] [A-Z]+ \S+ (\d{3})/.exec(l);
  if (m) status[m[1]] = (status[m[1]] ?? 0) + 1;
  else if (/error|exception|✘/i.test(l)) { errors++; if (samples.length < 3) samples.push(l.slice(0, 200)); }
}
console.error("bench: API log: responses by status " + JSON.stringify(status) + ", " + errors + " error-looking lines" + (samples.length ? ": " + JSON.stringify(samples) : ""));
' "$RUN/api.log" || true

echo
node bench/report.mjs "$OUT"
log "results: $OUT (all attempts: $RAW, run facts: $META)"
exit "$MANY_RC"
