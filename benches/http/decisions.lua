-- wrk script: POST api.md's example to /v1/decisions; counts failed requests.
-- usage: wrk -t2 -c16 -d10s -s benches/http/decisions.lua http://127.0.0.1:8080/v1/decisions
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("examples/01-toyama-authorize.json", "r"))
wrk.body = f:read("*a")
f:close()

dofile("benches/http/count.lua")
