// Network namespaces for tests: the one reusable way to keep multicast (mDNS), Chromium and tools that
// try the internet on this machine. `npm test` already runs everything inside a loopback-only
// namespace (scripts/test.mjs); two-host cases add named namespaces joined by a veth pair.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** True when this process runs inside the loopback-only namespace made by `npm test`. */
export const isIsolated = process.env.RUSTYSIGNAL_TEST_NETNS === '1';

/**
 * Whether a suite that needs a network namespace can run. Under CI a missing namespace is a failure,
 * never a silent pass; elsewhere the suite skips and prints why.
 */
export function netnsAvailable(suite: string): boolean {
  if (isIsolated && canMakeNamespaces()) return true;
  const why = isIsolated
    ? 'cannot create network namespaces (need root and ip netns)'
    : "not running inside `npm test`'s network namespace";
  if (process.env.CI === 'true') throw new Error(`${suite}: ${why}; CI requires it`);
  console.warn(`skipping ${suite}: ${why}`);
  return false;
}

function canMakeNamespaces(): boolean {
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A named network namespace: one "host" of a test LAN. */
export interface Host {
  readonly name: string;
  /** Its address on the LAN link (undefined for a loopback-only host). */
  readonly address: string | undefined;
  /** The name of its LAN interface (undefined for a loopback-only host). */
  readonly iface: string | undefined;
  /** Spawns a command inside this host's namespace. */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Runs a command inside this host's namespace and returns its stdout. */
  run(cmd: string, args: string[], opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): string;
}

function makeHost(name: string, address?: string, iface?: string): Host {
  return {
    name,
    address,
    iface,
    spawn: (cmd, args, opts = {}) => spawn('ip', ['netns', 'exec', name, cmd, ...args], opts),
    run: (cmd, args, opts = {}) =>
      execFileSync('ip', ['netns', 'exec', name, cmd, ...args], {
        encoding: 'utf8',
        timeout: opts.timeoutMs ?? 30_000,
        env: opts.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
  };
}

/** A set of namespaces; `destroy()` removes them all (and the veth pairs with them). */
export interface TestNet {
  readonly hosts: Host[];
  destroy(): void;
}

/** Creates a loopback-only host: no routes at all. */
export function createLoopbackHost(): TestNet {
  const name = `rs-${randomBytes(3).toString('hex')}`;
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
  return { hosts: [makeHost(name)], destroy: () => ip('netns', 'del', name) };
}

/**
 * Creates two hosts joined by a veth pair on 169.254.77.0/24 (.1 and .2), with a multicast route on the
 * link (mDNS needs it) and no default route anywhere, as on a LAN without internet.
 */
export function createTwoHostLan(): TestNet {
  const tag = randomBytes(3).toString('hex');
  const names = [`rs-${tag}-a`, `rs-${tag}-b`] as const;
  const ifaces = [`va${tag}`, `vb${tag}`] as const;
  const addrs = ['169.254.77.1', '169.254.77.2'] as const;
  const made: string[] = [];
  try {
    for (const n of names) {
      ip('netns', 'add', n);
      made.push(n);
      ip('-n', n, 'link', 'set', 'lo', 'up');
    }
    ip('link', 'add', ifaces[0], 'type', 'veth', 'peer', 'name', ifaces[1]);
    for (let i = 0; i < 2; i++) {
      const [n, v, a] = [names[i]!, ifaces[i]!, addrs[i]!];
      ip('link', 'set', v, 'netns', n);
      ip('-n', n, 'addr', 'add', `${a}/24`, 'dev', v);
      ip('-n', n, 'link', 'set', v, 'up');
      ip('-n', n, 'route', 'add', '224.0.0.0/4', 'dev', v);
    }
  } catch (err) {
    for (const n of made) ip('netns', 'del', n);
    throw err;
  }
  return {
    hosts: names.map((n, i) => makeHost(n, addrs[i], ifaces[i])),
    destroy: () => {
      for (const n of names) ip('netns', 'del', n);
    },
  };
}

/** What the access point lets through: everything, no multicast (most school Wi-Fi), or nothing between students. */
export type ApMode = 'open' | 'no-multicast' | 'isolated';

/** A three-host LAN behind an access point: hosts[0] is the server S, hosts[1] and hosts[2] students A and B. */
export interface ThreeHostLan extends TestNet {
  /** The access point's namespace (holds the bridge and its nftables rules). */
  readonly ap: string;
  /** Applies `mode` to the bridge, replacing the previous rules. */
  setMode(mode: ApMode): void;
}

/** The rules of each mode, in the bridge family (frames between ports of the access point). */
function apRules(mode: ApMode, ports: readonly string[]): string {
  const [, a, b] = ports;
  const body =
    mode === 'no-multicast'
      ? ['ip daddr 224.0.0.0/4 drop', 'ip6 daddr ff00::/8 drop']
      : mode === 'isolated'
        ? [`iifname "${a}" oifname "${b}" drop`, `iifname "${b}" oifname "${a}" drop`]
        : [];
  return `table bridge ap {\n  chain forward {\n    type filter hook forward priority 0; policy accept;\n${body
    .map((r) => `    ${r}\n`)
    .join('')}  }\n}\n`;
}

/**
 * Creates classroom Wi-Fi in namespaces: an access-point bridge in its own namespace and three hosts on
 * 10.77.0.0/24 (S .1, A .2, B .3), each joined to the bridge by a veth pair. Every host has a default route
 * to 10.77.0.254, an address nobody holds: still no internet, but Chromium without camera permission
 * gathers no host candidate at all without a default route (probes.md section 8).
 */
export function createThreeHostLan(): ThreeHostLan {
  const tag = randomBytes(3).toString('hex');
  const ap = `rs-${tag}-ap`;
  const names = [`rs-${tag}-s`, `rs-${tag}-a`, `rs-${tag}-b`] as const;
  const ifaces = ['s', 'a', 'b'].map((h) => `v${h}${tag}`);
  const ports = ['s', 'a', 'b'].map((h) => `p${h}${tag}`);
  const addrs = ['10.77.0.1', '10.77.0.2', '10.77.0.3'] as const;
  const made: string[] = [];
  const destroy = () => {
    for (const n of made.splice(0)) ip('netns', 'del', n);
  };
  try {
    for (const n of [ap, ...names]) {
      ip('netns', 'add', n);
      made.push(n);
      ip('-n', n, 'link', 'set', 'lo', 'up');
    }
    ip('-n', ap, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', ap, 'link', 'set', 'br0', 'up');
    for (let i = 0; i < 3; i++) {
      const [n, v, p, a] = [names[i]!, ifaces[i]!, ports[i]!, addrs[i]!];
      ip('link', 'add', v, 'type', 'veth', 'peer', 'name', p);
      ip('link', 'set', v, 'netns', n);
      ip('link', 'set', p, 'netns', ap);
      ip('-n', ap, 'link', 'set', p, 'master', 'br0');
      ip('-n', ap, 'link', 'set', p, 'up');
      ip('-n', n, 'addr', 'add', `${a}/24`, 'dev', v);
      ip('-n', n, 'link', 'set', v, 'up');
      ip('-n', n, 'route', 'add', 'default', 'via', '10.77.0.254', 'dev', v);
    }
  } catch (err) {
    destroy();
    throw err;
  }
  return {
    ap,
    hosts: names.map((n, i) => makeHost(n, addrs[i], ifaces[i])),
    setMode(mode) {
      execFileSync('ip', ['netns', 'exec', ap, 'nft', '-f', '-'], {
        input: `flush ruleset\n${apRules(mode, ports)}`,
        stdio: ['pipe', 'ignore', 'pipe'],
      });
    },
    destroy,
  };
}

/** A peer host joined to the test process's own namespace by a veth pair. */
export interface AttachedHost extends TestNet {
  /** This process's address on the link (a non-loopback address servers in this process can bind). */
  readonly localAddress: string;
  /** The peer host (its `address` is on the same /24). */
  readonly peer: Host;
}

/**
 * Creates one host joined to THIS process's namespace (the one `npm test` made) by a veth pair on
 * 10.R.R.0/24 (random R): .1 here, .2 in the new host. For relays and other servers that must be
 * reached on a non-loopback address from another host; removed with the host.
 */
export function attachPeerHost(): AttachedHost {
  const tag = randomBytes(3).toString('hex');
  const name = `rs-${tag}-p`;
  const [here, there] = [`vh${tag}`, `vp${tag}`];
  const net = `10.${100 + (parseInt(tag.slice(0, 2), 16) % 100)}.${parseInt(tag.slice(2, 4), 16)}`;
  const [localAddress, peerAddress] = [`${net}.1`, `${net}.2`];
  ip('netns', 'add', name);
  try {
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('link', 'add', here, 'type', 'veth', 'peer', 'name', there, 'netns', name);
    ip('addr', 'add', `${localAddress}/24`, 'dev', here);
    ip('link', 'set', here, 'up');
    ip('-n', name, 'addr', 'add', `${peerAddress}/24`, 'dev', there);
    ip('-n', name, 'link', 'set', there, 'up');
  } catch (err) {
    ip('netns', 'del', name);
    throw err;
  }
  const peer = makeHost(name, peerAddress, there);
  return { hosts: [peer], peer, localAddress, destroy: () => ip('netns', 'del', name) };
}
