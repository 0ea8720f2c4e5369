-- wrk script for scripts/bench/load.py: each request is drawn at random from a prepared list
-- (one "path<TAB>Authorization header" per line, the argument after --), and the run ends
-- with one line of JSON that load.py reads.
local prepared = {}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  math.randomseed(1000 + number)
  for line in io.lines(args[1]) do
    local path, auth = line:match("^([^\t]+)\t?(.*)$")
    local headers = {}
    if auth ~= "" then
      headers["Authorization"] = auth
    end
    prepared[#prepared + 1] = wrk.format("GET", path, headers)
  end
end

function request()
  return prepared[math.random(#prepared)]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
