#!/usr/bin/env bash
# Track & Trace API vs the peer event store (Emmett 0.42 on PostgreSQL), side by side in one run.
#
#   npm run bench                                   # from the repo root
#   DURATION=3 SCENARIOS="many hot-any" npm run bench
#
# env: DURATION=10 (measured seconds per scenario, after WARMUP=1)  CONNECTIONS=16
#      SCENARIOS="many many-tracked hot-any hot read commands-one commands-many"
#        (load.mjs scenarios; commands-*: bench/commands.mjs)       TRIES=3 (attempts when noisy)
#      LOAD_ARGS="" (extra load.mjs args for both sides, e.g. "--streams 100")
#      COMMAND_ARGS="" (extra bench/commands.mjs args for both sides, e.g. "--shipments 1000")
#      CMD_RETRY=true (the peer's Emmett CommandHandler retry.onVersionConflict; see bench/peer-commands.mjs)
#      PG_STATS=0 (1: pg_stat_statements on; the top 8 statements of each kept attempt go to the results)
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
# server / postgres / load client / other processes); ours keeps being measured after the load
# ends until its projections applied everything (the outbox is empty, at most 30 s). Around each
# attempt bench/pgcount.mjs reads the committed events, the WAL position and the CPU ticks of the
# Postgres and server trees: every line gets events, walBytes, walPerEvent, pgMsPerEvent,
# serverMsPerEvent. The commands-* scenarios run bench/commands.mjs against our API and against
# bench/peer-commands.mjs (Emmett's CommandHandler, a second peer server on the emmett database).
# Then bench/many-streams.mjs appends one event to each of MANY_STREAMS new shipment streams on
# our API. Every kept JSON line goes to
# bench/results/<UTC stamp>.jsonl (all attempts: .raw.jsonl, run facts: .meta.json); the end
# prints bench/report.mjs tables. Ctrl-C / exit stops everything this script started.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-16}
SCENARIOS=${SCENARIOS:-many many-tracked hot-any hot read commands-one commands-many}
TRIES=${TRIES:-3}
PG_POOL_MAX=${PG_POOL_MAX:-10}
MANY_STREAMS=${MANY_STREAMS:-5000}
MANY_CONCURRENCY=${MANY_CONCURRENCY:-64}
LOAD_ARGS=${LOAD_ARGS:-}
COMMAND_ARGS=${COMMAND_ARGS:-}
CMD_RETRY=${CMD_RETRY:-true}
PG_STATS=${PG_STATS:-0}
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

log() { echo "bench: $*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # stop_tree, start_postgres, start_api, run_child, ...

# ---------------------------------------------------------------------------------------------
# process bookkeeping: everything long-lived is started with setsid (own process group, pgid = pid,
# out of reach of the terminal's Ctrl-C) so it can be stopped in order, by its id.
PEER_PID= PEER_CMD_PID=
stop_all() {
  stop_tree load "$CHILD_PID" 3
  stop_tree peer-commands "$PEER_CMD_PID" 5
  stop_tree peer "$PEER_PID" 5
  stop_api
  stop_postgres 20
  rm -rf "$RUN/pg" "$RUN/api/wrangler" "$RUN/app" 2>/dev/null || true
}
on_exit stop_all

wait_health() { # url pid logfile what: until url/health answers (≤ 30 s)
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$1/health" && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "$4 exited during start"; }
    sleep 0.1
  done
  curl -fs -o /dev/null "$1/health" || die "$4 was not ready within 30 s"
}

# ---------------------------------------------------------------------------------------------
# peer benchmark: copy (the directory is read-only) and install once per lock file
peer_bench load.mjs peer-emmett # -> PEER, the run-time copy

# ---------------------------------------------------------------------------------------------
# 1. PostgreSQL (databases tracktrace + emmett)
log "starting PostgreSQL (run dir $RUN)"
if [ "$PG_STATS" = 1 ]; then
  start_postgres "shared_preload_libraries=pg_stat_statements pg_stat_statements.track=all"
  pg_stat_statements_on "$PG_BASE/tracktrace" "$PG_BASE/emmett"
else
  start_postgres
fi

# 2. our API (npm start with DATABASE_URL; own data dir, so the dev signing key is per run).
# API_SNAPSHOT=1 (default): from a copy of the working tree taken now, so edits to src/ during
# the run do not make wrangler reload the Worker mid-measurement; head: `git archive HEAD`; 0: in place.
case $API_SNAPSHOT in head) app_snapshot head ;; 1) app_snapshot tree-symlink ;; *) app_snapshot in-place ;; esac
API_PORT=$(free_port)
log "starting the Track & Trace API on :$API_PORT"
start_api "$API_PORT" "$PG_BASE/tracktrace"
TRACKTRACE_TOKEN=$(api_token bench "tracking:read tracking:write")
export TRACKTRACE_TOKEN

