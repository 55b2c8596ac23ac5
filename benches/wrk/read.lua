-- GET /api/v1/volunteers/{id} of random ids, authenticated.
-- args: token first_volunteer volunteers
dofile("benches/wrk/report.lua")

function init(args)
  token = args[1]
  first_volunteer = tonumber(args[2])
  volunteers = tonumber(args[3])
  headers = { ["Authorization"] = "Bearer " .. token }
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
  local id = first_volunteer + math.random(0, volunteers - 1)
  return wrk.format("GET", "/api/v1/volunteers/" .. id, headers)
end
