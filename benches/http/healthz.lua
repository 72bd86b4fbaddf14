-- wrk script: GET /healthz, the server's floor; counts non-200 answers the
-- same way as the decision scripts, so the three runs cost wrk the same.
local failed = 0
response = function(status, headers, body)
  if status ~= 200 then failed = failed + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200: %d\n", failed))
end
