// Real WebRTC across a test LAN: two network-namespace hosts joined by a veth pair, no default route
// anywhere (no internet), the CLI server on host A, one headless Chromium on each host. The page is served
// over plain http:// from a LAN address, so it is not a secure context (no crypto.subtle, no camera), as
// on a typical home network without TLS.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwoHostLan, netnsAvailable, type TestNet } from '../support/netns.js';
import { expectedChecksum } from '../client/webrtc-helpers.js';
import { launchChromium, webRtcContext, type LaunchedChromium } from './support/chromium.js';
import {
  conversationState,
  joinViaUi,
  loadToOpenMs,
  peerButton,
  saveReceived,
  sendFile,
  transferState,
} from './support/web-client-page.js';

const PORT = 3012;

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`server did not print ${pattern} within ${timeoutMs} ms; output:\n${seen}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; output:\n${seen}`));
    });
  });
}

describe.runIf(netnsAvailable('webrtc e2e (two-host LAN)'))(
  'web client across two hosts of a LAN without internet',
  { timeout: 60_000 },
  () => {
    let lan: TestNet;
    let server: ChildProcess;
    let dataDir: string;
    const browsers: LaunchedChromium[] = [];

    beforeAll(async () => {
      if (!existsSync('dist/main/cli.js') || !existsSync('dist/renderer/web-client/index.html'))
        throw new Error('dist/ is missing: run npm run build first');
      lan = createTwoHostLan();
      dataDir = mkdtempSync(path.join(tmpdir(), 'rs-lan-'));
      const [a] = lan.hosts;
      server = a!.spawn(
        process.execPath,
        ['dist/main/cli.js', `${a!.address}:${PORT}`, '--no-mdns', '--data-dir', dataDir, '--log-level', 'warn'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      await waitForOutput(server, /listening on/, 15_000);
      // One browser per host: each gathers candidates from its own namespace's interfaces.
      browsers.push(...(await Promise.all(lan.hosts.map((h) => launchChromium({ netns: h.name })))));
    });
    afterAll(async () => {
      await Promise.all(browsers.map((b) => b.close()));
      if (server && server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      lan?.destroy();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('a browser on each host connects directly and transfers a 1 MB file whose checksum matches', async () => {
      const url = `http://${lan.hosts[0]!.address}:${PORT}/?room=lan`;
      const [ctxA, ctxB] = await Promise.all(browsers.map((b) => webRtcContext(b.browser)));
      const onA = await joinViaUi(ctxA!, url, 'host-a');
      const onB = await joinViaUi(ctxB!, url, 'host-b');
      expect(await onB.evaluate(() => window.isSecureContext)).toBe(false);

      await peerButton(onB, 'host-a').click();
      await Promise.all([conversationState(onB, 'host-a', 'open'), conversationState(onA, 'host-b', 'open')]);
      console.log(
        `two-host LAN: page load → open DataChannel ${await loadToOpenMs(onB)} ms (join and pick typed by the test)`,
      );
      const data = new Uint8Array(randomBytes(1024 * 1024));
      await sendFile(onA, 'lan.bin', data);
      await onB.getByRole('button', { name: 'Accept lan.bin' }).click();
      const [sent, received] = await Promise.all([
        transferState(onA, 'lan.bin', 'out', 'done'),
        transferState(onB, 'lan.bin', 'in', 'done'),
      ]);
      expect(sent).toBe(expectedChecksum(data));
      expect(received).toBe(sent);
      expect((await saveReceived(onB, 'lan.bin')).equals(data)).toBe(true);
    });
  },
);
