"""The Lua scripts of the Redis outbox: each changes notices and their indexes in one atomic
step (Redis runs a script with nothing else in between).

Every script gets the outbox's key prefix as ``ARGV[1]`` (``<prefix>:outbox``). A notice is
the hash ``P:notice:<key>``; where it stands is kept in indexes that :data:`PRELUDE`'s
``unindex`` and ``store`` move it between, so they always agree with the hash:

- ``P:due:<channel>``: pending notices nobody holds, scored 0 and ordered by their *slot*
  ``next_attempt_at|attempts|enqueued_at|key`` (fixed-width numbers: byte order is the
  order of delivery), so the next due notice is the first of a lexical range;
- ``P:leased``: pending notices someone holds, scored by the end of the lease;
- ``P:pending:<channel>``, ``P:retrying:<channel>`` (pending, attempted before) and
  ``P:failed:<channel>``: sets, for counts and lists;
- ``P:delivered:<channel>``: scored by delivery time, for counts and the purge;
- ``P:kind:<kind>``: every notice of a kind, scored by when it was queued (``recent``);
- ``P:channels``: every channel a notice was queued for.

Times are the caller's, passed as the text of a float and stored as given (Lua never
writes a float of its own: it would round it).
"""

from __future__ import annotations

__all__ = [
    "CANDIDATES",
    "CLAIM",
    "ENQUEUE",
    "FIELDS",
    "FINISH",
    "MARK_UNROUTABLE",
    "PURGE",
    "RELEASE",
    "REST",
    "RETRY_FAILED",
]

FIELDS = (
    "key",
    "channel",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "enqueued_at",
    "delivered_at",
    "last_error",
)
"""The fields an entry is read from, in :class:`~alerts.notify.outbox.OutboxEntry`'s order
(``notice`` from ``payload``)."""

PRELUDE = """
local P = ARGV[1]
local STATE = {'key', 'channel', 'kind', 'status', 'attempts', 'next_attempt_at',
  'lease_until', 'lease_owner', 'enqueued_at', 'updated_at', 'delivered_at', 'last_error',
  'slot'}
local OPTIONAL = {'lease_owner', 'delivered_at', 'last_error', 'slot'}

local function fixed(t) return string.format('%020.6f', tonumber(t)) end

local function slot(h)
  return fixed(h.next_attempt_at) .. '|' .. string.format('%010d', tonumber(h.attempts))
    .. '|' .. fixed(h.enqueued_at) .. '|' .. h.key
end

local function slot_key(member) return string.match(member, '^[^|]*|[^|]*|[^|]*|(.*)$') end

local function load(key)
  local values = redis.call('HMGET', P .. ':notice:' .. key, unpack(STATE))
  if not values[1] then return nil end
  local h = {}
  for i, name in ipairs(STATE) do
    if values[i] then h[name] = values[i] end
  end
  return h
end

local function unindex(h)
  local ch = h.channel
  if h.slot then redis.call('ZREM', P .. ':due:' .. ch, h.slot) end
  redis.call('ZREM', P .. ':leased', h.key)
  redis.call('SREM', P .. ':pending:' .. ch, h.key)
  redis.call('SREM', P .. ':retrying:' .. ch, h.key)
  redis.call('SREM', P .. ':failed:' .. ch, h.key)
  redis.call('ZREM', P .. ':delivered:' .. ch, h.key)
end

local function store(h)
  local ch = h.channel
  h.slot = nil
  if h.status == 'pending' then
    redis.call('SADD', P .. ':pending:' .. ch, h.key)
    if tonumber(h.attempts) > 0 then redis.call('SADD', P .. ':retrying:' .. ch, h.key) end
    if tonumber(h.lease_until) > 0 then
      redis.call('ZADD', P .. ':leased', h.lease_until, h.key)
    else
      h.slot = slot(h)
      redis.call('ZADD', P .. ':due:' .. ch, 0, h.slot)
    end
  elseif h.status == 'failed' then
    redis.call('SADD', P .. ':failed:' .. ch, h.key)
  else
    redis.call('ZADD', P .. ':delivered:' .. ch, h.delivered_at, h.key)
  end
  local name = P .. ':notice:' .. h.key
  local values = {}
  for _, field in ipairs(STATE) do
    if h[field] then
      table.insert(values, field)
      table.insert(values, h[field])
    end
  end
  redis.call('HSET', name, unpack(values))
  for _, field in ipairs(OPTIONAL) do
    if not h[field] then redis.call('HDEL', name, field) end
  end
end

-- Claims whose lease ended (their holder died) are due again.
local function recover(at)
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', P .. ':leased', '-inf', at)) do
    local h = load(key)
    unindex(h)
    h.lease_until = '0'
    store(h)
  end
end
"""

ENQUEUE = (
    PRELUDE
    + """
-- ARGV: P, at, then key, channel, kind, payload per notice. Returns how many were new.
local at = ARGV[2]
local added = 0
for i = 3, #ARGV, 4 do
  local key, channel, kind = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('EXISTS', P .. ':notice:' .. key) == 0 then
    redis.call('HSET', P .. ':notice:' .. key, 'payload', ARGV[i + 3])
    store({key = key, channel = channel, kind = kind, status = 'pending', attempts = '0',
      next_attempt_at = at, lease_until = '0', enqueued_at = at, updated_at = at})
    redis.call('SADD', P .. ':channels', channel)
    redis.call('ZADD', P .. ':kind:' .. kind, at, key)
    added = added + 1
  end
end
return added
"""
)

