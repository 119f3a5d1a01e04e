-- wrk: POST a batch of 50 funnel events as the loader's beacon sends it (text/plain JSON, the
-- shop's Origin), each batch under its own id. EVENTS_DELAY_MS (optional) paces each connection:
-- the background flow of the accept-path comparison, at a known rate.
local counter = 0
local pause = tonumber(os.getenv("EVENTS_DELAY_MS") or "0")
local kinds = {'"impression"', '"form_start"', '"upload_started"', '"upload_done"', '"submit"', '"panel_open"',
  '"link_landing"', '"share","channel":"whatsapp"', '"share","channel":"copy"', '"share","channel":"qr"'}
-- A global, so each thread's batch ids differ.
setup = function(thread)
  thread:set("thread_id", math.random(1, 1e9))
end
if pause > 0 then
  delay = function() return pause end
end
-- The 50 events are the same in every batch of a thread, built once: the load generator shares
-- the 2 cores with the server, and building them per request (50 formats and a concat) cost it
-- more than the server spends on the batch. Seconds are enough: the server takes events up to a
-- day old, and a run lasts seconds.
local at = os.time() * 1000
local events = {}
for i = 1, 50 do
  events[i] = string.format('{"type":%s,"at":%d}', kinds[i % #kinds + 1], at)
end
events = table.concat(events, ",")
local headers = { ["Content-Type"] = "text/plain;charset=UTF-8", ["Origin"] = "http://bench.local" }
request = function()
  counter = counter + 1
  local body = string.format('{"campaign":"bench","batch":"bench-%d-%d","session":"session-%d-%d","events":[%s]}',
    thread_id, counter, thread_id, counter % 1000, events)
  return wrk.format("POST", "/v1/events", headers, body)
end
