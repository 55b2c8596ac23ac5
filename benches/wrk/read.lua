-- GET /api/v1/volunteers/{id} of random ids, authenticated.
-- args: token first_volunteer volunteers
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  first_volunteer = tonumber(args[2])
  volunteers = tonumber(args[3])
  headers = { ["Authorization"] = "Bearer " .. token }
  statuses = {}
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
  local id = first_volunteer + math.random(0, volunteers - 1)
  return wrk.format("GET", "/api/v1/volunteers/" .. id, headers)
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
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%s_us %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("max_us %d\n", latency.max))
end
