// A LAN-like interface inside the test's own network namespace: a veth pair with a link-local address,
// so the server has a non-loopback address to list (and a QR code to draw). Never in the host namespace.
import { execFileSync } from 'node:child_process';
import { isIsolated } from '../../support/netns.js';

export interface TestInterface {
  readonly name: string;
  readonly address: string;
  remove(): void;
}

/** Adds `rsdash0` with 169.254.88.1/24 (peer `rsdash1`); only inside npm test's namespace. */
export function addTestInterface(): TestInterface {
  if (!isIsolated) throw new Error('addTestInterface: refusing to touch interfaces outside the test namespace');
  const name = 'rsdash0';
  const address = '169.254.88.1';
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ip('link', 'add', name, 'type', 'veth', 'peer', 'name', 'rsdash1');
  ip('addr', 'add', `${address}/24`, 'dev', name);
  ip('link', 'set', name, 'up');
  ip('link', 'set', 'rsdash1', 'up');
  return {
    name,
    address,
    remove: () => {
      try {
        ip('link', 'del', name); // takes its peer with it
      } catch {
        // the namespace goes away with the test process anyway
      }
    },
  };
}
