# Shared by the bench/*.sh runners: how busy the machine is and waiting for it to calm (QUIET_WAIT,
# QUIET_MAX), PostgreSQL, stopping process trees, the API from a snapshot, the exit trap, child runs.
# Expects a log function from the caller.
die() { log "$*"; exit 1; }
PG_PID= POSTMASTER= API_PID= CHILD_PID=
busy_cores() { # machine-wide busy cores over $1 seconds
  local a b
  a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat); sleep "$1"
  b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat)
  awk -v a="$a" -v b="$b" -v t="$1" 'BEGIN{printf "%.2f", (b-a)/100/t}'
}
wait_quiet() {
  local i b
  for ((i = 0; i < QUIET_WAIT; i += 2)); do
    b=$(busy_cores 2)
    awk -v b="$b" -v q="$QUIET_MAX" 'BEGIN{exit !(b<q)}' && return 0
    [ "$i" = 0 ] && log "machine busy ($b cores), waiting up to ${QUIET_WAIT}s..."
  done
  log "machine still busy ($b cores), measuring anyway"
}

# start_postgres [settings]: bench/postgres.ts in the background (setsid: its own process group);
# sets PG_PID, PG_BASE (postgres://… without a database) and POSTMASTER. Expects ROOT, RUN, die.
start_postgres() {
  BENCH_PG_SETTINGS="${1:-}" setsid "$ROOT/node_modules/.bin/tsx" bench/postgres.ts --dir "$RUN/pg" --info "$RUN/pg.json" >"$RUN/postgres.log" 2>&1 &
  PG_PID=$!
  for _ in $(seq 1 600); do
    [ -s "$RUN/pg.json" ] && break
    kill -0 "$PG_PID" 2>/dev/null || { cat "$RUN/postgres.log" >&2; die "PostgreSQL did not start"; }
    sleep 0.1
  done
  [ -s "$RUN/pg.json" ] || die "PostgreSQL did not start within 60 s"
  PG_BASE=$(node -p "JSON.parse(require('fs').readFileSync('$RUN/pg.json','utf8')).baseUrl")
  POSTMASTER=$(node -p "JSON.parse(require('fs').readFileSync('$RUN/pg.json','utf8')).pid")
}

