# Shared by bench/run.sh and bench/read-side.sh: how busy the machine is, and waiting for it to calm.
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
