-- POST rosters of 100 entries, each to an event of its own with a fresh Idempotency-Key.
-- args: token first_event first_volunteer volunteers threads
dofile("benches/wrk/report.lua")

function init(args)
  token = args[1]
  first_event = tonumber(args[2])
  first_volunteer = tonumber(args[3])
  volunteers = tonumber(args[4])
  nthreads = tonumber(args[5])
  sent = 0
end

function request()
  local r = tid + sent * nthreads
  sent = sent + 1
  local start = (r * 100) % volunteers
  local parts = {}
  for i = 0, 99 do
    parts[#parts + 1] = string.format('{"volunteer_id":%d,"minutes":60}',
      first_volunteer + (start + i) % volunteers)
  end
  local event = first_event + r
  return wrk.format("POST", "/api/v1/events/" .. event .. "/hours", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = "bench-roster-" .. event,
  }, '{"entries":[' .. table.concat(parts, ",") .. ']}')
end
