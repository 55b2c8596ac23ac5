-- POST /api/v1/auth/login with the right password, over and over.
-- args: username password
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  body = string.format('{"username":"%s","password":"%s"}', args[1], args[2])
  statuses = {}
end

function request()
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
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
  for _, p in ipairs({ 50, 99 }) do
    io.write(string.format("p%s_us %d\n", p, latency:percentile(p)))
  end
end
