// Lua scripts run atomically by Redis: a name claim, a release, the heartbeat, the dead-node sweep and
// reap, the re-claim after an outage, and the room controls' merge. Each publishes its presence event itself, so every node sees
// claims and releases in the order Redis applied them. (Keys built inside scripts: standalone Redis or
// Valkey only, not Redis Cluster.)

// Every script that adds or removes a name keeps the look-alike count (KEYS folded) in step: +1 for a
// new name, -1 for a freed one (its value carries its folded field `k`).
const unfold = `
local function unfold(folded, value)
  local k = cjson.decode(value).k
  if k and redis.call('HINCRBY', folded, k, -1) <= 0 then redis.call('HDEL', folded, k) end
end
`;

/**
 * KEYS peers, owned:self, presence, folded. ARGV field, value, presented token hash or '', node, owned
 * prefix, dialect, folded field. A v2 name is refused when another name of the room reads the same (the
 * registry's rule); a v1 name only when its exact bytes are taken.
 */
const claim = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[6] == '2' then
  local alike = tonumber(redis.call('HGET', KEYS[4], ARGV[7]) or '0')
  if alike > (cur and 1 or 0) then return {'taken'} end
end
if cur then
  local h = cjson.decode(cur)
  if ARGV[3] == '' or h.t == '' or h.t ~= ARGV[3] then return {'taken'} end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SREM', ARGV[5] .. h.n, ARGV[1])
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('PUBLISH', KEYS[3], cjson.encode({t='resume', n=ARGV[4], f=ARGV[1], d=tonumber(ARGV[6]), p=h.n, c=h.c}))
  return {'resumed', h.n, h.c}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[4], ARGV[7], 1)
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], cjson.encode({t='join', n=ARGV[4], f=ARGV[1], d=tonumber(ARGV[6])}))
return {'registered'}
`;

/** KEYS peers, owned:self, presence, folded. ARGV field, node, connection id. Frees the name only if that connection holds it. */
const release = `${unfold}
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local h = cjson.decode(cur)
if h.n ~= ARGV[2] or h.c ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
unfold(KEYS[4], cur)
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], cjson.encode({t='leave', n=ARGV[2], f=ARGV[1]}))
return 1
`;

/**
 * KEYS node:self, nodes, rooms. ARGV ttl ms, node. Returns 1 when the node was not in the set (new, or
 * reaped). Keeps the room controls alive as long as this node.
 */
const heartbeat = `
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
return redis.call('SADD', KEYS[2], ARGV[2])
`;

/** KEYS nodes. ARGV node key prefix. Returns {live ids, ids whose key expired}. */
const sweep = `
local live = {}
local missing = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. id) == 1 then table.insert(live, id) else table.insert(missing, id) end
end
return {live, missing}
`;

/**
 * KEYS peers, nodes, presence, folded. ARGV node, node key prefix, owned prefix, '1' to force (a node
 * leaving). Frees every name of a node whose key expired and announces it gone; 0 when it is alive after all.
 */
const reap = `${unfold}
if ARGV[4] ~= '1' and redis.call('EXISTS', ARGV[2] .. ARGV[1]) == 1 then return 0 end
local owned = ARGV[3] .. ARGV[1]
for _, f in ipairs(redis.call('SMEMBERS', owned)) do
  local cur = redis.call('HGET', KEYS[1], f)
  if cur and cjson.decode(cur).n == ARGV[1] then
    redis.call('HDEL', KEYS[1], f)
    unfold(KEYS[4], cur)
  end
end
redis.call('DEL', owned, ARGV[2] .. ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], cjson.encode({t='gone', n=ARGV[1], s=(ARGV[4] == '1')}))
return 1
`;

/**
 * KEYS peers, owned:self, presence, folded. ARGV node, JSON list of {f, v, d, k} this node holds now (its
 * v2 names first: a v1 name of this node that reads like one of them registered after it).
 * After an outage: claims what is free, keeps what is already its own, frees what it no longer holds,
 * announces the names it keeps (sync), and returns the fields another node claimed first, exactly or (v2)
 * as a look-alike (this node's holders lose them).
 */
const reconcile = `${unfold}
local mine = cjson.decode(ARGV[2])
local keep = {}
local lost = {}
local held = {}
for _, e in ipairs(mine) do
  keep[e.f] = true
  local cur = redis.call('HGET', KEYS[1], e.f)
  local free = not cur
  if free and e.d == 2 and tonumber(redis.call('HGET', KEYS[4], e.k) or '0') > 0 then free = false end
  if free or (cur and cjson.decode(cur).n == ARGV[1]) then
    redis.call('HSET', KEYS[1], e.f, e.v)
    if free then redis.call('HINCRBY', KEYS[4], e.k, 1) end
    redis.call('SADD', KEYS[2], e.f)
    table.insert(held, {e.f, e.d})
  else
    table.insert(lost, e.f)
  end
end
for _, f in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if not keep[f] then
    redis.call('SREM', KEYS[2], f)
    local cur = redis.call('HGET', KEYS[1], f)
    if cur and cjson.decode(cur).n == ARGV[1] then
      redis.call('HDEL', KEYS[1], f)
      unfold(KEYS[4], cur)
    end
  end
end
redis.call('PUBLISH', KEYS[3], cjson.encode({t='sync', n=ARGV[1], p=held}))
return lost
`;

/**
 * KEYS rooms, presence. ARGV node, ttl ms, JSON list of {r: room, v: record, at}. Writes each record that
 * is newer than Redis's (the later decision wins), announces what it wrote, and returns every room's
 * record (HGETALL). One record: a local change; all of them: after an outage or at start.
 */
const rooms = `
for _, e in ipairs(cjson.decode(ARGV[3])) do
  local cur = redis.call('HGET', KEYS[1], e.r)
  if not cur or tonumber(cjson.decode(cur).at) < e.at then
    redis.call('HSET', KEYS[1], e.r, e.v)
    redis.call('PUBLISH', KEYS[2], cjson.encode({t='room', n=ARGV[1], r=e.r, v=e.v}))
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('HGETALL', KEYS[1])
`;

export const scripts = {
  rsClaim: { numberOfKeys: 4, lua: claim },
  rsRelease: { numberOfKeys: 4, lua: release },
  rsHeartbeat: { numberOfKeys: 3, lua: heartbeat },
  rsSweep: { numberOfKeys: 1, lua: sweep },
  rsReap: { numberOfKeys: 4, lua: reap },
  rsReconcile: { numberOfKeys: 4, lua: reconcile },
  rsRooms: { numberOfKeys: 2, lua: rooms },
} as const;

type Arg = string | number;
/** The scripts as ioredis defines them on a connection (defineCommand). */
export interface ScriptCommands {
  rsClaim(k1: string, k2: string, k3: string, k4: string, ...args: Arg[]): Promise<string[]>;
  rsRelease(k1: string, k2: string, k3: string, k4: string, ...args: Arg[]): Promise<number>;
  rsHeartbeat(k1: string, k2: string, k3: string, ...args: Arg[]): Promise<number>;
  rsSweep(k1: string, ...args: Arg[]): Promise<[string[], string[]]>;
  rsReap(k1: string, k2: string, k3: string, k4: string, ...args: Arg[]): Promise<number>;
  rsReconcile(k1: string, k2: string, k3: string, k4: string, ...args: Arg[]): Promise<string[]>;
  /** Flat [room, record, room, record, ...]. */
  rsRooms(k1: string, k2: string, ...args: Arg[]): Promise<string[]>;
}
