# Shell helpers shared by the scripts (sourced, not run).

# progress WHAT CMD...: runs CMD; while it runs, says every 20 s that it is still WHAT, so that a
# first run's long steps (module downloads, compiling) are not silence. CMD's own output passes.
progress() {
  local what=$1; shift
  local started=$SECONDS
  "$@" &
  local pid=$! rc=0
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break 2
      sleep 0.5
    done
    printf '  … still %s (%ds)\n' "$what" $((SECONDS - started)) >&2
  done
  wait "$pid" || rc=$?
  return "$rc"
}
