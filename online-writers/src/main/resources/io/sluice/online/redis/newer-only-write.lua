-- Newer-only write of one entity's values for one feature view, atomic on the server.
-- KEYS[1]  the entity's hash key
-- ARGV[1]  the view's timestamp field (_ts:<view>)
-- ARGV[2]  the new google.protobuf.Timestamp, serialized
-- ARGV[3]  the new event time: seconds since the epoch
-- ARGV[4]  the new event time: nanoseconds
-- ARGV[5]  seconds until the key expires, or 0 for never
-- ARGV[6…] feature field, value, feature field, value, …
-- Returns 1 when written, 0 when the stored event time is equal or newer (Feast's rule).
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then
  -- Decode the stored Timestamp: field 1 (tag 0x08) seconds and field 2 (tag 0x10) nanos, varints.
  local seconds, nanos, i = 0, 0, 1
  while i <= #stored do
    local tag = string.byte(stored, i)
    i = i + 1
    local value, scale, byte = 0, 1, 128
    while byte >= 128 do
      byte = string.byte(stored, i)
      i = i + 1
      value = value + (byte % 128) * scale
      scale = scale * 128
    end
    if tag == 8 then
      -- Negative seconds are 10-byte two's complement varints.
      if value >= 9223372036854775808 then value = value - 18446744073709551616 end
      seconds = value
    elseif tag == 16 then
      nanos = value
    end
  end
  local new_seconds, new_nanos = tonumber(ARGV[3]), tonumber(ARGV[4])
  if new_seconds < seconds or (new_seconds == seconds and new_nanos <= nanos) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], unpack(ARGV, 6))
if ARGV[5] ~= '0' then
  redis.call('EXPIRE', KEYS[1], ARGV[5])
end
return 1
