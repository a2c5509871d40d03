// A machine with a LAN interface, as the server sees it, without touching the network namespace that
// other suites share: the real server builds its URLs from an interface table in which `lab0` holds
// 127.0.0.2. That address is loopback underneath (all of 127/8 is), so the URLs really connect to the
// server bound to 0.0.0.0, and nothing leaves the machine.
import type { NetworkInterfaceInfo } from 'node:os';
import type { ServerFactory } from '../../../main/app/server-factory.js';
import type { InterfaceAddress } from '../../../main/server/report-types.js';
import type { Logger } from '../../../main/server/logger.js';
import { pushServiceFactory } from '../../../main/server/push/factory.js';
import { createSignalServer } from '../../../main/server/signal-server.js';

export const LAN_INTERFACE = 'lab0';
export const LAN_ADDRESS = '127.0.0.2';

const info = (address: string, internal: boolean): NetworkInterfaceInfo => ({
  address,
  netmask: internal ? '255.0.0.0' : '255.255.255.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: `${address}/${internal ? 8 : 24}`,
});

/** The interface table: loopback plus `lab0`. */
export const testInterfaces: Record<string, NetworkInterfaceInfo[]> = {
  lo: [info('127.0.0.1', true)],
  [LAN_INTERFACE]: [info(LAN_ADDRESS, false)],
};

/** The same table as the certificate code reads it (IpcDeps.interfaces). */
export function testLanAddresses(): InterfaceAddress[] {
  return Object.entries(testInterfaces).flatMap(([name, list]) =>
    list.map((i) => ({ interface: name, address: i.address, family: 'IPv4' as const, internal: i.internal })),
  );
}

/**
 * The desktop's server (the core plus Web Push, one push factory for every restart, as serverFactory
 * builds it) with its status URLs listed for `testInterfaces`. `logger` is read at each start, so it
 * may come from deps built after this factory.
 */
export function factoryWithTestInterfaces(opts: { logger: () => Logger; stopGraceMs: number }): ServerFactory {
  const pushFactory = pushServiceFactory();
  return (options) =>
    createSignalServer(options, {
      pushFactory,
      logger: opts.logger(),
      stopGraceMs: opts.stopGraceMs,
      networkInterfaces: () => testInterfaces,
    });
}
