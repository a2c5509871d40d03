// Chromium that trusts the local CA (imported into its NSS database with certutil, as a device that went
// through /trust) opens https://NAME.local:PORT/ as a secure context with no certificate error, joins over
// wss and starts a video call; a leaf for a public name signed by the same CA is refused.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalCa, issueLeaf } from '../../main/certs/ca.js';
import { createSignalServer } from '../../main/server/signal-server.js';
import type { SignalServer } from '../../main/server/surface.js';
import { netnsAvailable } from '../support/netns.js';
import { launchChromium, webRtcContext, type LaunchedChromium } from './support/chromium.js';
import { conversationState, joinViaUi, peerButton } from './support/web-client-page.js';

const WEB_CLIENT_DIR = 'dist/renderer/web-client';
const NAME = 'classroom.local';

describe.runIf(netnsAvailable('local CA in Chromium'))('local CA trusted by Chromium', { timeout: 60_000 }, () => {
  let home: string;
  let server: SignalServer;
  let publicSite: Server;
  let port: number;
  let publicPort: number;
  let chromium: LaunchedChromium;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(`${WEB_CLIENT_DIR}/index.html`)) throw new Error(`${WEB_CLIENT_DIR} is missing: run npm run build`);
    const ca = await createLocalCa('classroom');
    home = mkdtempSync(path.join(tmpdir(), 'rs-nss-'));
    // The device side of onboarding: the CA goes into the browser's trust store, nothing else.
    const db = `sql:${path.join(home, '.pki', 'nssdb')}`;
    mkdirSync(path.join(home, '.pki', 'nssdb'), { recursive: true });
    writeFileSync(path.join(home, 'ca.pem'), ca.cert);
    execFileSync('certutil', ['-N', '-d', db, '--empty-password']);
    execFileSync('certutil', [
      '-A',
      '-d',
      db,
      '-n',
      'rustysignal local CA',
      '-t',
      'C,,',
      '-i',
      path.join(home, 'ca.pem'),
    ]);

    const leaf = await issueLeaf(ca, { dns: [NAME, 'localhost'], ip: ['127.0.0.1'] });
    server = createSignalServer(
      {
        host: '127.0.0.1',
        port: 0,
        tls: leaf,
        trust: { caCert: ca.cert },
        webClientDir: WEB_CLIENT_DIR,
        mdns: { enabled: false },
      },
      { stopGraceMs: 200 },
    );
    port = (await server.start()).port!;
    // What a stolen CA key would be used for: a certificate for a public site.
    const forged = await issueLeaf(ca, { dns: ['example.com'], ip: [] });
    publicSite = createServer({ cert: forged.cert, key: forged.key }, (_req, res) => res.end('forged'));
    await new Promise<void>((r) => publicSite.listen(0, '127.0.0.1', r));
    publicPort = (publicSite.address() as AddressInfo).port;

    chromium = await launchChromium({
      env: { HOME: home },
      args: [`--host-resolver-rules=MAP ${NAME} 127.0.0.1, MAP example.com 127.0.0.1`],
    });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await chromium?.close();
    await server?.stop();
    publicSite?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function context(): Promise<BrowserContext> {
    const ctx = await webRtcContext(chromium.browser);
    contexts.push(ctx);
    return ctx;
  }

  it('opens https://NAME.local:PORT/ as a secure context, joins over wss and starts a video call', async () => {
    const url = `https://${NAME}:${port}/?room=lab`;
    const a = await joinViaUi(await context(), url, 'cam-a'); // goto throws on any certificate error
    expect(await a.evaluate(() => [window.isSecureContext, location.protocol])).toEqual([true, 'https:']);
    const b = await joinViaUi(await context(), url, 'cam-b');
    expect(
      server
        .peers()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['cam-a', 'cam-b']);

    await peerButton(a, 'cam-b').click();
    await Promise.all([conversationState(a, 'cam-b', 'open'), conversationState(b, 'cam-a', 'open')]);
    await a.getByRole('button', { name: 'Start video call' }).click();
    await b.waitForFunction(
      () => {
        const v = document.getElementById('remote-video') as HTMLVideoElement;
        return !v.hidden && v.videoWidth > 0;
      },
      undefined,
      { timeout: 15_000 },
    );
    await expect(b.locator('#call-status').textContent()).resolves.toBe('cam-a started a video call.');
  });

  it('the plain http URL on the same port leads to https, and /trust stays plain for onboarding', async () => {
    const page = await (await context()).newPage();
    await page.goto(`http://${NAME}:${port}/?room=lab`);
    expect(page.url()).toBe(`https://${NAME}:${port}/?room=lab`);
    await page.goto(`http://${NAME}:${port}/trust`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Trust this server once');
  });

  it('refuses a certificate for a public name signed by the same CA (name constraints)', async () => {
    const page = await (await context()).newPage();
    const err = await page.goto(`https://example.com:${publicPort}/`).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/net::ERR_CERT_(NAME_CONSTRAINT_VIOLATION|INVALID)\b/);
    console.log(`public-name leaf: ${/net::ERR_CERT_\w+/.exec(err!)![0]}`);
  });
});
