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
request = function()
  counter = counter + 1
  -- Seconds are enough: the server takes events up to a day old.
  local at = os.time() * 1000
  local events = {}
  for i = 1, 50 do
    events[i] = string.format('{"type":%s,"at":%d}', kinds[(counter + i) % #kinds + 1], at)
  end
  local body = string.format('{"campaign":"bench","batch":"bench-%d-%d","session":"session-%d-%d","events":[%s]}',
    thread_id, counter, thread_id, counter % 1000, table.concat(events, ","))
  local headers = { ["Content-Type"] = "text/plain;charset=UTF-8", ["Origin"] = "http://bench.local" }
  return wrk.format("POST", "/v1/events", headers, body)
end
