-- wrk script for benchmarks/load.py: one endpoint per run, chosen by ENDPOINT.
-- Tokens (allauth app session keys) come from the Lua file named by TOKENS. Every
-- request, the ceiling's too, carries a signed-in user's X-Session-Token.
-- RUN is a number load.py makes unique per phase: with the thread and a counter it
-- makes every client_id a sync request sends unique, in the run and across runs.
local tokens = dofile(os.getenv("TOKENS"))
local endpoint = os.getenv("ENDPOINT")
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local run = tonumber(os.getenv("RUN") or "0")
local sent = 0

function init(args)
  math.randomseed(run * 64 + id)
end

-- A version-4 UUID whose last 48 bits are this thread and a counter (unique within
-- the phase), and whose first bits are random from RUN (unique across phases).
local function client_id(entry)
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-"
  local head = t:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end)
  return head .. string.format("%02x%07x%03x", id % 256, sent % 0x10000000, entry)
end

local function patient()
  return tokens.patients[math.random(#tokens.patients)]
end

local function sync_body()
  sent = sent + 1
  local day = os.date("!%Y-%m-%d")
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local entries = {}
  for i = 1, 20 do
    local data
    if i % 2 == 0 then
      data = string.format('{"date":"%s","pain":%d,"stress":%d,"sleep_hours":7}', day, math.random(0, 10), math.random(0, 10))
      entries[i] = string.format('{"client_id":"%s","type":"checkin","updated_at":"%s","data":%s}', client_id(i), now, data)
    else
      data = string.format('{"date":"%s","item_id":"back-stretches:cat-cow:%s","status":"done"}', day, day)
      entries[i] = string.format('{"client_id":"%s","type":"session","updated_at":"%s","data":%s}', client_id(i), now, data)
    end
  end
  return '{"entries":[' .. table.concat(entries, ",") .. ']}'
end

local routes = {
  today = function() return wrk.format("GET", "/api/v1/today/", {["X-Session-Token"] = patient()}) end,
  summary = function() return wrk.format("GET", "/api/v1/summary/?days=28", {["X-Session-Token"] = patient()}) end,
  sync = function()
    return wrk.format("POST", "/api/v1/sync/", {["X-Session-Token"] = patient(), ["Content-Type"] = "application/json"}, sync_body())
  end,
  clinician_list = function()
    return wrk.format("GET", "/api/v1/care/patients/", {["X-Session-Token"] = tokens.clinicians[math.random(#tokens.clinicians)]})
  end,
  ceiling = function() return wrk.format("GET", "/bench/ceiling/", {["X-Session-Token"] = patient()}) end,
}
local names = {"today", "summary", "sync", "clinician_list"}

function request()
  if endpoint == "mix" then
    return routes[names[math.random(#names)]]()
  end
  return routes[endpoint]()
end

-- THINK_MS > 0: each connection is a user who pauses between requests (0.5 to 1.5 x
-- THINK_MS), rather than firing the next one the moment an answer arrives.
local think = tonumber(os.getenv("THINK_MS") or "0")
if think > 0 then
  function delay()
    return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
