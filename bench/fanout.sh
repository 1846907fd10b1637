#!/usr/bin/env bash
# Live subscriptions' fan-out: SUBSCRIBERS WebSocket subscribers on one flight, appends at RATE/s to
# shipments manifested on it, latency from each 201 to its delivery at every subscriber
# (bench/fanout.mjs), and the server's memory per 1,000 sockets.
#
#   bash bench/fanout.sh                           # 1,000 subscribers, 100 appends/s, 20 s (~2 min)
#   SUBSCRIBERS=200 RATE=50 DURATION=10 bash bench/fanout.sh
#
# env: SUBSCRIBERS=1000 RATE=100 DURATION=20 SOURCE=head (head: `git archive HEAD`; tree: the working tree)
# Results: bench/results/<stamp>-fanout.jsonl (+ .meta.json).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SUBSCRIBERS=${SUBSCRIBERS:-1000} RATE=${RATE:-100} DURATION=${DURATION:-20} SOURCE=${SOURCE:-head}
BENCH_WORK=${BENCH_WORK:-/tmp/tracktrace-bench}
QUIET_WAIT=${QUIET_WAIT:-60} QUIET_MAX=${QUIET_MAX:-0.3}
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
OUT=$RESULTS/$STAMP-fanout.jsonl
RUN=$BENCH_WORK/run-$STAMP-fanout
log() { echo "fanout: $(date -u +%H:%M:%S) $*" >&2; }
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PID= POSTMASTER= API_PID= CHILD_PID=
stop_all() { stop_tree child "$CHILD_PID" 3; stop_api; stop_postgres 30; rm -rf "$RUN/pg" "$RUN/app" 2>/dev/null || true; }
on_exit stop_all
mkdir -p "$RUN" "$RESULTS"
chmod 755 "$BENCH_WORK" "$RUN"

log "starting PostgreSQL (run dir $RUN)"
start_postgres
app_snapshot "$SOURCE"
PORT=$(free_port)
log "starting the API on :$PORT from $SOURCE ($GIT_COMMIT)"
start_api "$PORT" "$PG_BASE/tracktrace"
WRITE=$(api_token bench "tracking:read tracking:write")
# the hub allows 10 subscriptions per token subject: one read token per 10 subscribers
TOKENS=$RUN/tokens.txt
: >"$TOKENS"
for ((i = 0; i < (SUBSCRIBERS + 9) / 10; i++)); do api_token bench tracking:read --sub "screen-$i" >>"$TOKENS"; done
run_facts "$OUT.meta.json" SUBSCRIBERS RATE DURATION
mv "$OUT.meta.json" "${OUT%.jsonl}.meta.json"
wait_quiet
log "$SUBSCRIBERS subscribers, $RATE appends/s for ${DURATION}s"
TOKENS_FILE=$TOKENS run_child "$RUN/fanout.out" node bench/fanout.mjs --url "$API_URL" --write-token "$WRITE" \
  --subscribers "$SUBSCRIBERS" --rate "$RATE" --duration "$DURATION" --server-pid "$API_PID"
line=$(grep '^{' "$RUN/fanout.out" | tail -1)
node -e 'const d = JSON.parse(process.argv[1]); d.gitCommit = process.argv[2]; console.log(JSON.stringify(d));' "$line" "$GIT_COMMIT" | tee -a "$OUT"
log "results: $OUT"
