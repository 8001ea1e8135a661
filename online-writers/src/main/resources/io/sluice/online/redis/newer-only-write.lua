-- Newer-only write of several entities' values for one feature view; each entity's check and write
-- is atomic on the server (the whole call is: Redis runs a script without interleaving).
-- KEYS[k]        the entities' hash keys (one per call in a cluster, where a call stays in a slot)
-- ARGV[1]        the view's timestamp field (_ts:<view>)
-- ARGV[2]        n, the number of features
-- ARGV[3]        seconds until a written key expires, or 0 for never
-- ARGV[4…3+n]    the feature fields
-- then per key, 3 + n values: the new google.protobuf.Timestamp (serialized), its seconds since the
-- epoch, its nanoseconds, and the n feature values.
-- Returns per key 1 when written, 0 when the stored event time is equal or newer (Feast's rule), or
-- the error the server gave that key (a key of another type): the other keys are still written.
local timestamp_field, n, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local replies = {}
local fields = {timestamp_field}
local a = 4 + n
for k = 1, #KEYS do
  local key = KEYS[k]
  local new_seconds, new_nanos = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local stored = redis.pcall('HGET', key, timestamp_field)
  local reply = 1
  if type(stored) == 'table' and stored.err then
    reply = stored
  elseif stored then
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
    if new_seconds < seconds or (new_seconds == seconds and new_nanos <= nanos) then
      reply = 0
    end
  end
  if reply == 1 then
    -- One reused argument table: field, value pairs in HSET's order.
    fields[2] = ARGV[a]
    for f = 1, n do
      fields[2 * f + 1] = ARGV[3 + f]
      fields[2 * f + 2] = ARGV[a + 2 + f]
    end
    local written = redis.pcall('HSET', key, unpack(fields, 1, 2 * n + 2))
    if type(written) == 'table' and written.err then
      reply = written
    elseif ttl ~= '0' then
      local expired = redis.pcall('EXPIRE', key, ttl)
      if type(expired) == 'table' and expired.err then
        reply = expired
      end
    end
  end
  replies[k] = reply
  a = a + 3 + n
end
return replies
