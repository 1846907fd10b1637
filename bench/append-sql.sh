#!/usr/bin/env bash
# Postgres' own share of an append, without any server: pgbench calls our append functions and
# Emmett's emt_append_to_stream (the peer's) directly, one new stream per call, 8 clients, and the
# Postgres process tree's CPU ticks and the WAL position tell what each committed event cost.
#
#   bash bench/append-sql.sh                 # ~3 min
#   DURATION=5 ROUNDS=1 bash bench/append-sql.sh
#
# env: DURATION=10 ROUNDS=2 CLIENTS=8 (variants alternate within each round)
# Needs pgbench (Debian: apt-get install postgresql-client) and ../shared/peer-bench (the peer's schema).
# Variants: rendered = tt_append_rendered (before issue 8), fast = tt_append_fast (one group),
# batch8 = tt_append_batch with 8 streams' groups per call (what a pool shard sends under load),
# peer = emt_append_to_stream. Results: bench/results/<stamp>-append-sql.jsonl.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DURATION=${DURATION:-10} ROUNDS=${ROUNDS:-2} CLIENTS=${CLIENTS:-8}
PEER_BENCH=${PEER_BENCH:-$ROOT/../shared/peer-bench}
BENCH_WORK=${BENCH_WORK:-/tmp/tracktrace-bench}
QUIET_WAIT=${QUIET_WAIT:-60} QUIET_MAX=${QUIET_MAX:-0.25}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
RUN=$BENCH_WORK/run-$STAMP-sql
OUT=$RESULTS/$STAMP-append-sql.jsonl
log() { echo "append-sql: $*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v pgbench >/dev/null || die "pgbench not found (Debian: apt-get install postgresql-client)"

PG_PID= POSTMASTER= PEER_PID=
stop_all() { stop_tree peer "$PEER_PID" 5; stop_postgres 20; rm -rf "$RUN/pg" "$RUN/sql"; }
on_exit stop_all
peer_bench load.mjs peer-emmett
start_postgres
DB=$PG_BASE/tracktrace
DATABASE_URL=$DB node_modules/.bin/tsx scripts/migrate.ts >&2
# the peer's schema: Emmett creates it on its first append
PORT=$(free_port)
(cd "$PEER/peer-emmett" && DATABASE_URL=$PG_BASE/emmett PORT=$PORT PROJECTION=0 exec setsid node server.mjs >"$RUN/peer.log" 2>&1) &
PEER_PID=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
curl -fs -o /dev/null -X POST -H 'content-type: application/json' "http://127.0.0.1:$PORT/streams/warm-1/events" \
  -d '{"expectedVersion":null,"events":[{"type":"ShipmentStatusRecorded","data":{"code":"FOH"}}]}' || die "the peer did not create its schema"
stop_tree peer "$PEER_PID" 5
PEER_PID=

mkdir -p "$RUN/sql"
EVENT="jsonb_build_object('id', gen_random_uuid(), 'type', 'ShipmentStatusRecorded', 'schemaVersion', 1, 'location', 'LIM', 'occurredAt', now(), 'metadata', '{}'::jsonb, 'data', jsonb_build_object('code', 'FOH', 'pieces', 3, 'weightKg', 40))"
REQ="jsonb_build_array(jsonb_build_object('expected', 'any', 'events', jsonb_build_array($EVENT)))"
printf '\\set n random(1, 1000000000)\nselect tt_append_rendered(%s, %s, %s, %s);\n' "'bench'" "'shipment-045-' || :n" "'shipment'" "$REQ" >"$RUN/sql/rendered.sql"
printf '\\set n random(1, 1000000000)\nselect tt_append_fast(%s, %s, %s, %s);\n' "'bench'" "'shipment-045-' || :n" "'shipment'" "$REQ" >"$RUN/sql/fast.sql"
printf '\\set n random(1, 1000000000)\nselect tt_append_batch((select jsonb_agg(jsonb_build_object(%s, %s, %s, %s, %s, %s, %s, %s)) from generate_series(1, 8) k));\n' \
  "'tenantId'" "'bench'" "'streamId'" "'shipment-045-' || (:n + k)" "'entityType'" "'shipment'" "'requests'" "$REQ" >"$RUN/sql/batch8.sql"
# pgbench reads :name as a variable, so the peer's partition name is built with chr(58)
printf '\\set n random(1, 1000000000)\nselect * from emt_append_to_stream(array[gen_random_uuid()::text], array[%s], array[%s], array[%s], array[%s], array[%s], %s, %s, null::bigint, %s);\n' \
  "jsonb_build_object('code', 'FOH', 'pieces', 3, 'weightKg', 40)" "'{}'::jsonb" "'1'" "'ShipmentStatusRecorded'" "'E'" \
  "'shipment-045-' || :n" "'bench'" "'emt' || chr(58) || 'default'" >"$RUN/sql/peer.sql"

ticks() { # CPU ticks of the postmaster and its backends, exited ones included
  { awk '{print $14+$15+$16+$17}' "/proc/$POSTMASTER/stat"; for p in $(pgrep -P "$POSTMASTER"); do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || true; done; } | awk '{s+=$1} END {print s}'
}
lsn() { psql -qAt "$1" -c "select pg_current_wal_insert_lsn()"; }
measure() { # variant db events_per_call
  local v=$1 db=$2 per=$3 w0 w1 t0 t1 out tx wal
  wait_quiet
  w0=$(lsn "$db"); t0=$(ticks)
  out=$(pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$RUN/sql/$v.sql" "$db" 2>&1) || { echo "$out" >&2; die "pgbench $v failed"; }
  sleep 0.5 # exited backends are reaped into the postmaster's children time
  t1=$(ticks); w1=$(lsn "$db")
  tx=$(awk '/actually processed/ {split($NF, a, "/"); print a[1]}' <<<"$out")
  wal=$(psql -qAt "$db" -c "select pg_wal_lsn_diff('$w1', '$w0')")
  node -e '
    const [v, tx, per, ticks, wal, dur, foreign] = process.argv.slice(1); const events = +tx * +per;
    console.log(JSON.stringify({ scenario: "append-sql-" + v, calls: +tx, events, eventsPerS: +(events / +dur).toFixed(0),
      pgMsPerEvent: +(+ticks * 10 / events).toFixed(3), walPerEvent: Math.round(+wal / events), busyCoresAfter: +foreign }));' \
    "$v" "$tx" "$per" "$((t1 - t0))" "$wal" "$DURATION" "$(busy_cores 1)" | tee -a "$OUT"
}
for ((r = 1; r <= ROUNDS; r++)); do
  measure rendered "$DB" 1
  measure fast "$DB" 1
  measure batch8 "$DB" 8
  measure peer "$PG_BASE/emmett" 1
done
# plans stay right on a young table (../shared/PERF-NOTES.md): index entries read per appended event
psql -qAt "$DB" -c "select json_build_object('scenario', 'append-sql-index-reads', 'events', (select count(*) from events),
  'indexes', json_object_agg(indexrelname, json_build_object('scans', idx_scan, 'entriesRead', idx_tup_read)))
  from pg_stat_user_indexes where relname in ('events', 'streams')" | tee -a "$OUT"
node -e '
const all = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const rows = all.filter((r) => r.pgMsPerEvent !== undefined), idx = all.find((r) => r.indexes);
const by = {}; for (const r of rows) (by[r.scenario] ??= []).push(r);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
const peer = med(by["append-sql-peer"].map((r) => r.pgMsPerEvent)), peerWal = med(by["append-sql-peer"].map((r) => r.walPerEvent));
console.log("\n| variant | events/s | Postgres CPU ms/event | vs peer | WAL B/event | vs peer |\n|---|---:|---:|---:|---:|---:|");
for (const [k, a] of Object.entries(by)) {
  const ms = med(a.map((r) => r.pgMsPerEvent)), wal = med(a.map((r) => r.walPerEvent));
  console.log(`| ${k.slice(11)} | ${med(a.map((r) => r.eventsPerS))} | ${ms} | ${(ms / peer).toFixed(2)}× | ${wal} | ${(wal / peerWal).toFixed(2)}× |`);
}
if (idx) console.log("\nindex entries read per stored event (each is 0 unless a plan walks an index; tt_append_rendered reads its own new event back through events_pkey): " +
  Object.entries(idx.indexes).map(([k, v]) => `${k} ${(v.entriesRead / idx.events).toFixed(3)}`).join(", "));' "$OUT"
log "results: $OUT"
