-- GET /api/v1/volunteers?q=...&limit=20: a search in the names with its count and page,
-- authenticated. args: token
dofile("benches/wrk/report.lua")

function init(args)
  token = args[1]
  headers = { ["Authorization"] = "Bearer " .. token }
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
  local q = "%E5%BF%97%E6%84%BF%E8%80%85" .. math.random(1, 499)
  return wrk.format("GET", "/api/v1/volunteers?limit=20&q=" .. q, headers)
end
