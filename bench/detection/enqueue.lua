-- wrk script: PagerDuty Events v2 triggers, 90% duplicates.
-- Every 10th request of a connection thread opens a new alert; the others repeat one of 1,000
-- hot keys (deduplicated into open alerts). The routing key comes from ROUTING_KEY; RUN keeps the
-- new keys of one wrk run apart from those of the runs before it.
local key = os.getenv("ROUTING_KEY") or "00000000000000000000000000000000"
local run = os.getenv("RUN") or "0"
local counter = 0
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

request = function()
  counter = counter + 1
  local dedup
  if counter % 10 == 0 then
    dedup = "new-" .. run .. "-" .. id .. "-" .. counter
  else
    dedup = "hot-" .. (counter % 1000)
  end
  local body = '{"routing_key":"' .. key .. '","event_action":"trigger","dedup_key":"' .. dedup ..
    '","payload":{"summary":"Bench event ' .. dedup .. '","source":"bench.local","severity":"info"}}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"non2xx":%d,"connectErrors":%d,"readErrors":%d,"timeouts":%d,"p50ms":%.2f,"p99ms":%.2f,"maxms":%.2f}\n',
    summary.requests, summary.duration / 1e6, non2xx, summary.errors.connect, summary.errors.read, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
