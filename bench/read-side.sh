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
API_LOG_LEVEL=warn # (not a knob here)
has() { [[ " $PHASES " == *" $1 "* ]]; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
OUT=$RESULTS/$STAMP-read-side.jsonl
RUN=$BENCH_WORK/run-$STAMP
log() { echo "read-side: $(date -u +%H:%M:%S) $*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # stop_tree, start_postgres, start_api, run_child, ...

BG_PID=
stop_all() {
  stop_tree background "$BG_PID" 3
  stop_tree child "$CHILD_PID" 3
  stop_api
  [ "$KEEP_PG" = 1 ] && return 0
  stop_postgres 30
  rm -rf "$RUN/pg" "$RUN/app" 2>/dev/null || true
}
on_exit stop_all
CHILD_LOG=$RUN/steps.log # run_child's stderr
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

# ---------------------------------------------------------------------------------------------
peer_bench load.mjs # -> PEER, the run-time copy
curl -s -o /dev/null "http://127.0.0.1:$PORT/" && die "port $PORT is in use"

# 1. PostgreSQL with pg_stat_statements
log "starting PostgreSQL (run dir $RUN)"
start_postgres "shared_preload_libraries=pg_stat_statements pg_stat_statements.track=top track_io_timing=on"
export DATABASE_URL=$PG_BASE/tracktrace

# 2. the API, from HEAD (default) or a copy of the working tree (node_modules hard-linked: see lib.sh)
app_snapshot "$SOURCE"
log "starting the API on :$PORT from $SOURCE ($GIT_COMMIT)"
start_api "$PORT" "$DATABASE_URL"
TRACKTRACE_TOKEN=$(api_token bench "tracking:read tracking:write tracking:operator")
PARTNER_TOKEN=$(api_token bench "tracking:read" --carriers LA)
export TRACKTRACE_TOKEN PARTNER_TOKEN
pg_stat_statements_on "$DATABASE_URL"

run_facts "$RESULTS/$STAMP-read-side.meta.json" PHASES SEED_EVENTS REBUILDS STALL_S QUERY_N HTTP_N LAG_RUNS LAG_SCENARIOS LAG_DURATION LAG_RATE LAG_POLL_MS CONNECTIONS
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
