#!/usr/bin/env bash
# Read-side benchmark of the Track & Trace API: rebuild throughput at 1,000,000 events, query
# latency (SQL and HTTP) over the built read models, and projection lag while load.mjs runs the
# `many` and `hot-any` scenarios. One run, one embedded PostgreSQL, one API; results in
# bench/results/<stamp>-read-side.jsonl (+ .explain.txt, .top.txt, .meta.json).
#
#   bash bench/read-side.sh                    # from the repo root (~20-25 min on this 2-core box)
#   LAG_RUNS=1 REBUILDS="status" bash bench/read-side.sh
#
# Steps: PostgreSQL (bench/postgres.ts, durable settings + pg_stat_statements) -> the API (npm start
# with DATABASE_URL, from `git archive HEAD` by default) -> bench/seed-million.mjs -> for each of
# REBUILDS: bench/rebuild.mjs (wrapped in cpuwatch: cores of server / postgres / foreign) ->
# bench/queries.mjs -> LAG_RUNS x (idle probe, then per LAG_SCENARIOS: load.mjs + concurrently
# bench/projection-lag.mjs) -> projection status. Every JSON line gets load1Before/load1After
# (/proc/loadavg) and, where wrapped, cpu. Ctrl-C or exit stops everything started here.
#
# env: PORT=8797  SOURCE=head (API from `git archive HEAD`; tree = a copy of the working tree)
#      SEED_EVENTS=1000000  REBUILDS="status timeline manifest"  STALL_S=60  REBUILD_TIMEOUT_S=900
#      QUERY_N=400 HTTP_N=200  LAG_RUNS=3 LAG_SCENARIOS="many hot-any" LAG_DURATION=15 (s of load)
#      LAG_RATE=10 (probes/s) LAG_POLL_MS=20  CONNECTIONS=16  QUIET_MAX=0.3 QUIET_WAIT=60
#      PEER_BENCH=../shared/peer-bench (load.mjs, cpuwatch.mjs; copied to BENCH_WORK/peer-bench)
#      BENCH_WORK=/tmp/tt-bench  KEEP_PG=0 (1: leave the data dir, e.g. to look at it afterwards)
#      PHASES="seed rebuild queries lag" (e.g. PHASES=lag: only the lag runs, on an empty store)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${PORT:-8797}
SOURCE=${SOURCE:-head}
SEED_EVENTS=${SEED_EVENTS:-1000000}
REBUILDS=${REBUILDS:-status timeline manifest}
STALL_S=${STALL_S:-60}
REBUILD_TIMEOUT_S=${REBUILD_TIMEOUT_S:-900}
QUERY_N=${QUERY_N:-400}
HTTP_N=${HTTP_N:-200}
LAG_RUNS=${LAG_RUNS:-3}
LAG_SCENARIOS=${LAG_SCENARIOS:-many hot-any}
LAG_DURATION=${LAG_DURATION:-15}
LAG_RATE=${LAG_RATE:-10}
LAG_POLL_MS=${LAG_POLL_MS:-20}
CONNECTIONS=${CONNECTIONS:-16}
QUIET_MAX=${QUIET_MAX:-0.3}
QUIET_WAIT=${QUIET_WAIT:-60}
PEER_BENCH=${PEER_BENCH:-$ROOT/../shared/peer-bench}
BENCH_WORK=${BENCH_WORK:-/tmp/tt-bench}
KEEP_PG=${KEEP_PG:-0}
PHASES=${PHASES:-seed rebuild queries lag}
has() { [[ " $PHASES " == *" $1 "* ]]; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
OUT=$RESULTS/$STAMP-read-side.jsonl
RUN=$BENCH_WORK/run-$STAMP
PEER=$BENCH_WORK/peer-bench
log() { echo "read-side: $(date -u +%H:%M:%S) $*" >&2; }
die() { log "$*"; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # stop_tree, start_postgres, busy_cores, wait_quiet

PG_PID= API_PID= CHILD_PID= BG_PID= POSTMASTER=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_tree background "$BG_PID" 3
  stop_tree child "$CHILD_PID" 3
  stop_tree api "$API_PID" 20
  if [ "$KEEP_PG" != 1 ]; then stop_tree postgres-helper "$PG_PID" 30; fi
  if [ "$KEEP_PG" != 1 ] && [ -n "$POSTMASTER" ] && kill -0 "$POSTMASTER" 2>/dev/null; then
    log "postmaster $POSTMASTER still running; fast shutdown"
    kill -INT "$POSTMASTER" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$POSTMASTER" 2>/dev/null || break; sleep 0.1; done
  fi
  [ "$KEEP_PG" = 1 ] || rm -rf "$RUN/pg" "$RUN/app" 2>/dev/null || true
  [ "$rc" = 0 ] || log "failed (exit $rc); logs in $RUN"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

loadavg() { cut -d' ' -f1 /proc/loadavg; }
# the API's workerd processes: a new pid during a step = wrangler restarted the Worker (local queue
# messages lost); recorded as workerdRestarted on the step's lines
wpids() { [ -n "$API_PID" ] || return 0; descendants "$API_PID" | xargs -r ps -o pid=,comm= -p 2>/dev/null | awk '$2=="workerd"{print $1}' | sort -n | tr '\n' ' '; }
W0=
# record FILE LOAD_BEFORE [extra json]: every JSON line of FILE + load1Before/After (+ extra) -> $OUT and stdout
record() {
  local f=$1 l0=$2 extra=${3:-}
  [ -n "$extra" ] || extra='{}'
  local w1; w1=$(wpids)
  [ "$w1" = "$W0" ] || log "the API's workerd processes changed during the step ($W0-> $w1): the Worker was restarted"
  grep '^{' "$f" | L0=$l0 L1=$(loadavg) EXTRA=$extra RESTARTED=$([ "$w1" = "$W0" ] && echo 0 || echo 1) node -e '
    const lines = require("fs").readFileSync(0, "utf8").trim().split("\n").filter(Boolean);
    for (const l of lines) console.log(JSON.stringify({ ...JSON.parse(l), ...JSON.parse(process.env.EXTRA), load1Before: +process.env.L0, load1After: +process.env.L1,
      ...(process.env.RESTARTED === "1" ? { workerdRestarted: true } : {}) }));
  ' | tee -a "$OUT"
  W0=$w1
}
run_child() { # outfile cmd...  (own process group, interruptible)
  local out=$1 rc=0; shift
  setsid "$@" >"$out" 2>>"$RUN/steps.log" &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
[ -f "$PEER_BENCH/load.mjs" ] || die "peer benchmark not found at $PEER_BENCH"
mkdir -p "$PEER" "$RESULTS" "$RUN"
chmod 755 "$BENCH_WORK" "$RUN"
(cd "$PEER_BENCH" && tar --exclude=./node_modules --exclude=./peer-emmett/node_modules --exclude=./results -cf - .) | tar -C "$PEER" --no-same-owner -xf -
chmod -R u+w "$PEER"
sum=$(sha256sum "$PEER/package-lock.json" | cut -d' ' -f1)
if [ ! -d "$PEER/node_modules" ] || [ "$(cat "$PEER/node_modules/.bench-lock" 2>/dev/null)" != "$sum" ]; then
  log "npm ci in $PEER"
  (cd "$PEER" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$sum" >"$PEER/node_modules/.bench-lock"
fi
curl -s -o /dev/null "http://127.0.0.1:$PORT/" && die "port $PORT is in use"

# 1. PostgreSQL with pg_stat_statements
log "starting PostgreSQL (run dir $RUN)"
start_postgres "shared_preload_libraries=pg_stat_statements pg_stat_statements.track=top track_io_timing=on"
export DATABASE_URL=$PG_BASE/tracktrace

# 2. the API, from HEAD (default) or a copy of the working tree
GIT_COMMIT=$(git rev-parse --short HEAD)
APP=$RUN/app
mkdir -p "$APP"
if [ "$SOURCE" = head ]; then
  git archive HEAD | tar -C "$APP" -xf -
else
  tar -C "$ROOT" --exclude=./node_modules --exclude=./.git --exclude=./.data --exclude=./.wrangler --exclude=./bench/results --exclude=./coverage -cf - . | tar -C "$APP" -xf -
  git diff --quiet HEAD -- src migrations wrangler.toml scripts package.json || GIT_COMMIT=$GIT_COMMIT-dirty
fi
# node_modules as hard links, not a symlink: wrangler dev rebuilds and restarts the Worker when a file
# it bundled changes, and a restart drops the local queues' messages (a rebuild's chain with them).
# Another engineer's `npm i` in the repo replaces files there; the linked copy keeps the old ones.
cp -al "$ROOT/node_modules" "$APP/node_modules"
# generated files git leaves out (Scalar's bundle for /docs), as npm install makes them
(cd "$APP" && node src/ops/vendor/build.mjs >/dev/null)
export TRACKTRACE_DATA_DIR=$RUN/api
API_URL=http://127.0.0.1:$PORT
log "starting the API on :$PORT from $SOURCE ($GIT_COMMIT)"
(cd "$APP" && PORT=$PORT WRANGLER_LOG_LEVEL=warn exec setsid npm start >"$RUN/api.log" 2>&1) &
API_PID=$!
for _ in $(seq 1 1200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$API_URL/health/ready" || true)" = 200 ] && break
  kill -0 "$API_PID" 2>/dev/null || { tail -40 "$RUN/api.log" >&2; die "the API exited during start"; }
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$API_URL/health/ready" || true)" = 200 ] || die "the API was not ready within 120 s"
TRACKTRACE_TOKEN=$(cd "$APP" && npm run --silent token -- --tenant bench --scope "tracking:read tracking:write tracking:operator")
PARTNER_TOKEN=$(cd "$APP" && npm run --silent token -- --tenant bench --scope "tracking:read" --carriers LA)
export TRACKTRACE_TOKEN PARTNER_TOKEN
node -e '
  const pg = require("pg"); const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  c.connect().then(() => c.query("create extension if not exists pg_stat_statements")).then(() => c.end());'

export GIT_COMMIT STAMP SOURCE PHASES SEED_EVENTS REBUILDS STALL_S QUERY_N HTTP_N LAG_RUNS LAG_SCENARIOS LAG_DURATION LAG_RATE LAG_POLL_MS CONNECTIONS
node -e '
const fs = require("fs"), os = require("os"), { execSync } = require("child_process");
const pg = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const v = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")).version; } catch { return null; } };
fs.writeFileSync(process.argv[2], JSON.stringify({
  stamp: process.env.STAMP, gitCommit: process.env.GIT_COMMIT, source: process.env.SOURCE, host: os.hostname(), cores: os.availableParallelism(),
  memory: execSync("free -h").toString(), cpu: os.cpus()[0]?.model, node: process.version, kernel: os.release(),
  postgres: { version: pg.version, settings: pg.settings }, wrangler: v("node_modules/wrangler/package.json"),
  knobs: Object.fromEntries(["PHASES","SEED_EVENTS","REBUILDS","STALL_S","QUERY_N","HTTP_N","LAG_RUNS","LAG_SCENARIOS","LAG_DURATION","LAG_RATE","LAG_POLL_MS","CONNECTIONS"].map((k) => [k, process.env[k]])),
}, null, 1) + "\n");' "$RUN/pg.json" "$RESULTS/$STAMP-read-side.meta.json"
log "PostgreSQL pid $POSTMASTER, API pid $API_PID; writing $OUT"

# 3. seed
if has seed; then
wait_quiet
l0=$(loadavg); W0=$(wpids)
log "seeding $SEED_EVENTS events"
run_child "$RUN/step.out" node bench/seed-million.mjs --events "$SEED_EVENTS"
record "$RUN/step.out" "$l0"
fi

# 4. rebuilds, one at a time
has rebuild || REBUILDS=
for name in $REBUILDS; do
  wait_quiet
  l0=$(loadavg); W0=$(wpids)
  log "rebuild $name"
  # a look at the processes 30 s in
  (sleep 30; { echo "=== rebuild $name, 30 s in ($(date -u +%T))"; top -b -d 5 -n 2 -w 200 | awk '/^top -/{n++} n==2' | head -25; } >>"$RESULTS/$STAMP-read-side.top.txt") &
  BG_PID=$!
  rc=0
  run_child "$RUN/step.out" node "$PEER/cpuwatch.mjs" --group server="$API_PID" --group postgres="$POSTMASTER" -- \
    node bench/rebuild.mjs --url "$API_URL" --name "$name" --poll-ms 2000 --stall-s "$STALL_S" --timeout-s "$REBUILD_TIMEOUT_S" --db "$DATABASE_URL" || rc=$?
  stop_tree background "$BG_PID" 1; BG_PID=
  record "$RUN/step.out" "$l0"
  [ "$rc" = 0 ] || log "rebuild $name: exit $rc (3 = stalled or timed out); see the line above"
done

# 5. queries
if has queries; then
wait_quiet
l0=$(loadavg); W0=$(wpids)
log "queries (SQL x $QUERY_N, HTTP x $HTTP_N per class)"
run_child "$RUN/step.out" node bench/queries.mjs --url "$API_URL" --n "$QUERY_N" --http-n "$HTTP_N" --explain-out "$RESULTS/$STAMP-read-side.explain.txt" || log "queries: exit $?"
record "$RUN/step.out" "$l0"
fi

# 6. projection lag: idle, then under each load scenario (pg_stat_statements top per scenario)
has lag || LAG_RUNS=0
for ((run = 1; run <= LAG_RUNS; run++)); do
  wait_quiet
  l0=$(loadavg); W0=$(wpids)
  log "lag run $run: idle"
  run_child "$RUN/step.out" node bench/projection-lag.mjs --url "$API_URL" --rate "$LAG_RATE" --poll-ms "$LAG_POLL_MS" --duration 10 --label idle
  record "$RUN/step.out" "$l0" "{\"run\":$run}"
  for s in $LAG_SCENARIOS; do
    wait_quiet
    l0=$(loadavg); W0=$(wpids)
    log "lag run $run: $s"
    node bench/pgtop.mjs reset
    setsid node "$PEER/cpuwatch.mjs" --group server="$API_PID" --group postgres="$POSTMASTER" -- \
      node "$PEER/load.mjs" --adapter tracktrace --url "$API_URL" --label tracktrace --scenario "$s" \
      --duration "$LAG_DURATION" --warmup 1 --connections "$CONNECTIONS" >"$RUN/load.out" 2>>"$RUN/steps.log" &
    BG_PID=$!
    sleep 2 # load.mjs warm-up (1 s) plus its start
    run_child "$RUN/step.out" node bench/projection-lag.mjs --url "$API_URL" --rate "$LAG_RATE" --poll-ms "$LAG_POLL_MS" \
      --duration $((LAG_DURATION - 2)) --label "$s"
    wait "$BG_PID" || log "load.mjs $s exited non-zero"
    BG_PID=
    record "$RUN/load.out" "$l0" "{\"run\":$run,\"with\":\"lag-$s\"}"
    record "$RUN/step.out" "$l0" "{\"run\":$run}"
    node bench/pgtop.mjs top --label "lag-$s" >"$RUN/step.out" || true
    record "$RUN/step.out" "$l0" "{\"run\":$run}"
  done
done

# 7. what the API says about its read models at the end
curl -s -H "authorization: Bearer $TRACKTRACE_TOKEN" "$API_URL/v1/admin/projections" >"$RUN/step.out" || true
node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(JSON.stringify({ scenario: "projections-at-end", items: j.items?.map((i) => ({ name: i.name, state: i.state, generation: i.generation, lag: i.lag, backlog: i.backlog, deadLetters: i.deadLetters, lastRebuild: i.lastRebuild })) ?? j }));' "$RUN/step.out" >"$RUN/step.json" || true
record "$RUN/step.json" "$(loadavg)"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
let errors = 0; const samples = [];
for (const l of lines) if (/error|exception|✘|stall/i.test(l)) { errors++; if (samples.length < 8) samples.push(l.slice(0, 240)); }
console.error("read-side: API log: " + errors + " error-looking lines" + (samples.length ? ":\n  " + samples.join("\n  ") : ""));
' "$RUN/api.log" || true
log "results: $OUT"