# 3. the peer
PEER_PORT=$(free_port)
PEER_URL=http://127.0.0.1:$PEER_PORT
log "starting peer-emmett on :$PEER_PORT (PG_POOL_MAX=$PG_POOL_MAX)"
(cd "$PEER/peer-emmett" && DATABASE_URL=$PG_BASE/emmett PORT=$PEER_PORT PG_POOL_MAX=$PG_POOL_MAX PROJECTION=0 \
  exec setsid node server.mjs >"$RUN/peer.log" 2>&1) &
PEER_PID=$!
wait_health "$PEER_URL" "$PEER_PID" "$RUN/peer.log" "the peer"

# 3b. the peer's command handler (only for commands-* scenarios): bench/peer-commands.mjs next to the
# installed Emmett (it imports it by bare name), after the first peer migrated the schema
if [[ " $SCENARIOS " == *" commands-"* ]]; then
  cp bench/peer-commands.mjs "$PEER/peer-emmett/bench-commands.mjs"
  PEER_CMD_PORT=$(free_port)
  PEER_CMD_URL=http://127.0.0.1:$PEER_CMD_PORT
  log "starting peer-emmett commands on :$PEER_CMD_PORT (PG_POOL_MAX=$PG_POOL_MAX, CMD_RETRY=$CMD_RETRY)"
  (cd "$PEER/peer-emmett" && DATABASE_URL=$PG_BASE/emmett PORT=$PEER_CMD_PORT PG_POOL_MAX=$PG_POOL_MAX CMD_RETRY=$CMD_RETRY \
    exec setsid node bench-commands.mjs >"$RUN/peer-commands.log" 2>&1) &
  PEER_CMD_PID=$!
  wait_health "$PEER_CMD_URL" "$PEER_CMD_PID" "$RUN/peer-commands.log" "the peer's command server"
fi

