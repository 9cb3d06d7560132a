-- wrk script for the picoauth benchmark: the request comes from the environment, the summary
-- is one JSON line (requests, seconds, errors, latency percentiles in milliseconds).
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
-- A form body (the OAuth 2.0 token endpoint) and HTTP Basic client authentication.
local form = os.getenv("WRK_FORM_BODY")
if form then
  wrk.body = form
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local basic = os.getenv("WRK_BASIC")
if basic then
  wrk.headers["Authorization"] = "Basic " .. basic
end
local secret = os.getenv("WRK_FLEET_SECRET")
if secret then
  wrk.headers["X-Fleet-Secret"] = secret
end
local bearer = os.getenv("WRK_BEARER")
if bearer then
  wrk.headers["Authorization"] = "Bearer " .. bearer
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"errors":%d,"p50":%.3f,"p90":%.3f,"p99":%.3f}\n',
    summary.requests, summary.duration / 1e6,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
