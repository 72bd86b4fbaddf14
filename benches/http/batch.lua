-- wrk script: POST a batch of BATCH (default 1000) copies of api.md's example
-- to /v1/decisions/batch. Decisions/s = requests/s × BATCH.
-- usage: BATCH=1000 wrk -t2 -c4 -d10s -s benches/http/batch.lua http://127.0.0.1:8080/v1/decisions/batch
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("examples/01-toyama-authorize.json", "r"))
local one = f:read("*a")
f:close()
local n = tonumber(os.getenv("BATCH") or "1000")
local items = {}
for i = 1, n do items[i] = one end
wrk.body = "[" .. table.concat(items, ",") .. "]"

dofile("benches/http/count.lua")
