# Shared by bench/run.sh and bench/read-side.sh: stopping process trees, starting PostgreSQL, how
# busy the machine is, and waiting for it to calm. Expects a log function (and die) from the caller.
# Expects QUIET_WAIT, QUIET_MAX and a log function from the caller.
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
