# Sourced by the benches that measure a running `kitei serve`
# (benches/http/run, benches/http/shadow, benches/replay/run), from the
# repository's root:
#   bench_kitei            the binary measured → $kitei: $KITEI, or a
#                          release build of this checkout
#   serve LOG ARGS…        starts `$kitei serve --addr 127.0.0.1:0 ARGS…`
#                          (stderr to LOG), waits until it listens and is
#                          ready → its base URL in $base, its pid appended
#                          to $serve_pids
#   stop_servers           kills them by pid and waits (for the EXIT trap)
target=${CARGO_TARGET_DIR:-target} # where `kitei build` writes by default
serve_pids=()

bench_kitei() {
  if [ -n "${KITEI:-}" ]; then
    kitei=$KITEI # another build, for an A/B (e.g. a copy of target/release/kitei at another commit)
  else
    cargo build --release -q -p kitei-cli
    kitei=$target/release/kitei
  fi
}

serve() {
  local log=$1
  shift
  "$kitei" serve --addr 127.0.0.1:0 "$@" 2>"$log" &
  serve_pids+=($!)
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  base=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -1)
  [ -n "$base" ] || { cat "$log" >&2; exit 1; }
  for _ in $(seq 300); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
}

stop_servers() {
  if [ ${#serve_pids[@]} -gt 0 ]; then
    kill "${serve_pids[@]}" 2>/dev/null || true
    wait "${serve_pids[@]}" 2>/dev/null || true
  fi
  serve_pids=()
}
