-- POST rosters of 100 entries, each to an event of its own with a fresh Idempotency-Key.
-- args: token first_event first_volunteer volunteers threads
local next_thread = 0
local threads = {}

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  first_event = tonumber(args[2])
  first_volunteer = tonumber(args[3])
  volunteers = tonumber(args[4])
  nthreads = tonumber(args[5])
  sent = 0
  statuses = {}
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

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do
      all[status] = (all[status] or 0) + n
    end
  end
  for status, n in pairs(all) do
    io.write(string.format("status %d %d\n", status, n))
  end
end
