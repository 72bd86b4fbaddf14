-- shared by the wrk scripts: when wrk is done, print how many requests did
-- not get a 2xx/3xx answer or failed at the socket (benches/http/run stops
-- on any). wrk's own counters, since each wrk thread has its own Lua state.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("non-200: %d\n", e.status + e.connect + e.read + e.write + e.timeout))
end
