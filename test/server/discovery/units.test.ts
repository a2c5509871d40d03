// The pure parts of discovery: names, records, interface planning, and the discover output format.
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describe as describeServer, formatLine, urlOf } from '../../../main/discover-command.js';
import { interfaceOfBind, planLinks, type InterfaceTable } from '../../../main/server/discovery/links.js';
import {
  defaultInstanceName,
  instanceName,
  instanceOf,
  localHostName,
  sameName,
} from '../../../main/server/discovery/names.js';
import { decodeTxt, encodeTxt, goodbyes, serviceRecords, txtFor } from '../../../main/server/discovery/records.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '02:00:00:00:00:01',
  internal,
  cidr: `${address}/24`,
});
const v6 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6',
  mac: '02:00:00:00:00:01',
  internal,
  cidr: `${address}/64`,
  scopeid: 2,
});
const table: InterfaceTable = {
  lo: [v4('127.0.0.1', true), v6('::1', true)],
  eth0: [v6('fe80::1'), v4('192.168.1.20')],
  wlan0: [v4('10.0.0.5')],
  tun0: [v6('fd00::5')],
};

describe('names', () => {
  it('derives the host name and the default instance name from the first label of the OS host name', () => {
    expect(localHostName('studio.example.org')).toBe('studio.local');
    expect(localHostName('Mac.local')).toBe('mac.local');
    // One ASCII-safe rule for mDNS, the certificate and the URLs (main/server/local-name.ts).
    expect(localHostName('Büro-PC')).toBe('buro-pc.local');
    expect(localHostName('Mein Rechner_2')).toBe('mein-rechner-2.local');
    expect(localHostName('---')).toBe('rustysignal.local');
    expect(defaultInstanceName('studio.example.org')).toBe('rustysignal on studio');
  });

  it('adds the DNS-SD suffix, replaces dots, and keeps the label within 63 bytes', () => {
    expect(instanceName('kitchen', 1)).toBe('kitchen');
    expect(instanceName('kitchen', 2)).toBe('kitchen (2)');
    expect(instanceName('a.b', 1)).toBe('a-b');
    const long = 'ü'.repeat(40); // 80 bytes
    expect(Buffer.byteLength(instanceName(long, 1))).toBe(62);
    expect(instanceName(long, 12)).toBe(`${'ü'.repeat(29)} (12)`); // 58 + 5 bytes
  });

  it('reads the instance back from a service name, case-insensitively', () => {
    expect(instanceOf('Foo.Bar._RustySignal._tcp.local.')).toBe('Foo.Bar');
    expect(instanceOf('_rustysignal._tcp.local')).toBeNull();
    expect(instanceOf('x._http._tcp.local')).toBeNull();
    expect(sameName('A.local.', 'a.LOCAL')).toBe(true);
  });
});

describe('records', () => {
  const ad = { port: 3012, tls: true, path: '/ws', push: false, key: true };

  it('carries the TXT keys of the protocol', () => {
    expect(txtFor(ad)).toEqual({ v: '1,2', tls: '1', path: '/ws', push: '0', key: '1' });
    expect(encodeTxt(txtFor(ad)).map(String)).toEqual(['v=1,2', 'tls=1', 'path=/ws', 'push=0', 'key=1']);
  });

  it('decodes TXT: first occurrence wins, keys are case-insensitive, a bare key is empty, values may hold =', () => {
    expect(
      decodeTxt([Buffer.from('V=1'), Buffer.from('v=2'), Buffer.from('flag'), Buffer.from('q=a=b'), Buffer.from('')]),
    ).toEqual({ v: '1', flag: '', q: 'a=b' });
  });

  it('advertises PTR, SRV to HOST.local, TXT and the service type; goodbyes leave the shared type record alone', () => {
    const records = serviceRecords('kitchen', 'studio.local', ad);
    expect(records.map((r) => [r.type, r.name, r.ttl])).toEqual([
      ['PTR', '_rustysignal._tcp.local', 4500],
      ['SRV', 'kitchen._rustysignal._tcp.local', 120],
      ['TXT', 'kitchen._rustysignal._tcp.local', 4500],
      ['PTR', '_services._dns-sd._udp.local', 4500],
    ]);
    expect(records[1]!.data).toEqual({ port: 3012, target: 'studio.local', priority: 0, weight: 0 });
    expect(goodbyes(records).map((r) => [r.type, r.name, r.ttl])).toEqual([
      ['PTR', '_rustysignal._tcp.local', 0],
      ['SRV', 'kitchen._rustysignal._tcp.local', 0],
      ['TXT', 'kitchen._rustysignal._tcp.local', 0],
    ]);
  });
});

