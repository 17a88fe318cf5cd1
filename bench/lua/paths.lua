-- wrk script for bench/bench_load.py: each wrk thread walks its own slice of a file of request
-- paths (one per line, written by the benchmark), then reports the run as one JSON line.
--   wrk ... -s bench/lua/paths.lua http://127.0.0.1:PORT -- PATHS_FILE THREADS

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local all = {}
  for line in io.lines(args[1]) do
    all[#all + 1] = line
  end
  local n = tonumber(args[2])
  -- thread `id` takes every n-th path: the threads never send the same never-repeated request
  paths = {}
  for i = id + 1, #all, n do
    paths[#paths + 1] = all[i]
  end
  pos = 0
  wrapped = 0
end

function request()
  pos = pos + 1
  if pos > #paths then
    pos = 1
    wrapped = wrapped + 1
  end
  return wrk.format("GET", paths[pos])
end

function done(summary, latency, requests)
  local wraps = 0
  for _, t in ipairs(threads) do
    wraps = wraps + t:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, "wrapped": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean, wraps))
end
