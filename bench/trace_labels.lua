-- wrk script: each request scans another label of the benchmark's batch (serials 1..LABELS),
-- optionally paced (DELAY_MS between a connection's requests) to hold a given rate.
local labels = tonumber(os.getenv("LABELS") or "1000")
local path = os.getenv("LABEL_PATH")
local pause = tonumber(os.getenv("DELAY_MS") or "0")
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", path .. ((counter % labels) + 1))
end
if pause > 0 then
  delay = function() return pause end
end
