"""Every atomic step of the cluster on Redis, as Lua, in one place.

Moves between the queue and a worker's in-flight hash are one script each, so at every
instant a request is in exactly one of them; the politeness clock runs on Redis's time.
"""
from __future__ import annotations

# queue -> in-flight, atomically; returns the request's bytes or nil
_POP_INTO_FLIGHT = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], top[1], top[2])
return top[1]
"""
# push a request unless its claim (an article URL) was taken by an earlier one. Its score
# is (-priority, n) with n its host's count of requests so far: within a priority, the
# queue takes every school's first request, then every school's second… A queue in URL
# order would fill a worker's connections with one school, each waiting out its delay.
# ARGV: priority, request bytes, claim ('' for none), host
_CLAIM_AND_PUSH = """
if ARGV[3] ~= '' and redis.call('SADD', KEYS[2], ARGV[3]) == 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
redis.call('ZADD', KEYS[1], string.format('%.0f', -tonumber(ARGV[1]) * 1e9 + n), ARGV[2])
return 1
"""
# a dead worker's in-flight requests back to the queue; returns how many
_REQUEUE = """
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do redis.call('ZADD', KEYS[2], entries[i + 1], entries[i]) end
redis.call('DEL', KEYS[1])
return #entries / 2
"""
# nothing queued, nothing in flight, no item waiting: nothing can ever come again
_QUIESCENT = """
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('LLEN', KEYS[2]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HLEN', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""
# reserve the next moment a host may be asked, on Redis's clock (machines' clocks differ);
# ARGV[1]: the delay (ms); returns how long to wait (ms)
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, free)
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', at - now + tonumber(ARGV[1]) + 60000)
return at - now
"""


def scripts(server) -> dict:
    return {name: server.register_script(body) for name, body in (
        ("pop_into_flight", _POP_INTO_FLIGHT), ("claim_and_push", _CLAIM_AND_PUSH), ("requeue", _REQUEUE),
        ("quiescent", _QUIESCENT), ("reserve", _RESERVE))}