CANDIDATES = (
    PRELUDE
    + """
-- ARGV: P, at, limit, channels. Ends lapsed claims, then returns the first ``limit`` due
-- slots of each channel.
local at, limit = ARGV[2], tonumber(ARGV[3])
recover(at)
local found = {}
for i = 4, #ARGV do
  local slots = redis.call('ZRANGEBYLEX', P .. ':due:' .. ARGV[i], '-',
    '[' .. fixed(at) .. '|~', 'LIMIT', 0, limit)
  for _, member in ipairs(slots) do table.insert(found, member) end
end
return found
"""
)

CLAIM = (
    PRELUDE
    + """
-- ARGV: P, slot, lease_until, owner. Takes the notice of ``slot`` if it is still there,
-- unclaimed and unchanged: returns its fields (FIELDS, as before the claim), else nil.
local member, lease_until, owner = ARGV[2], ARGV[3], ARGV[4]
local key = slot_key(member)
local h = key and load(key)
if not h or h.status ~= 'pending' or h.slot ~= member then return nil end
local entry = {h.key, h.channel,
  redis.call('HGET', P .. ':notice:' .. key, 'payload'), h.status, h.attempts,
  h.next_attempt_at, h.enqueued_at, h.delivered_at or false, h.last_error or false}
unindex(h)
h.attempts = tostring(tonumber(h.attempts) + 1)
h.lease_until = lease_until
h.lease_owner = owner
store(h)
return entry
"""
)

FINISH = (
    PRELUDE
    + """
-- ARGV: P, key, status, at, owner, error ('' for none), next_attempt_at ('' to keep).
-- Only the holder of the claim ends it; a delivery is recorded whoever made it.
local key, status, at, owner, err, next_at = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6],
  ARGV[7]
local h = load(key)
if not h then return 0 end
if h.lease_owner ~= owner and status ~= 'delivered' then return 0 end
unindex(h)
h.status = status
h.lease_until = '0'
h.lease_owner = nil
h.updated_at = at
if next_at ~= '' then h.next_attempt_at = next_at end
if status == 'delivered' then
  h.delivered_at = at
  h.last_error = nil
elseif err ~= '' then
  h.last_error = err
else
  h.last_error = nil
end
store(h)
return 1
"""
)

REST = (
    PRELUDE
    + """
-- ARGV: P, channel, until, at, message. The channel's unclaimed notices due before
-- ``until`` wait until then with ``message``.
local channel, till, at, message = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
recover(at)
for _, member in ipairs(redis.call('ZRANGEBYLEX', P .. ':due:' .. channel, '-',
    '(' .. fixed(till))) do
  local h = load(slot_key(member))
  unindex(h)
  h.next_attempt_at = till
  h.updated_at = at
  h.last_error = message
  store(h)
end
return 0
"""
)

MARK_UNROUTABLE = (
    PRELUDE
    + """
-- ARGV: P, at, then channel and message per unconfigured channel. Returns how many
-- pending notices those channels have.
local at = ARGV[2]
local count = 0
for i = 3, #ARGV, 2 do
  local message = ARGV[i + 1]
  for _, key in ipairs(redis.call('SMEMBERS', P .. ':pending:' .. ARGV[i])) do
    local name = P .. ':notice:' .. key
    if redis.call('HGET', name, 'last_error') ~= message then
      redis.call('HSET', name, 'updated_at', at, 'last_error', message)
    end
    count = count + 1
  end
end
return count
"""
)

RETRY_FAILED = (
    PRELUDE
    + """
-- ARGV: P, at, keys. The failed ones among them are pending again, due at once.
local at = ARGV[2]
local count = 0
for i = 3, #ARGV do
  local h = load(ARGV[i])
  if h and h.status == 'failed' then
    unindex(h)
    h.status = 'pending'
    h.attempts = '0'
    h.next_attempt_at = at
    h.updated_at = at
    store(h)
    count = count + 1
  end
end
return count
"""
)

RELEASE = (
    PRELUDE
    + """
-- ARGV: P, owner. Every claim ``owner`` holds ends now.
local owner = ARGV[2]
local count = 0
for _, key in ipairs(redis.call('ZRANGE', P .. ':leased', 0, -1)) do
  local h = load(key)
  if h.lease_owner == owner then
    unindex(h)
    h.lease_until = '0'
    h.lease_owner = nil
    store(h)
    count = count + 1
  end
end
return count
"""
)

PURGE = (
    PRELUDE
    + """
-- ARGV: P, before, most. Deletes up to ``most`` notices delivered before ``before``.
local before, most = ARGV[2], tonumber(ARGV[3])
local count = 0
for _, channel in ipairs(redis.call('SMEMBERS', P .. ':channels')) do
  if count >= most then break end
  local keys = redis.call('ZRANGEBYSCORE', P .. ':delivered:' .. channel, '-inf',
    '(' .. before, 'LIMIT', 0, most - count)
  for _, key in ipairs(keys) do
    local h = load(key)
    unindex(h)
    redis.call('ZREM', P .. ':kind:' .. h.kind, key)
    redis.call('DEL', P .. ':notice:' .. key)
    count = count + 1
  end
end
return count
"""
)
