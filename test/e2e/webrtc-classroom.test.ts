// Classroom Wi-Fi, reproduced in network namespaces (probes.md section 8): an access-point bridge, the CLI
// server on host S, a headless Chromium on each student host A and B. The students' pages have no camera or
// microphone permission (they only chat and send files), so Chromium hides their addresses behind mDNS
// names. With multicast dropped, the relay's STUN is enough; with client isolation, only its TURN relay
// carries the data; with the relay off, both fail and the page says why.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedChecksum } from '../client/webrtc-helpers.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { createThreeHostLan, netnsAvailable, type ApMode, type ThreeHostLan } from '../support/netns.js';
import { launchChromium, type LaunchedChromium } from './support/chromium.js';
import { conversationState, joinViaUi, peerButton, sendFile, transferState } from './support/web-client-page.js';

const WITH_RELAY = 3012;
const WITHOUT_RELAY = 3013;

describe.runIf(netnsAvailable('webrtc e2e (three-host classroom LAN)'))(
  'students without camera permission on classroom Wi-Fi',
  { timeout: 120_000 },
  () => {
    let lan: ThreeHostLan;
    const servers: RunningCli[] = [];
    const dirs: string[] = [];
    let browsers: LaunchedChromium[] = [];
    let contexts: BrowserContext[] = [];

    beforeAll(async () => {
      if (!existsSync('dist/main/cli.js') || !existsSync('dist/renderer/web-client/index.html'))
        throw new Error('dist/ is missing: run npm run build first');
      lan = createThreeHostLan();
      const [s, a, b] = lan.hosts;
      const serve = (port: number, relay: string[]) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'rs-classroom-'));
        dirs.push(dir);
        return startCli([`${s!.address}:${port}`, '--no-mdns', '--data-dir', dir, ...relay], {
          netns: s!.name,
          timeoutMs: 30_000,
        });
      };
      servers.push(
        ...(await Promise.all([
          serve(WITH_RELAY, ['--turn-port', '3478']),
          serve(WITHOUT_RELAY, ['--turn-port', '0']),
        ])),
      );
      // One browser per student host, without the fake media UI: pages get no camera permission.
      browsers = await Promise.all([a!, b!].map((h) => launchChromium({ netns: h.name, mediaPermission: false })));
    });
    afterEach(async () => {
      await Promise.all(contexts.map((c) => c.close()));
      contexts = [];
    });
    afterAll(async () => {
      await Promise.all(browsers.map((b) => b.close()));
      for (const s of servers) {
        s.child.kill('SIGTERM');
        await s.exited;
      }
      lan?.destroy();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    /** Sets the access point's mode, and puts student A and student B in a room on the server at `port`. */
    async function students(mode: ApMode, port: number): Promise<[Page, Page]> {
      lan.setMode(mode);
      contexts = await Promise.all(browsers.map((b: { browser: Browser }) => b.browser.newContext()));
      // Keeps the page's peer connections reachable, to read the selected pair independently of the page.
      await Promise.all(
        contexts.map((c) =>
          c.addInitScript(() => {
            const Original = window.RTCPeerConnection;
            const seen: RTCPeerConnection[] = [];
            (window as unknown as { seenPeerConnections: RTCPeerConnection[] }).seenPeerConnections = seen;
            window.RTCPeerConnection = class extends Original {
              constructor(config?: RTCConfiguration) {
                super(config);
                seen.push(this);
              }
            };
          }),
        ),
      );
      const room = `${mode}-${port}`;
      const url = `http://${lan.hosts[0]!.address}:${port}/?room=${room}`;
      const onA = await joinViaUi(contexts[0]!, url, 'student-a');
      const onB = await joinViaUi(contexts[1]!, url, 'student-b');
      const camera = await onA.evaluate(() =>
        navigator.permissions.query({ name: 'camera' }).then(
          (p) => p.state,
          () => 'unavailable',
        ),
      );
      expect(camera).not.toBe('granted');
      clickedAt = performance.now();
      await peerButton(onB, 'student-a').click();
      return [onA, onB];
    }

    /** 1 MiB from A to B over the conversation's DataChannel; both sides' checksums match the bytes sent. */
    async function sendMebibyte(onA: Page, onB: Page): Promise<void> {
      const data = new Uint8Array(randomBytes(1024 * 1024));
      await sendFile(onA, 'class.bin', data);
      await onB.getByRole('button', { name: 'Accept class.bin' }).click();
      const [sent, received] = await Promise.all([
        transferState(onA, 'class.bin', 'out', 'done'),
        transferState(onB, 'class.bin', 'in', 'done'),
      ]);
      expect(sent).toBe(expectedChecksum(data));
      expect(received).toBe(sent);
    }

    let clickedAt = 0;
    const since = () => Math.round(performance.now() - clickedAt);

    const route = (page: Page) => page.locator('#conversation').getAttribute('data-route');
    const status = (page: Page) => page.locator('#conversation-status').textContent();

    it('(a) multicast dropped: STUN on the server host is enough, the students connect directly', async () => {
      const [onA, onB] = await students('no-multicast', WITH_RELAY);
      await Promise.all([conversationState(onB, 'student-a', 'open'), conversationState(onA, 'student-b', 'open')]);
      console.log(`classroom, multicast dropped: click → both open ${since()} ms`);
      await sendMebibyte(onA, onB);
      await expect.poll(() => route(onB)).toBe('direct');
      expect(await status(onB)).toBe('Connected to student-a directly.');
    });

    it('(b) client isolation: the data goes through the relay, and the page says so', async () => {
      const [onA, onB] = await students('isolated', WITH_RELAY);
      await Promise.all([conversationState(onB, 'student-a', 'open'), conversationState(onA, 'student-b', 'open')]);
      console.log(`classroom, client isolation: click → both open through the relay ${since()} ms`);
      await sendMebibyte(onA, onB);
      await expect.poll(() => route(onB)).toBe('relay');
      await expect.poll(() => route(onA)).toBe('relay');
      expect(await status(onB)).toMatch(/^Connected to student-a through the relay on the server/);
      // The page's label comes from getStats; read the selected pair here too, and the ICE servers it got.
      const selected = await onB.evaluate(async () => {
        const pc = (window as unknown as { seenPeerConnections: RTCPeerConnection[] }).seenPeerConnections[0]!;
        const stats: Record<string, unknown>[] = [];
        (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.push(s));
        const byId = new Map(stats.map((s) => [s.id, s]));
        const transport = stats.find((s) => s.type === 'transport')!;
        const pair = byId.get(transport.selectedCandidatePairId)!;
        return {
          local: byId.get(pair.localCandidateId)!.candidateType,
          remote: byId.get(pair.remoteCandidateId)!.candidateType,
          urls: pc.getConfiguration().iceServers!.flatMap((s) => s.urls),
        };
      });
      expect([selected.local, selected.remote]).toContain('relay');
      expect(selected.urls).toEqual([
        'stun:10.77.0.1:3478',
        'turn:10.77.0.1:3478?transport=udp',
        'turn:10.77.0.1:3478?transport=tcp',
      ]);
    });

    it.each<[ApMode]>([['no-multicast'], ['isolated']])(
      '(c) %s without the relay: no connection, and the page explains why in plain words',
      async (mode) => {
        const [onA, onB] = await students(mode, WITHOUT_RELAY);
        const problem = onB.locator('#conversation[data-state="connecting"]:not([data-problem=""])');
        await problem.waitFor({ timeout: 20_000 });
        console.log(`classroom, ${mode}, relay off: click → explanation shown ${since()} ms`);
        expect(await onB.locator('#conversation').getAttribute('data-problem')).toBe('peer-hidden');
        expect(await status(onB)).toMatch(
          /^Cannot connect to student-a yet\. student-a.s device cannot be found on this network: the Wi-Fi blocks devices from discovering each other .* turn the relay on/,
        );
        await expect.poll(() => peerButton(onB, 'student-a').textContent()).toMatch(/cannot connect/);
        expect(await onA.locator('#conversation').getAttribute('data-state')).not.toBe('open');
      },
    );
  },
);
