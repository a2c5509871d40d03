// The advertiser's decisions, packet by packet, over a recording link and fake timers: probing, the
// conflict suffix, the tie-break after announcement, sharing the host name with a system responder,
// updates and goodbyes. The socket side is covered by the namespace suites.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAdvertiser, type Advertiser } from '../../../main/server/discovery/advertiser.js';
import type { DnsPacket, MdnsLink } from '../../../main/server/discovery/links.js';
import type { Advertisement, DnsRecord, IncomingRecord } from '../../../main/server/discovery/records.js';

interface RecordingLink extends MdnsLink {
  served: DnsRecord[];
  sent: DnsRecord[][];
  queries: { questions: { name: string; type: string }[]; authorities: DnsRecord[] }[];
  receive(answers: IncomingRecord[]): void;
}

function recordingLink(): RecordingLink {
  const handlers: ((p: DnsPacket) => void)[] = [];
  const link: RecordingLink = {
    spec: { iface: 'eth0', ipv4: '192.168.1.20', addresses: ['192.168.1.20'] },
    broken: false,
    served: [],
    sent: [],
    queries: [],
    serve: (records) => void (link.served = records),
    send: (records) => Promise.resolve(void link.sent.push(records)),
    query: (questions, authorities = []) => Promise.resolve(void link.queries.push({ questions, authorities })),
    onResponse: (fn) => void handlers.push(fn),
    close: async () => {},
    receive: (answers) =>
      handlers.forEach((h) => h({ type: 'response', questions: [], answers, additionals: [], authorities: [] })),
  };
  return link;
}

const ad: Advertisement = { port: 3012, tls: false, path: '/', push: false, key: false };
const srv = (name: string, port: number, target: string, ttl = 120): IncomingRecord => ({
  name: `${name}._rustysignal._tcp.local`,
  type: 'SRV',
  ttl,
  data: { port, target, priority: 0, weight: 0 },
});
const summary = (records: DnsRecord[]) => records.map((r) => `${r.type} ${r.name} ${r.ttl}`);

