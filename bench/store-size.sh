#!/usr/bin/env bash
# Cost against store size (issue 8, target 7): appends per second, PostgreSQL CPU and WAL per event,
# and reads of a 10,000-event stream, with 10,000, 1 million and 10 million stored events generated
# with SQL; index depth and sizes at each size. Nothing should degrade beyond the index depth.
#
#   bash bench/store-size.sh                          # from the repo root (~15-20 min on this 2-core box)
#   SIZES="10000" bash bench/store-size.sh            # a smoke run (~1.5 min)
#   SIZES="10000 1000000" bash bench/store-size.sh    # without the 10 M fill (~2.5 min)
#
# One embedded PostgreSQL (bench/postgres.ts: durable settings, shared_buffers=512MB) and one API
# (`npm start` with DATABASE_URL, from `git archive HEAD` by default). Migrations are applied, then
# bench/store-size.mjs long-stream writes the bench tenant's 10,000-event stream equipment-TUG-10K
# (SQL). For each size of SIZES (ascending, multiples of 10,000; the synthetic events, not counting the
# long stream and what the measurements append):
#   1. the API is stopped; store-size.mjs fill grows `events`/`streams` to that many synthetic events
#      (SQL, synchronous_commit off in that session only; all their indexes, keys included, dropped and rebuilt when the
#      fill at least doubles the table; schema checked unchanged; VACUUM (ANALYZE), so autovacuum does not
#      rewrite the new pages during the measurement; CHECKPOINT)
#   2. store-size.mjs guard: no rebuild in progress, so nothing reads the synthetic events into the read
#      models (they have no outbox rows; live projection only follows the outbox)
#   3. the API is started again (fresh connections, so plans are made against the analyzed tables)
#   4. a WARM_S-second `many` run (discarded), then load.mjs --scenario many (DURATION s, CONNECTIONS)
#      inside cpuwatch.mjs, between two snapshots (max global_position, pg_current_wal_lsn()):
#      pgCpuMsPerEvent = postgres cores × wallS × 1000 / events inserted during the attempt (from the
#      events table), the same for the server tree, walBytesPerEvent (until the load ends) and
#      walBytesPerEventSettled (until the projections applied them, outbox empty). Repeated (≤ TRIES)
#      when noisy (foreign > NOISE_MAX cores); the least noisy attempt is kept.
#   5. store-size.mjs reads: GET /v1/streams/equipment-TUG-10K/events, the whole stream in pages of
#      ~1000 (FULL_N times) and the newest page of 100 (NEWEST_N times), with page keys the stream's
#      object has not cached (so Postgres answers), plus the newest page repeated (the object's cache)
#   6. store-size.mjs depth: B-tree depth (pageinspect bt_metap, created and dropped again) and size of
#      every index of events and streams, table sizes
# Results: bench/results/<stamp>-store-size.jsonl (lines store-fill, store-many, store-reads,
# store-index, each with "size"; store-many-attempt for every attempt), .meta.json, and a table.
# Logs: $BENCH_WORK/run-<stamp>-store-size/. Ctrl-C or exit stops everything started here and deletes
# the PostgreSQL data (KEEP_PG=1 keeps it, and leaves PostgreSQL running for a look: stop it by its pid).
#
# env: SIZES="10000 1000000 10000000"  DURATION=10  CONNECTIONS=16  WARM_S=3  TRIES=2  NOISE_MAX=0.25
#      QUIET_MAX=0.3 QUIET_WAIT=60  DRAIN_WAIT=120  FULL_N=10 NEWEST_N=200  BENCH_SHARE=0.5 TENANTS=50
#      CHUNK=1000000 (events per INSERT)  SOURCE=head|tree  PORT (default: a free one)  API_LOG_LEVEL=warn
#      PEER_BENCH=../shared/peer-bench (load.mjs, cpuwatch.mjs)  BENCH_WORK=/tmp/tracktrace-bench  KEEP_PG=0
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SIZES=${SIZES:-10000 1000000 10000000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
WARM_S=${WARM_S:-3}
TRIES=${TRIES:-2}
NOISE_MAX=${NOISE_MAX:-0.25}
QUIET_MAX=${QUIET_MAX:-0.3}
QUIET_WAIT=${QUIET_WAIT:-60}
DRAIN_WAIT=${DRAIN_WAIT:-120}
FULL_N=${FULL_N:-10}
NEWEST_N=${NEWEST_N:-200}
BENCH_SHARE=${BENCH_SHARE:-0.5}
TENANTS=${TENANTS:-50}
CHUNK=${CHUNK:-1000000}
SOURCE=${SOURCE:-head}
PEER_BENCH=${PEER_BENCH:-$ROOT/../shared/peer-bench}
BENCH_WORK=${BENCH_WORK:-/tmp/tracktrace-bench}
KEEP_PG=${KEEP_PG:-0}
LONG_STREAM=equipment-TUG-10K
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
OUT=$RESULTS/$STAMP-store-size.jsonl
META=$RESULTS/$STAMP-store-size.meta.json
RUN=$BENCH_WORK/run-$STAMP-store-size
log() { echo "store-size: $(date -u +%H:%M:%S) $*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # stop_tree, start_postgres, start_api, run_child, ...

stop_all() {
  stop_tree child "$CHILD_PID" 5
  stop_api
  if [ "$KEEP_PG" = 1 ]; then
    [ -n "$POSTMASTER" ] && log "KEEP_PG=1: PostgreSQL still runs (helper pid $PG_PID, postmaster $POSTMASTER, $DATABASE_URL); stop it with kill $PG_PID"
  else
    stop_postgres 60 30
    rm -rf "$RUN/pg" "$RUN/app" "$RUN/api/wrangler" 2>/dev/null || true
  fi
}
on_exit stop_all
CHILD_LOG=$RUN/steps.log # run_child's stderr

ss() { node bench/store-size.mjs "$@"; } # quick helpers (snap, delta, depth, guard)
json() { node -e "$1" "${@:2}"; }
wait_drained() { # the projections have applied what the last step appended (outbox empty), ≤ DRAIN_WAIT s
  local n i
  for ((i = 0; i < DRAIN_WAIT * 2; i++)); do
    n=$(node -e 'const pg=require("pg");const c=new pg.Client({connectionString:process.env.DATABASE_URL});
      c.connect().then(()=>c.query("select count(*)::int as n from outbox")).then((r)=>{console.log(r.rows[0].n);return c.end()})') || return 0
    [ "$n" = 0 ] && return 0
    [ "$i" = 0 ] && log "waiting for the projections ($n outbox rows)..."
    sleep 0.5
  done
  log "outbox still has $n rows after ${DRAIN_WAIT}s; going on"
}
emit() { # json line -> $OUT and stdout
  printf '%s\n' "$1" | tee -a "$OUT"
}

# ---------------------------------------------------------------------------------------------
prev=0
for s in $SIZES; do
  [[ "$s" =~ ^[0-9]+$ ]] && [ $((s % 10000)) = 0 ] && [ "$s" -gt "$prev" ] || die "SIZES: ascending multiples of 10000 (got '$SIZES')"
  prev=$s
done
MAX_SIZE=$prev
[ $((CHUNK % 10000)) = 0 ] || die "CHUNK: a multiple of 10000"
mkdir -p "$BENCH_WORK"
# disk: ~430 bytes of heap and ~170 of indexes per event, the WAL of the fill, the index builds' sorts
need_kb=$((MAX_SIZE * 2 + 2000000))
avail_kb=$(df -Pk "$BENCH_WORK" | awk 'NR==2{print $4}')
log "disk: $((avail_kb / 1024 / 1024)) GiB free in $BENCH_WORK, ~$((need_kb / 1024 / 1024)) GiB needed for $MAX_SIZE events"
[ "$avail_kb" -gt "$need_kb" ] || die "not enough free disk in $BENCH_WORK (df -h $BENCH_WORK)"
peer_bench load.mjs # -> PEER, the run-time copy

# 1. PostgreSQL
log "starting PostgreSQL (run dir $RUN)"
start_postgres
export DATABASE_URL=$PG_BASE/tracktrace

# 2. the API's source: HEAD (default) or a copy of the working tree; node_modules hard-linked
app_snapshot "$SOURCE"
PORT=${PORT:-$(free_port)}
(cd "$APP" && "$ROOT/node_modules/.bin/tsx" scripts/migrate.ts >&2)

FACTS_DISK=$BENCH_WORK run_facts "$META" SIZES DURATION CONNECTIONS WARM_S TRIES NOISE_MAX FULL_N NEWEST_N BENCH_SHARE TENANTS CHUNK
log "PostgreSQL pid $POSTMASTER; writing $OUT"

# 3. the long stream (once; it stays the same stream at every size)
ss long-stream --stream "$LONG_STREAM" >"$RUN/step.out" 2>>"$RUN/steps.log" || die "long-stream failed (see $RUN/steps.log)"
emit "$(cat "$RUN/step.out")"

SYN=0
for size in $SIZES; do
  # 4a. fill (API down)
  stop_api
  log "size $size: filling events $SYN..$((size - 1)) with SQL"
  l0=$(loadavg)
  run_child "$RUN/step.out" node bench/store-size.mjs fill --from "$SYN" --to "$size" --chunk "$CHUNK" --bench-share "$BENCH_SHARE" --tenants "$TENANTS" ||
    { tail -20 "$RUN/steps.log" >&2; die "fill failed"; }
  SYN=$size
  emit "$(json 'const d=JSON.parse(process.argv[1]); console.log(JSON.stringify({...d, size:+process.argv[2], load1Before:+process.argv[3]}))' "$(grep '^{' "$RUN/step.out" | tail -1)" "$size" "$l0")"
  ss guard >"$RUN/step.out" 2>>"$RUN/steps.log" || { cat "$RUN/step.out" >&2; die "a projection rebuild is in progress: it would read the synthetic events"; }

  # 4b. the API, fresh; a short discarded `many` run to warm it
  log "size $size: starting the API on :$PORT"
  start_api "$PORT" "$DATABASE_URL"
  if [ -z "${TRACKTRACE_TOKEN:-}" ]; then # the first time
    TRACKTRACE_TOKEN=$(api_token bench "tracking:read tracking:write")
    export TRACKTRACE_TOKEN
  fi
  if [ "$WARM_S" -gt 0 ]; then
    run_child "$RUN/warm.out" node "$PEER/load.mjs" --adapter tracktrace --url "$API_URL" --scenario many --duration "$WARM_S" --warmup 0 --connections "$CONNECTIONS" || true
  fi

  # 4c. appends: load.mjs many in cpuwatch, between two snapshots
  best= bestk=999
  for ((try = 1; try <= TRIES; try++)); do
    wait_drained
    wait_quiet
    l0=$(loadavg)
    before=$(ss snap 2>>"$RUN/steps.log")
    log "size $size: many, ${DURATION}s x $CONNECTIONS connections (attempt $try)"
    run_child "$RUN/step.out" node "$PEER/cpuwatch.mjs" --group server="$API_PID" --group postgres="$POSTMASTER" -- \
      node "$PEER/load.mjs" --adapter tracktrace --url "$API_URL" --label "store-$size" --scenario many \
      --duration "$DURATION" --warmup 1 --connections "$CONNECTIONS" || log "load.mjs exited non-zero"
    after=$(ss delta --since "$before" 2>>"$RUN/steps.log")
    wait_drained
    settled=$(ss delta --since "$before" 2>>"$RUN/steps.log")
    line=$(grep '^{' "$RUN/step.out" | tail -1 || true)
    [ -n "$line" ] || { log "no result from load.mjs"; continue; }
    line=$(json '
      const [d, a, s] = process.argv.slice(1, 4).map((x) => JSON.parse(x));
      const c = d.cpu ?? {}, ev = a.eventsInserted, per = (cores) => ev && cores != null ? Math.round((cores * c.wallS * 1000 / ev) * 1000) / 1000 : null;
      console.log(JSON.stringify({ ...d, scenario: "store-many", size: +process.argv[4], attempt: +process.argv[5], appendsPerS: d.rps,
        eventsInserted: ev, pgCpuMsPerEvent: per(c.postgres), serverCpuMsPerEvent: per(c.server),
        walBytesPerEvent: ev ? Math.round(a.walBytes / ev) : null, walBytesPerEventSettled: s.eventsInserted ? Math.round(s.walBytes / s.eventsInserted) : null,
        walFpiPerEvent: ev && a.walFpi != null ? Math.round((a.walFpi / ev) * 100) / 100 : null,
        walRecordsPerEvent: ev && a.walRecords != null ? Math.round((a.walRecords / ev) * 10) / 10 : null,
        blocksHitPerEvent: ev ? Math.round(a.blksHit / ev) : null, blocksReadPerEvent: ev ? Math.round((a.blksRead / ev) * 100) / 100 : null,
        checkpointsDuring: a.checkpoints, autovacuumDuring: a.autovacuums, autoanalyzeDuring: a.autoanalyzes, commitsPerEvent: ev ? Math.round((a.commits / ev) * 100) / 100 : null, outboxAtEnd: a.outboxRows,
        noisy: (c.foreign ?? 0) > +process.argv[6], load1Before: +process.argv[7], load1After: +process.argv[8] }));
    ' "$line" "$after" "$settled" "$size" "$try" "$NOISE_MAX" "$l0" "$(loadavg)")
    printf '%s\n' "$line" | sed 's/"scenario":"store-many"/"scenario":"store-many-attempt"/' >>"$OUT"
    k=$(json 'const d=JSON.parse(process.argv[1]); console.log((d.cpu?.foreign ?? 0) + (d.errors ? 100 : 0))' "$line")
    if awk -v k="$k" -v b="$bestk" 'BEGIN{exit !(k<b)}'; then best=$line; bestk=$k; fi
    awk -v k="$k" -v n="$NOISE_MAX" 'BEGIN{exit !(k<=n)}' && break
    [ "$try" -lt "$TRIES" ] && log "attempt $try noisy or with errors (foreign $k); repeating"
  done
  [ -n "$best" ] && emit "$best"

  # 4d. reads of the long stream
  wait_drained
  wait_quiet
  log "size $size: reads of $LONG_STREAM"
  run_child "$RUN/step.out" node bench/store-size.mjs reads --api-url "$API_URL" --stream "$LONG_STREAM" --full-n "$FULL_N" --newest-n "$NEWEST_N" ||
    log "reads failed (see $RUN/steps.log)"
  line=$(grep '^{' "$RUN/step.out" | tail -1 || true)
  [ -n "$line" ] && emit "$(json 'const d=JSON.parse(process.argv[1]); console.log(JSON.stringify({...d, size:+process.argv[2]}))' "$line" "$size")"

  # 4e. index depth and sizes
  ss depth >"$RUN/step.out" 2>>"$RUN/steps.log" || log "depth failed"
  line=$(grep '^{' "$RUN/step.out" | tail -1 || true)
  [ -n "$line" ] && emit "$(json 'const d=JSON.parse(process.argv[1]); console.log(JSON.stringify({...d, size:+process.argv[2]}))' "$line" "$size")"
done

# 5. the API's log and the table
json '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
let errors = 0; const samples = [];
for (const l of lines) if (/error|exception|✘/i.test(l)) { errors++; if (samples.length < 5) samples.push(l.slice(0, 200)); }
console.error("store-size: API log: " + errors + " error-looking lines" + (samples.length ? ":\n  " + samples.join("\n  ") : ""));
' "$RUN/api.log" || true
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
const by = (s) => Object.fromEntries(rows.filter((r) => r.scenario === s).map((r) => [r.size, r]));
const fill = by("store-fill"), many = by("store-many"), reads = by("store-reads"), idx = by("store-index");
const f = (x, w) => String(x ?? "-").padStart(w);
const sizes = [...new Set(rows.filter((r) => r.size).map((r) => r.size))];
const H = ["size", "events", "fill s", "appends/s", "p50", "p99", "errors", "pg ms/ev", "srv ms/ev", "WAL B/ev", "FPI/ev", "blk hit/ev", "blk rd/ev", "full p50", "full p99", "full ev/s",
  "newest p50", "newest p99", "cached p50", "events MB"];
console.log("\n" + H.map((h) => f(h, 10)).join(" "));
for (const s of sizes) {
  const m = many[s] ?? {}, r = reads[s] ?? {}, i = idx[s]?.indexes ?? {}, c = m.cpu ?? {};
  console.log([s, fill[s]?.eventsTotal, fill[s]?.seconds, m.appendsPerS, m.p50, m.p99, m.errors, m.pgCpuMsPerEvent, m.serverCpuMsPerEvent, m.walBytesPerEvent,
    m.walFpiPerEvent, m.blocksHitPerEvent, m.blocksReadPerEvent, r.full?.p50, r.full?.p99, r.full?.eventsPerS, r.newest?.p50, r.newest?.p99, r.newestCached?.p50,
    idx[s]?.eventsTotalMb].map((x) => f(x, 10)).join(" "));
  if (idx[s]) console.log(`${" ".repeat(11)}B-tree depth (root to leaf) and size: ` + Object.entries(i).map(([n, x]) => `${n} ${x.depth ?? "?"} / ${x.mb} MB`).join(", "));
  if (m.cpu) console.log(`${" ".repeat(11)}cpu during many: server ${c.server} pg ${c.postgres} client ${c.client} foreign ${c.foreign} (wall ${c.wallS} s); WAL settled ${m.walBytesPerEventSettled} B/ev, ${m.walRecordsPerEvent} records/ev, checkpoints during: ${m.checkpointsDuring}, autovacuum/analyze of events+streams during: ${m.autovacuumDuring}/${m.autoanalyzeDuring}${m.noisy ? " NOISY" : ""}`);
}
console.log("latencies in ms; full = all 10,000 events of the long stream in pages of ~1,000, newest = its newest 100 (both from Postgres), cached = the newest page again (the object\x27s cache);\n" +
  "FPI/ev = full-page images written to WAL per appended event (the attempt starts right after the fill\x27s CHECKPOINT: the first change to each page after it logs the whole page); blk hit/rd = shared-buffer hits / reads outside shared_buffers per event");
' "$OUT" || true
log "results: $OUT (run facts: $META, logs: $RUN)"
