"""The Redis breaker logic: one Lua script, run atomically by EVALSHA.

It is `core.py` in Lua, with the transition table and state ranks rendered in
from `table.py`, so there is one table for both stores. One call handles one
operation for any number of LPs, which is how an order's admission check for all
its candidate LPs costs a single round trip.

Calling convention (compact, because redis-py packs and parses every argument
and reply element in Python — the client side, not Redis, dominates the cost):
    KEYS[1]      the set of LP names that have a record (listing without KEYS/SCAN)
    KEYS[1 + i]  the hash of the i-th LP; its name is the key minus the prefix
    ARGV[1]      op: admit | fail | success | down | trip | reset | poll | merge
    ARGV[2]      now, epoch seconds (the caller's clock, shared by all stores)
    ARGV[3]      admit: the limit (-1 = none); fail/down/trip/reset: the detail text
    ARGV[4]      length of the key prefix in front of each LP name
    ARGV[4 + i]  the i-th LP's thresholds "failure_threshold window_s reset_s
                 half_open_trials"; for merge, `MERGE_GROUP` values per LP instead:
                 the record fields in `FIELDS` order
Returns {flags, states, events}: flags = one "1"/"0" character per LP examined
(admit), states = "state since" pairs, space-separated, per LP examined, events =
array of name, from, to, trigger, detail per transition. Times travel as text
printed with %.17g (Lua) or repr (Python), so doubles round-trip exactly.
"""

from __future__ import annotations

from routing.breaker.table import TRANSITIONS, BreakerState

FIELDS = ("state", "failures", "since", "trials", "trial_at", "trigger", "detail")
MERGE_GROUP = len(FIELDS)


def _render_tables() -> str:
    rows = ",\n".join(
        f'  ["{state}|{trigger}"] = "{target}"' for (state, trigger), target in TRANSITIONS.items()
    )
    ranks = ", ".join(f'["{s}"] = {s.rank}' for s in BreakerState)
    return f"local NEXT = {{\n{rows}\n}}\nlocal RANK = {{ {ranks} }}\n"


_BODY = r"""
local op = ARGV[1]
local now = tonumber(ARGV[2])
local extra = ARGV[3]
local prefix_len = tonumber(ARGV[4])
local flags, states, events = {}, {}, {}

local function fmt(x) return string.format('%.17g', x) end

local function load(key)
  local v = redis.call('HMGET', key, 'state', 'failures', 'since', 'trials', 'trial_at',
                       'trigger', 'detail')
  local r = {state = v[1] or 'closed', failures = {}, since = tonumber(v[3] or '0'),
             trials = tonumber(v[4] or '0'), trial_at = tonumber(v[5] or '0'),
             trigger = v[6] or '', detail = v[7] or '', dirty = false}
  for t in string.gmatch(v[2] or '', '%S+') do r.failures[#r.failures + 1] = tonumber(t) end
  return r
end

local function save(key, name, r)
  local parts = {}
  for i, t in ipairs(r.failures) do parts[i] = fmt(t) end
  redis.call('HSET', key, 'state', r.state, 'failures', table.concat(parts, ' '),
             'since', fmt(r.since), 'trials', r.trials, 'trial_at', fmt(r.trial_at),
             'trigger', r.trigger, 'detail', r.detail)
  redis.call('SADD', KEYS[1], name)
end

local function move(name, r, trigger, detail)
  local target = NEXT[r.state .. '|' .. trigger]
  if not target then return end
  events[#events + 1] = name
  events[#events + 1] = r.state
  events[#events + 1] = target
  events[#events + 1] = trigger
  events[#events + 1] = detail
  r.state, r.failures, r.since, r.trials, r.trial_at = target, {}, now, 0, 0
  r.trigger, r.detail, r.dirty = trigger, detail, true
end

local function poll(name, r, reset)
  if r.state == 'open' and now - r.since >= reset then move(name, r, 'reset_timeout', '') end
end

local function admit(name, r, trials_max, reset)
  poll(name, r, reset)
  if r.state == 'closed' then return 1 end
  if r.state ~= 'half_open' then return 0 end
  local trials = r.trials
  if trials >= trials_max and now - r.trial_at >= reset then trials = 0 end
  if trials >= trials_max then return 0 end
  r.trials, r.trial_at, r.dirty = trials + 1, now, true
  return 1
end

local function fail(name, r, threshold, window)
  if r.state == 'half_open' then return move(name, r, 'trial_failure', extra) end
  if r.state ~= 'closed' then return end
  local recent = {}
  for _, t in ipairs(r.failures) do
    if now - t < window then recent[#recent + 1] = t end
  end
  recent[#recent + 1] = now
  if #recent >= threshold then return move(name, r, 'failures', extra) end
  r.failures, r.dirty = recent, true
end

local function reset_op(name, r)
  if r.state ~= 'closed' then return move(name, r, 'manual_reset', extra) end
  if #r.failures > 0 then r.failures, r.dirty = {}, true end
end

local function merge(key, name, base)
  local r = load(key)
  local state = ARGV[base]
  if RANK[state] > RANK[r.state] then
    r = {state = state, failures = {}, since = tonumber(ARGV[base + 2]),
         trials = tonumber(ARGV[base + 3]), trial_at = tonumber(ARGV[base + 4]),
         trigger = ARGV[base + 5], detail = ARGV[base + 6]}
    for t in string.gmatch(ARGV[base + 1], '%S+') do r.failures[#r.failures + 1] = tonumber(t) end
    save(key, name, r)
  end
  return r
end

local limit = op == 'admit' and tonumber(extra) or -1
local admitted = 0
for i = 2, #KEYS do
  local name = string.sub(KEYS[i], prefix_len + 1)
  local r
  if op == 'merge' then
    r = merge(KEYS[i], name, 5 + (i - 2) * MERGE_GROUP)
  else
    if op == 'admit' and limit >= 0 and admitted >= limit then break end
    local threshold, window, reset, trials = string.match(ARGV[3 + i],
                                                          '(%S+) (%S+) (%S+) (%S+)')
    r = load(KEYS[i])
    if op == 'admit' then
      local ok = admit(name, r, tonumber(trials), tonumber(reset))
      admitted = admitted + ok
      flags[#flags + 1] = ok == 1 and '1' or '0'
    elseif op == 'fail' then fail(name, r, tonumber(threshold), tonumber(window))
    elseif op == 'success' then
      if r.state == 'half_open' then move(name, r, 'trial_success', '') end
    elseif op == 'down' then move(name, r, 'session_down', extra)
    elseif op == 'trip' then move(name, r, 'manual_trip', extra)
    elseif op == 'reset' then reset_op(name, r)
    elseif op == 'poll' then poll(name, r, tonumber(reset))
    else return redis.error_reply('unknown breaker op ' .. op)
    end
    if r.dirty then save(KEYS[i], name, r) end
  end
  states[#states + 1] = r.state
  states[#states + 1] = fmt(r.since)
end
return {table.concat(flags), table.concat(states, ' '), events}
"""

BREAKER_LUA = _render_tables() + f"local MERGE_GROUP = {MERGE_GROUP}\n" + _BODY
"""The script text; redis-py's `register_script` runs it by EVALSHA."""
