// Lua scripts run atomically by Redis: a name claim, a release, the heartbeat, the dead-node sweep and
// reap, and the re-claim after an outage. Each publishes its presence event itself, so every node sees
// claims and releases in the order Redis applied them. (Keys built inside scripts: standalone Redis or
// Valkey only, not Redis Cluster.)

/** KEYS peers, owned:self, presence. ARGV field, value, presented token hash or '', node, owned prefix, dialect. */
const claim = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
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
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], cjson.encode({t='join', n=ARGV[4], f=ARGV[1], d=tonumber(ARGV[6])}))
return {'registered'}
`;

/** KEYS peers, owned:self, presence. ARGV field, node, connection id. Frees the name only if that connection holds it. */
const release = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local h = cjson.decode(cur)
if h.n ~= ARGV[2] or h.c ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], cjson.encode({t='leave', n=ARGV[2], f=ARGV[1]}))
return 1
`;

/** KEYS node:self, nodes. ARGV ttl ms, node. Returns 1 when the node was not in the set (new, or reaped). */
const heartbeat = `
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
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
 * KEYS peers, nodes, presence. ARGV node, node key prefix, owned prefix, '1' to force (a node leaving).
 * Frees every name of a node whose key expired and announces it gone; 0 when it is alive after all.
 */
const reap = `
if ARGV[4] ~= '1' and redis.call('EXISTS', ARGV[2] .. ARGV[1]) == 1 then return 0 end
local owned = ARGV[3] .. ARGV[1]
for _, f in ipairs(redis.call('SMEMBERS', owned)) do
  local cur = redis.call('HGET', KEYS[1], f)
  if cur and cjson.decode(cur).n == ARGV[1] then redis.call('HDEL', KEYS[1], f) end
end
redis.call('DEL', owned, ARGV[2] .. ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', KEYS[3], cjson.encode({t='gone', n=ARGV[1]}))
return 1
`;

/**
 * KEYS peers, owned:self, presence. ARGV node, JSON list of {f, v, d} this node holds now.
 * After an outage: claims what is free, keeps what is already its own, frees what it no longer holds,
 * announces the names it keeps (sync), and returns the fields another node claimed first (this node's
 * holders lose them).
 */
const reconcile = `
local mine = cjson.decode(ARGV[2])
local keep = {}
local lost = {}
local held = {}
for _, e in ipairs(mine) do
  keep[e.f] = true
  local cur = redis.call('HGET', KEYS[1], e.f)
  if not cur or cjson.decode(cur).n == ARGV[1] then
    redis.call('HSET', KEYS[1], e.f, e.v)
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
    end
  end
end
redis.call('PUBLISH', KEYS[3], cjson.encode({t='sync', n=ARGV[1], p=held}))
return lost
`;

export const scripts = {
  rsClaim: { numberOfKeys: 3, lua: claim },
  rsRelease: { numberOfKeys: 3, lua: release },
  rsHeartbeat: { numberOfKeys: 2, lua: heartbeat },
  rsSweep: { numberOfKeys: 1, lua: sweep },
  rsReap: { numberOfKeys: 3, lua: reap },
  rsReconcile: { numberOfKeys: 3, lua: reconcile },
} as const;

type Arg = string | number;
/** The scripts as ioredis defines them on a connection (defineCommand). */
export interface ScriptCommands {
  rsClaim(k1: string, k2: string, k3: string, ...args: Arg[]): Promise<string[]>;
  rsRelease(k1: string, k2: string, k3: string, ...args: Arg[]): Promise<number>;
  rsHeartbeat(k1: string, k2: string, ...args: Arg[]): Promise<number>;
  rsSweep(k1: string, ...args: Arg[]): Promise<[string[], string[]]>;
  rsReap(k1: string, k2: string, k3: string, ...args: Arg[]): Promise<number>;
  rsReconcile(k1: string, k2: string, k3: string, ...args: Arg[]): Promise<string[]>;
}
