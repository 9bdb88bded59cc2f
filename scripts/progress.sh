# with_progress WHAT CMD...: runs a long step, printing a line every HAT_PROGRESS_SECONDS (default 30) while it
# runs and one when it is done, so a first setup never sits silent while Go compiles. Needs a log() function.
with_progress() {
  local what="$1" start=$SECONDS every="${HAT_PROGRESS_SECONDS:-30}"
  shift
  ( while sleep "$every"; do log "still $what ($((SECONDS - start)) s)"; done ) &
  local ticker=$!
  local rc=0
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null || true
  if [ "$rc" -eq 0 ]; then log "done $what in $((SECONDS - start)) s"; fi
  return "$rc"
}
