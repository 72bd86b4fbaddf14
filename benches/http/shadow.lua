-- wrk script: POST gunma card-loan requests of 2021 to /v1/decisions:
-- gunma-2019 answers, and with `kitei serve --shadow` every one is also
-- answered by gunma-2023 in its shadow (the worst case: no request unshadowed).
-- usage: wrk -t2 -c16 -d10s -s benches/http/shadow.lua http://127.0.0.1:8080/v1/decisions
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"institution":"gunma","operation":"accounts","at":"2021-04-01T10:00:00+09:00",
 "customer":{"internet_banking_contract":true,"accounts":[{"id":"L1","kind":"card_loan"},{"id":"O1","kind":"ordinary","cash_card":true}]},
 "provider":{"id":"moneyforward","contract":true,"channel":"anser_api"}}]]

dofile("benches/http/count.lua")
