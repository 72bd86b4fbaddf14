-- wrk script: POST api.md's example to /v1/decisions; counts non-200 answers.
-- usage: wrk -t2 -c16 -d10s -s benches/http/decisions.lua http://127.0.0.1:8080/v1/decisions
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("examples/01-toyama-authorize.json", "r"))
wrk.body = f:read("*a")
f:close()

local failed = 0
response = function(status, headers, body)
  if status ~= 200 then failed = failed + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200: %d\n", failed))
end
