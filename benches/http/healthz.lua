-- wrk script: GET /healthz, the server's floor; counts non-200 answers the
-- same way as the decision scripts, so the three runs cost wrk the same.
dofile("benches/http/count.lua")
