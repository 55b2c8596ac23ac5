-- Shared by the benchmark's wrk scripts (loaded with dofile from the project root, where
-- load.sh runs wrk): numbers wrk's threads, counts responses by status in each, and at the
-- end prints the counts of all threads and the latency percentiles, a line each, for
-- load.sh to read ("status 201 3470", "p99_us 8310").
local next_thread = 0
local threads = {}
statuses = {}

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
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
