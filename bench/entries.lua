-- wrk: POST a valid giveaway entry, each request under its own Idempotency-Key.
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("thread_id", math.random(1, 1e9))
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"fields":{"first_name":"Bench","last_name":"Mark","email":"b%d@example.com","phone":"","postal_code":"10115"},"consents":{"terms":true,"marketing":false}}',
    counter)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Origin"] = "http://bench.local",
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", thread_id, counter, os.time()),
  }
  return wrk.format("POST", "/v1/campaigns/bench/entries", headers, body)
end
