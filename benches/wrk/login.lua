-- POST /api/v1/auth/login with the right password, over and over.
-- args: username password
dofile("benches/wrk/report.lua")

function init(args)
  body = string.format('{"username":"%s","password":"%s"}', args[1], args[2])
end

function request()
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
end