describe('advertiser', () => {
  let link: RecordingLink;
  let advertised: string[];
  let problems: string[];
  let adv: Advertiser;
  let local: Set<string>;

  beforeEach(() => {
    vi.useFakeTimers();
    link = recordingLink();
    advertised = [];
    problems = [];
    local = new Set(['192.168.1.20', '127.0.0.1']);
    adv = createAdvertiser(ad, {
      host: 'studio.local',
      baseName: 'kitchen',
      links: () => [link],
      localAddresses: () => local,
      onAdvertised: (n) => advertised.push(n),
      onProblem: (m) => problems.push(m),
    });
  });
  afterEach(() => vi.useRealTimers());

  it('probes three times with its proposed records, then announces twice and claims the name', async () => {
    adv.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(link.queries).toHaveLength(3);
    expect(link.queries[0]!.questions).toEqual([
      { name: 'kitchen._rustysignal._tcp.local', type: 'ANY' },
      { name: 'studio.local', type: 'ANY' },
    ]);
    expect(summary(link.queries[0]!.authorities)).toEqual([
      'SRV kitchen._rustysignal._tcp.local 120',
      'TXT kitchen._rustysignal._tcp.local 4500',
    ]);
    expect(advertised).toEqual(['kitchen']);
    expect(summary(link.served)).toEqual([
      'PTR _rustysignal._tcp.local 4500',
      'SRV kitchen._rustysignal._tcp.local 120',
      'TXT kitchen._rustysignal._tcp.local 4500',
      'PTR _services._dns-sd._udp.local 4500',
      'A studio.local 120',
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(link.sent).toHaveLength(2);
    expect(adv.current()).toEqual({ name: 'kitchen', port: 3012, host: 'studio.local' });
  });

  it('takes the next name when someone answers a probe', async () => {
    adv.start();
    await vi.advanceTimersByTimeAsync(300);
    link.receive([srv('kitchen', 4000, 'other.local')]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(advertised).toEqual(['kitchen (2)']);
    expect(link.queries.some((q) => q.questions[0]!.name === 'kitchen (2)._rustysignal._tcp.local')).toBe(true);
  });

  it('ignores an echo of its own records while probing', async () => {
    adv.start();
    await vi.advanceTimersByTimeAsync(300);
    link.receive([srv('kitchen', 3012, 'studio.local')]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(advertised).toEqual(['kitchen']);
  });

  it('after announcing, yields its name to a claim with higher SRV data', async () => {
    adv.start();
    await vi.advanceTimersByTimeAsync(2000);
    link.sent = [];
    link.receive([srv('kitchen', 4000, 'other.local')]);
    expect(summary(link.sent[0]!)).toEqual([
      'PTR _rustysignal._tcp.local 0',
      'SRV kitchen._rustysignal._tcp.local 0',
      'TXT kitchen._rustysignal._tcp.local 0',
    ]);
    expect(link.served).toEqual([]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(advertised).toEqual(['kitchen', 'kitchen (2)']);
  });

  it('after announcing, defends its name against a claim with lower SRV data', async () => {
    adv.start();
    await vi.advanceTimersByTimeAsync(2000);
    link.sent = [];
    link.receive([srv('kitchen', 2000, 'other.local')]);
    expect(link.sent).toHaveLength(1);
    expect(summary(link.sent[0]!)).toContain('SRV kitchen._rustysignal._tcp.local 120');
    await vi.advanceTimersByTimeAsync(2000);
    expect(advertised).toEqual(['kitchen']);
  });

  it('leaves the host addresses to a system responder that answers for them, and takes over when it leaves', async () => {
    adv.start();
    await vi.advanceTimersByTimeAsync(300);
    link.receive([{ name: 'studio.local', type: 'A', ttl: 120, data: '192.168.1.20' }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(summary(link.served).filter((r) => r.startsWith('A '))).toEqual([]);
    expect(problems).toEqual([]);

    link.receive([{ name: 'studio.local', type: 'A', ttl: 0, data: '192.168.1.20' }]);
    expect(summary(link.served).filter((r) => r.startsWith('A '))).toEqual(['A studio.local 120']);
    expect(summary(link.sent.at(-1)!)).toEqual(['A studio.local 120']);
  });

  it('reports another device answering for its host name', async () => {
    adv.start();
    await vi.advanceTimersByTimeAsync(300);
    link.receive([{ name: 'studio.local', type: 'A', ttl: 120, data: '192.168.1.99' }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(problems).toEqual([
      'another device on the network answers for studio.local (192.168.1.99); devices may reach it instead of this server. Give this computer a unique name.',
    ]);
    expect(summary(link.served)).toContain('A studio.local 120');
  });

  it('announces new TXT on update and says goodbye on stop', async () => {
    adv.start();
    await vi.advanceTimersByTimeAsync(2000);
    link.sent = [];
    adv.update({ ...ad, tls: true, key: true });
    const txt = link.sent[0]!.find((r) => r.type === 'TXT')!;
    expect(txt.data.map(String)).toEqual(['v=1,2', 'tls=1', 'path=/', 'push=0', 'key=1']);
    expect(txt.flush).toBe(true);

    link.sent = [];
    await adv.stop();
    expect(summary(link.sent[0]!)).toEqual([
      'PTR _rustysignal._tcp.local 0',
      'SRV kitchen._rustysignal._tcp.local 0',
      'TXT kitchen._rustysignal._tcp.local 0',
      'A studio.local 0',
    ]);
    expect(link.served).toEqual([]);
  });

  it('waits for an interface before probing, and claims nothing without one', async () => {
    const links: MdnsLink[] = [];
    const waiting = createAdvertiser(ad, {
      host: 'studio.local',
      baseName: 'kitchen',
      links: () => links,
      localAddresses: () => local,
      onAdvertised: (n) => advertised.push(n),
      onProblem: () => {},
    });
    waiting.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(advertised).toEqual([]);
    links.push(link);
    waiting.attach(link);
    await vi.advanceTimersByTimeAsync(2000);
    expect(advertised).toEqual(['kitchen']);
  });
});