describe('interface plan', () => {
  it('uses every LAN interface with IPv4, IPv4 addresses first', () => {
    expect(planLinks(null, table, () => null)).toEqual({
      links: [
        { iface: 'eth0', ipv4: '192.168.1.20', addresses: ['192.168.1.20', 'fe80::1'] },
        { iface: 'wlan0', ipv4: '10.0.0.5', addresses: ['10.0.0.5'] },
      ],
      error: null,
    });
  });

  it('leaves out point-to-point and non-multicast interfaces unless named', () => {
    const flags: Record<string, number> = { eth0: 0x1043, wlan0: 0x1091 /* POINTOPOINT */, lo: 0x9 };
    expect(planLinks(null, table, (i) => flags[i] ?? null).links.map((l) => l.iface)).toEqual(['eth0']);
    expect(planLinks(null, table, (i) => (i === 'lo' ? 0x9 : 0x3)).links.map((l) => l.iface)).toEqual(['lo']);
    expect(planLinks('wlan0', table, (i) => flags[i] ?? null).links.map((l) => l.iface)).toEqual(['wlan0']);
  });

  it('falls back to loopback when there is no LAN', () => {
    expect(planLinks(null, { lo: table.lo }).links).toEqual([
      { iface: 'lo', ipv4: '127.0.0.1', addresses: ['127.0.0.1', '::1'] },
    ]);
  });

  it('takes a named interface, and says what is wrong with a bad name', () => {
    expect(planLinks('wlan0', table).links.map((l) => l.iface)).toEqual(['wlan0']);
    expect(planLinks('tun0', table)).toEqual({
      links: [],
      error:
        'mDNS is off: network interface "tun0" has no IPv4 address (mDNS runs over IPv4). Interfaces with IPv4: lo (127.0.0.1), eth0 (192.168.1.20), wlan0 (10.0.0.5). Pick one with --mdns-interface, or leave it out to use all.',
    });
  });

  it('maps the bind address to the interface that owns it', () => {
    expect(interfaceOfBind(undefined, table)).toBeNull();
    expect(interfaceOfBind('0.0.0.0', table)).toBeNull();
    expect(interfaceOfBind('::', table)).toBeNull();
    expect(interfaceOfBind('10.0.0.5', table)).toBe('wlan0');
    expect(interfaceOfBind('localhost', table)).toBe('lo');
  });

  it('maps a loopback bind in any spelling to the loopback interface, never to every interface', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost'])
      expect(interfaceOfBind(host, table), host).toBe('lo');
    expect(interfaceOfBind('0:0:0:0:0:0:0:0', table)).toBeNull();
    expect(interfaceOfBind('::ffff:192.168.1.20', table)).toBe('eth0');
    // No loopback interface listed: a name that planLinks reports as missing, not "every interface".
    expect(interfaceOfBind('::1', { eth0: table.eth0 })).toBe('lo');
  });
});

describe('discover output', () => {
  const server = {
    name: 'kitchen',
    host: 'studio.local',
    addresses: ['fe80::1', '192.168.1.20'],
    port: 3012,
    txt: { v: '1,2', tls: '1', path: 'ws', push: '1', key: '0' },
    firstSeen: 1,
    lastSeen: 2,
  };

  it('builds the URL from the first IPv4 address, tls and path; falls back to the host name', () => {
    expect(urlOf(server)).toBe('wss://192.168.1.20:3012/ws');
    expect(urlOf({ ...server, addresses: ['fe80::1'], txt: {} })).toBe('ws://studio.local:3012/');
  });

  it('prints one line per server', () => {
    expect(formatLine(describeServer(server))).toBe(
      'kitchen  wss://192.168.1.20:3012/ws  host studio.local  addresses fe80::1, 192.168.1.20  port 3012  no access key  push on',
    );
  });
});