descendants() { # pid -> pid and all its descendants (one per line)
  local p
  echo "$1"
  for p in $(pgrep -P "$1" 2>/dev/null || true); do descendants "$p"; done
}
stop_tree() { # name pid timeout_s: SIGTERM to its process group, wait, then SIGKILL what is left of the tree
  local name=$1 pid=$2 t=$3 tree i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  tree=$(descendants "$pid")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < t * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name ($pid) did not stop within ${t}s; killing"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  # leftovers that changed process group (wrangler runs detached): by pid
  for p in $tree; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true; done
  wait "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# The runners' common steps. Expect ROOT and RUN; the names below are set or used as said.

# on_exit FN: on exit, Ctrl-C or TERM run FN (stops what the script started), then report a failure
on_exit() {
  EXIT_FN=$1
  trap bench_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
bench_exit() {
  local rc=$?
  trap - EXIT INT TERM
  "$EXIT_FN" || true
  [ "$rc" = 0 ] || log "failed (exit $rc); logs in $RUN"
  exit "$rc"
}

# run_child outfile cmd...: in its own process group (CHILD_PID, for the exit trap), interruptible;
# stderr appended to $CHILD_LOG when set
run_child() {
  local out=$1 rc=0
  shift
  if [ -n "${CHILD_LOG:-}" ]; then setsid "$@" >"$out" 2>>"$CHILD_LOG" & else setsid "$@" >"$out" & fi
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=
  return "$rc"
}

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# peer_bench FILE [SUBDIR...]: makes RESULTS and RUN; copies the read-only PEER_BENCH (must have FILE)
# to PEER=$BENCH_WORK/peer-bench and npm ci's PEER (and each PEER/SUBDIR) once per lock file
peer_bench() {
  local d sum
  PEER=$BENCH_WORK/peer-bench
  [ -f "$PEER_BENCH/$1" ] || die "peer benchmark not found at $PEER_BENCH (set PEER_BENCH)"
  mkdir -p "$PEER" "$RESULTS" "$RUN"
  chmod 755 "$BENCH_WORK" "$RUN" # the embedded postgres runs as user postgres when we are root
  (cd "$PEER_BENCH" && tar --exclude=./node_modules --exclude=./peer-emmett/node_modules --exclude=./results -cf - .) |
    tar -C "$PEER" --no-same-owner -xf -
  chmod -R u+w "$PEER"
  shift
  for d in "$PEER" "${@/#/$PEER/}"; do
    sum=$(sha256sum "$d/package-lock.json" | cut -d' ' -f1)
    if [ ! -d "$d/node_modules" ] || [ "$(cat "$d/node_modules/.bench-lock" 2>/dev/null)" != "$sum" ]; then
      log "npm ci in $d"
      (cd "$d" && npm ci --no-audit --no-fund --loglevel=error >&2)
      echo "$sum" >"$d/node_modules/.bench-lock"
    fi
  done
}

# stop_postgres HELPER_S [POSTMASTER_S=10]: stops start_postgres's helper, then a postmaster left running
stop_postgres() {
  local i
  stop_tree postgres-helper "$PG_PID" "$1"
  [ -n "$POSTMASTER" ] && kill -0 "$POSTMASTER" 2>/dev/null || return 0
  log "postmaster $POSTMASTER still running; fast shutdown"
  kill -INT "$POSTMASTER" 2>/dev/null || true
  for ((i = 0; i < ${2:-10} * 10; i++)); do kill -0 "$POSTMASTER" 2>/dev/null || break; sleep 0.1; done
}

pg_stat_statements_on() { # database URL...: create extension pg_stat_statements in each
  local db
  for db in "$@"; do
    node -e 'const pg = require("pg"); const c = new pg.Client({ connectionString: process.argv[1] });
      c.connect().then(() => c.query("create extension if not exists pg_stat_statements")).then(() => c.end());' "$db"
  done
}

# app_snapshot MODE: where the API runs from -> APP; GIT_COMMIT (-dirty: not head and the working
# tree differs); exports TRACKTRACE_DATA_DIR=$RUN/api (signing key, wrangler state). MODE:
#   head: `git archive HEAD` (uncommitted edits stay out); tree (or anything else): a copy of the
#   working tree. Both hard-link node_modules (wrangler restarts the Worker, dropping the local queues'
#   messages, when a bundled file changes: an `npm i` in the repo must not reach it) and build what
#   git leaves out (Scalar's bundle for /docs). tree-symlink: working-tree copy, node_modules symlinked.
#   in-place: $ROOT itself.
app_snapshot() {
  GIT_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo none)
  [ "$1" = head ] || git diff --quiet HEAD -- src migrations wrangler.toml scripts package.json 2>/dev/null ||
    GIT_COMMIT=$GIT_COMMIT-dirty
  export TRACKTRACE_DATA_DIR=$RUN/api
  APP=$ROOT
  [ "$1" != in-place ] || return 0
  APP=$RUN/app
  mkdir -p "$APP"
  if [ "$1" = head ]; then
    git archive HEAD | tar -C "$APP" -xf -
  else
    tar -C "$ROOT" --exclude=./node_modules --exclude=./.git --exclude=./.data --exclude=./.wrangler \
      --exclude=./bench/results --exclude=./coverage -cf - . | tar -C "$APP" -xf -
  fi
  if [ "$1" = tree-symlink ]; then
    ln -s "$ROOT/node_modules" "$APP/node_modules"
  else
    cp -al "$ROOT/node_modules" "$APP/node_modules"
    (cd "$APP" && node src/ops/vendor/build.mjs >/dev/null)
  fi
}

# start_api PORT DATABASE_URL: `npm start` in APP (setsid; log appended to $RUN/api.log, wrangler's
# level API_LOG_LEVEL, default warn) until /health/ready is 200 (≤ 120 s). Sets API_PID, API_URL.
# RATE_LIMITS=bench (the default here; scripts/serve.ts): the rate limiter runs with limits one token
# never reaches. RATE_LIMITS= (empty) keeps wrangler.toml's limits, which a benchmark run would trip.
start_api() {
  API_URL=http://127.0.0.1:$1
  curl -s -o /dev/null "$API_URL/" && die "port $1 is in use"
  (cd "$APP" && DATABASE_URL=$2 PORT=$1 WRANGLER_LOG_LEVEL=${API_LOG_LEVEL:-warn} RATE_LIMITS=${RATE_LIMITS-bench} exec setsid npm start >>"$RUN/api.log" 2>&1) &
  API_PID=$!
  for _ in $(seq 1 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$API_URL/health/ready" || true)" = 200 ] && return 0
    kill -0 "$API_PID" 2>/dev/null || { tail -40 "$RUN/api.log" >&2; die "the API exited during start"; }
    sleep 0.1
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$API_URL/health/ready" || true)" = 200 ] || die "the API was not ready within 120 s"
}
stop_api() {
  stop_tree api "$API_PID" 20
  API_PID=
}

# run_facts FILE KNOB...: host, versions, PostgreSQL ($RUN/pg.json), STAMP, GIT_COMMIT, SOURCE and the
# knobs' values (exported) as JSON -> FILE; + df -h of FACTS_DISK, undici of FACTS_UNDICI/node_modules if set
run_facts() {
  local f=$1
  shift
  export STAMP GIT_COMMIT SOURCE "$@"
  KNOBS="$*" node -e '
const fs = require("fs"), os = require("os"), { execSync } = require("child_process"), e = process.env;
const pg = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const v = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")).version; } catch { return null; } };
fs.writeFileSync(process.argv[2], JSON.stringify({
  stamp: e.STAMP, gitCommit: e.GIT_COMMIT, source: e.SOURCE, host: os.hostname(), cores: os.availableParallelism(),
  memory: execSync("free -h").toString(), disk: e.FACTS_DISK ? execSync("df -h " + e.FACTS_DISK).toString() : undefined,
  cpu: os.cpus()[0]?.model, node: process.version, kernel: os.release(),
  postgres: { version: pg.version, settings: pg.settings }, wrangler: v("node_modules/wrangler/package.json"),
  undici: e.FACTS_UNDICI ? v(e.FACTS_UNDICI + "/node_modules/undici/package.json") : undefined,
  knobs: Object.fromEntries(e.KNOBS.split(" ").map((k) => [k, e[k]])),
}, null, 1) + "\n");' "$RUN/pg.json" "$f"
}

# api_token TENANT SCOPE [npm run token args...]: prints a token of the running API (dies without one)
api_token() {
  local t
  t=$(cd "$APP" && npm run --silent token -- --tenant "$1" --scope "$2" "${@:3}") || exit
  [ -n "$t" ] || die "no token"
  printf '%s\n' "$t"
}