# run facts
export DURATION WARMUP CONNECTIONS SCENARIOS TRIES PG_POOL_MAX LOAD_ARGS COMMAND_ARGS API_SNAPSHOT CMD_RETRY PG_STATS
node -e '
const fs = require("fs"), os = require("os");
const pg = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const v = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")).version; } catch { return null; } };
const meta = {
  stamp: process.argv[2], host: os.hostname(), cores: os.availableParallelism(), node: process.version,
  gitCommit: process.argv[3], apiSnapshot: process.env.API_SNAPSHOT === "head" ? "head" : process.env.API_SNAPSHOT === "1", durationS: +process.env.DURATION, warmupS: +process.env.WARMUP,
  connections: +process.env.CONNECTIONS, scenarios: process.env.SCENARIOS, tries: +process.env.TRIES,
  loadArgs: process.env.LOAD_ARGS || undefined, commandArgs: process.env.COMMAND_ARGS || undefined,
  peerCmdRetry: /commands-/.test(process.env.SCENARIOS) ? process.env.CMD_RETRY : undefined, pgStats: process.env.PG_STATS === "1",
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
#   hot* and commands-one); apiReloads: wrangler reloaded the Worker during the attempt.
# The side is described by globals set by the caller (side_ours / side_peer):
#   M_DB: its database URL; M_TABLE: where its events are (ours `events`, Emmett `emt_messages`);
#   M_SERVER: root pid of its server tree; M_DRAIN: our database URL when the attempt must wait
#   for the outbox to drain (ours), else empty; M_SIDE: label for pg_stat_statements lines.
reloads() { grep -c 'Reloading local server' "$RUN/api.log" 2>/dev/null || true; }
mark() { # line on stdin, reload count as $1 -> marked line, then its score on a second line
  STALL_MS=$STALL_MS NOISE_MAX=$NOISE_MAX RELOADS=$1 node -e '
    const d = JSON.parse(require("fs").readFileSync(0, "utf8")), f = d.cpu?.foreign ?? 0;
    d.noisy = f > +process.env.NOISE_MAX;
    d.stalled = !/hot|many-streams|commands-one/.test(d.scenario) && (d.max ?? 0) > +process.env.STALL_MS;
    if (+process.env.RELOADS > 0) d.apiReloads = +process.env.RELOADS;
    if (d.outboxLeft > 0) d.outboxNotDrained = true;
    console.log(JSON.stringify(d));
    console.log(f + (d.noisy || d.stalled || d.apiReloads || d.outboxNotDrained ? 100 : 0));'
}
side_ours() { M_DB=$PG_BASE/tracktrace M_TABLE=events M_SERVER=$1 M_DRAIN=$PG_BASE/tracktrace M_SIDE=tracktrace; }
side_peer() { M_DB=$PG_BASE/emmett M_TABLE=emt_messages M_SERVER=$1 M_DRAIN= M_SIDE=peer-emmett; }
snap() { # before|after [--reset-stats] -> events, WAL position, CPU ticks of the Postgres and server trees (JSON)
  node bench/pgcount.mjs snap --when "$1" --db "$M_DB" --table "$M_TABLE" --postmaster "$POSTMASTER" --server "$M_SERVER" "${@:2}"
}
# watch_cmd: the command line an attempt's CMD runs in: cpuwatch (server = $M_SERVER, postgres =
# the postmaster); with M_DRAIN, CMD is followed (still watched) by waiting until the outbox is
# empty, so the projections' Postgres work counts for the attempt that caused it. The drain writes
# nothing to stdout: the load generator's JSON line stays the last one. Exit code: CMD's.
watch_cmd() {
  WATCH=(node "$PEER/cpuwatch.mjs" --group server="$M_SERVER" --group postgres="$POSTMASTER" --)
  if [ -n "$M_DRAIN" ]; then
    WATCH+=(sh -c 'db=$1 out=$2; shift 2; "$@"; rc=$?; node bench/pgcount.mjs drain --db "$db" --out "$out" >&2; exit $rc'
      drained "$M_DRAIN" "$RUN/drain.json")
  fi
}
# attempt CMD...: one watched run between two snapshots -> ATTEMPT_LINE (marked JSON line, empty if
# none), ATTEMPT_SCORE, ATTEMPT_RC; with PG_STATS=1 the statements of the attempt -> $RUN/pgtop.json
attempt() {
  local tmp=$RUN/attempt.out r0 line out
  ATTEMPT_LINE= ATTEMPT_SCORE=999 ATTEMPT_RC=0
  r0=$(reloads)
  rm -f "$RUN/drain.json" "$RUN/pgtop.json"
  # (PG_STATS=1: the snapshot also resets pg_stat_statements, before it reads the CPU ticks)
  snap before $([ "$PG_STATS" = 1 ] && echo --reset-stats) >"$RUN/before.json" || { log "snapshot before the attempt failed"; ATTEMPT_RC=1; return 0; }
  watch_cmd
  run_child "$tmp" "${WATCH[@]}" "$@" || ATTEMPT_RC=$?
  snap after >"$RUN/after.json" || { log "snapshot after the attempt failed"; ATTEMPT_RC=1; return 0; }
  line=$(grep '^{' "$tmp" | tail -1 || true)
  [ -n "$line" ] || return 0
  line=$(printf '%s' "$line" | node bench/pgcount.mjs merge --before "$RUN/before.json" --after "$RUN/after.json" \
    ${M_DRAIN:+--drain "$RUN/drain.json"})
  out=$(printf '%s' "$line" | mark $(($(reloads) - r0)))
  ATTEMPT_LINE=$(head -1 <<<"$out"); ATTEMPT_SCORE=$(tail -1 <<<"$out")
  if [ "$PG_STATS" = 1 ]; then
    node bench/pgtop.mjs --db "$M_DB" top --n 8 --label "$M_SIDE" |
      SIDE=$M_SIDE SCEN=$(node -p 'JSON.parse(process.argv[1]).scenario' "$ATTEMPT_LINE") node -e '
        const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
        console.log(JSON.stringify({ scenario: `pgtop-${process.env.SIDE}-${process.env.SCEN}`, pgtop: { side: process.env.SIDE, scenario: process.env.SCEN }, totalMs: d.totalMs, statements: d.statements }));' \
      >"$RUN/pgtop.json" || log "pg_stat_statements top failed"
  fi
  return 0
}
measure() {
  local best= bestk=999 i
  for ((i = 1; i <= TRIES; i++)); do
    wait_quiet
    attempt "$@"
    [ "$ATTEMPT_RC" = 0 ] || log "attempt $i exited non-zero ($ATTEMPT_RC)"
    [ -n "$ATTEMPT_LINE" ] || { log "no result from: $*"; continue; }
    echo "$ATTEMPT_LINE" >>"$RAW"
    if awk -v k="$ATTEMPT_SCORE" -v b="$bestk" 'BEGIN{exit !(k<b)}'; then
      best=$ATTEMPT_LINE; bestk=$ATTEMPT_SCORE
      rm -f "$RUN/pgtop.best.json"
      [ -s "$RUN/pgtop.json" ] && mv "$RUN/pgtop.json" "$RUN/pgtop.best.json"
    fi
    awk -v k="$ATTEMPT_SCORE" 'BEGIN{exit !(k<100)}' && break
    [ "$i" -lt "$TRIES" ] && log "attempt $i noisy, stalled, reloaded or not drained (score $ATTEMPT_SCORE); repeating"
  done
  [ -n "$best" ] || return 1
  echo "$best" | tee -a "$OUT"
  if [ -s "$RUN/pgtop.best.json" ]; then cat "$RUN/pgtop.best.json" >>"$OUT"; rm -f "$RUN/pgtop.best.json"; fi
}
load() { # adapter url label scenario (side_* set)
  measure node "$PEER/load.mjs" --adapter "$1" --url "$2" --label "$3" --scenario "$4" \
    --duration "$DURATION" --warmup "$WARMUP" --connections "$CONNECTIONS" ${LOAD_ARGS:-}
}
commands() { # adapter url label scenario (side_* set)
  measure node bench/commands.mjs --adapter "$1" --url "$2" --label "$3" --scenario "$4" \
    --duration "$DURATION" --warmup "$WARMUP" --connections "$CONNECTIONS" ${COMMAND_ARGS:-}
}

for s in $SCENARIOS; do
  case $s in
    commands-*) runner=commands peer_url=${PEER_CMD_URL:-} peer_pid=${PEER_CMD_PID:-} ;;
    *) runner=load peer_url=$PEER_URL peer_pid=$PEER_PID ;;
  esac
  log "scenario $s: peer-emmett"
  side_peer "$peer_pid"
  $runner emmett "$peer_url" peer-emmett "$s" || log "scenario $s: no result from the peer"
  log "scenario $s: tracktrace"
  side_ours "$API_PID"
  $runner tracktrace "$API_URL" tracktrace "$s" || log "scenario $s: no result from tracktrace"
done

MANY_RC=0
if [ "$MANY_STREAMS" -gt 0 ]; then
  log "many-streams-$MANY_STREAMS: tracktrace, concurrency $MANY_CONCURRENCY"
  wait_quiet
  side_ours "$API_PID"
  attempt node bench/many-streams.mjs --url "$API_URL" --streams "$MANY_STREAMS" --concurrency "$MANY_CONCURRENCY"
  MANY_RC=$ATTEMPT_RC
  if [ -n "$ATTEMPT_LINE" ]; then
    echo "$ATTEMPT_LINE" >>"$RAW"
    echo "$ATTEMPT_LINE" | tee -a "$OUT"
    if [ -s "$RUN/pgtop.json" ]; then cat "$RUN/pgtop.json" >>"$OUT"; fi
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
