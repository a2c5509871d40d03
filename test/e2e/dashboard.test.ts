// The dashboard window in headless Chromium against real data: the built renderer served on 127.0.0.1,
// its preload API backed by the real IPC handler table over a real server host and settings, real ws
// clients joining and leaving, a LAN interface (lab0, 127.0.0.2) besides loopback. Every view is checked
// for what the data says, and photographed in both themes (test-artifacts/screenshots/).
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { CONTENT_SECURITY_POLICY } from '../../main/app/security.js';
import { generateLanCertificate } from '../../main/certs/generate.js';
import { createIpcHandlers, type IpcHandlers } from '../../main/ipc/handlers.js';
import { createNodeIpcDeps } from '../support/node-ipc-deps.js';
import { localHostName } from '../../main/server/local-name.js';
import { createSignalServer } from '../../main/server/signal-server.js';
import type { Frame } from '../support/clients.js';
import { netnsAvailable } from '../support/netns.js';
import { launchChromium, type LaunchedChromium } from './support/chromium.js';
import { factoryWithTestInterfaces, LAN_ADDRESS, LAN_INTERFACE, testLanAddresses } from './dashboard-support/lan.js';
import { auditAccessibility, lowestContrast, screenshotBothThemes } from './dashboard-support/page-checks.js';
import { expectNoSeriousFindings, installAxe } from './support/axe.js';
import { installPreload, type PreloadBridge } from './dashboard-support/preload-bridge.js';
import { serveStatic, type StaticServer } from './dashboard-support/static-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const distDir = path.join(root, 'dist/renderer/dashboard');
const shotsDir = path.join(root, 'test-artifacts/screenshots');
const run = netnsAvailable('dashboard e2e (headless Chromium)');

type Deps = ReturnType<typeof createNodeIpcDeps>;

describe.skipIf(!run)('dashboard window', () => {
  let dataDir: string;
  let deps: Deps;
  let handlers: IpcHandlers;
  let web: StaticServer;
  let chromium: LaunchedChromium;
  let page: Page;
  let bridge: PreloadBridge;
  const opened: string[] = [];
  const copied: string[] = [];
  const pageErrors: string[] = [];
  const clients = new Set<WebSocket>();
  const measured: Record<string, number> = {};

  /** Opens a ws client to the running server (plain ws) and waits for it to be accepted. */
  async function connect(query: string): Promise<WebSocket> {
    const port = deps.host.status().port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/?${query}`);
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return ws;
  }

  function closeAll(): Promise<void> {
    const all = [...clients];
    return Promise.all(
      all.map(
        (ws) =>
          new Promise<void>((r) =>
            ws.readyState === WebSocket.CLOSED ? r() : (ws.once('close', () => r()), ws.close()),
          ),
      ),
    ).then(() => {});
  }

  const text = (sel: string) =>
    page
      .locator(sel)
      .first()
      .textContent()
      .then((t) => (t ?? '').trim());
  const go = async (route: string) => {
    await page.evaluate((r) => (location.hash = `#/${r}`), route);
    await page.locator(`main[data-view="${route}"] h1`).waitFor();
  };
  const shoot = (name: string) => screenshotBothThemes(page, shotsDir, name);

  beforeAll(async () => {
    const t0 = performance.now();
    const vite = path.join(root, 'node_modules/vite/bin/vite.js');
    const build = spawnSync(
      process.execPath,
      [vite, 'build', '--config', path.join(root, 'renderer/dashboard/vite.config.ts'), '--logLevel', 'warn'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(build.status, build.stderr).toBe(0);
    measured.buildMs = Math.round(performance.now() - t0);

    const step = (what: string) =>
      process.env.DASHBOARD_E2E_DEBUG && console.error(`${Math.round(performance.now() - t0)} ms: ${what}`);
    step('built');
    dataDir = mkdtempSync(path.join(tmpdir(), 'rs-dash-'));
    // The real server (logging into the dashboard's log), seeing a LAN interface besides loopback.
    deps = createNodeIpcDeps({
      dir: dataDir,
      settings: { host: '0.0.0.0', port: 0, mdns: { enabled: false }, relay: { port: 0 } },
      // The web client is served, so join QR codes point at it (Status, Rooms).
      webClientDir: path.join(root, 'dist/renderer/web-client'),
      factory: factoryWithTestInterfaces({ logger: () => deps.logs.logger, stopGraceMs: 500 }),
      overrides: {
        hostname: () => 'dash-test',
        interfaces: testLanAddresses,
        copyText: (t) => void copied.push(t),
        openPath: (p) => {
          opened.push(p);
          return Promise.resolve('');
        },
      },
    });
    handlers = createIpcHandlers(deps);
    web = await serveStatic(distDir, { 'content-security-policy': CONTENT_SECURITY_POLICY });
    step('serving');
    chromium = await launchChromium();
    step('browser up');
    const context = await chromium.browser.newContext({
      viewport: { width: 1280, height: 860 },
      colorScheme: 'light',
      locale: 'en-GB',
      timezoneId: 'UTC',
    });
    await installAxe(context);
    page = await context.newPage();
    // A step that cannot happen fails here, naming the step, long before the test's own timeout.
    page.setDefaultTimeout(5000);
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    bridge = await installPreload(page, handlers, deps, web.url);
    await page.goto(`${web.url}#/status`);
    step('page loaded');
    await page.locator('main[data-view="status"] h1').waitFor();
    step('dashboard drawn');
  }, 60_000);

  afterAll(async () => {
    await closeAll().catch(() => {});
    bridge?.close();
    await chromium?.close();
    await web?.close();
    await deps?.host.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    console.log(`dashboard e2e measurements: ${JSON.stringify(measured)}`);
  });

  test('Status: start the server, one row per address with its URL, copy button and QR code', async () => {
    expect(await text('[data-testid=state]')).toBe('Stopped');
    await page.getByRole('button', { name: 'Start server' }).click();
    await expect.poll(() => text('[data-testid=state]')).toBe('Running');

    const st = deps.host.status();
    expect(st.state).toBe('running');
    expect(await text('[data-testid=port]')).toBe(String(st.port));
    // LAN addresses first, loopback last, exactly as the host lists them.
    expect(await page.locator('[data-testid=ws-url]').allTextContents()).toEqual(st.addresses.map((a) => a.url));
    const lanRow = st.addresses.find((a) => a.address === LAN_ADDRESS)!;
    expect(lanRow).toMatchObject({ interface: LAN_INTERFACE, internal: false, url: `ws://${LAN_ADDRESS}:${st.port}/` });

    // The QR code encodes the URL: the same library re-draws the same SVG here.
    // With the web client served, a phone scans its address.
    expect(lanRow.webClientUrl).toBe(`http://${LAN_ADDRESS}:${st.port}/`);
    const qr = page.locator(`li[data-address="${LAN_ADDRESS}"] img.qr`);
    await qr.waitFor();
    expect(await qr.getAttribute('data-qr-text')).toBe(lanRow.webClientUrl);
    const svg = await QRCode.toString(lanRow.webClientUrl!, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
      color: { dark: '#000000', light: '#ffffff' },
    });
    expect(await qr.getAttribute('src')).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    // Loopback is reachable from this computer only: no QR code for it.
    expect(await page.locator('li[data-address="127.0.0.1"] img.qr').count()).toBe(0);

    await page.getByRole('button', { name: `Copy signaling URL for ${lanRow.interface} (IPv4)` }).click();
    await expect.poll(() => copied.at(-1)).toBe(lanRow.url);
    await expect
      .poll(() => text('[data-testid=toast]'))
      .toBe(`Copied the signaling URL for ${lanRow.interface} (IPv4)`);

    // Counters follow real connections.
    await connect('user=alice&v=2&room=lab');
    await connect('user=bob&v=2&room=lab');
    await connect('');
    await expect.poll(() => text('[data-testid=connections]')).toBe('3');
    expect(await text('[data-testid=peers]')).toBe('2');
    // Rooms with anyone in them, as the server counts them: "lab", and the default room of the nameless one.
    expect(await text('[data-testid=rooms]')).toBe('2');
    expect(await text('[data-testid=header-summary]')).toBe('2 peers · 3 connections');
    await expect.poll(() => text('[data-testid=uptime]')).toMatch(/^\d+ s$/);
    await shoot('status');
    await closeAll();
    await expect.poll(() => text('[data-testid=connections]')).toBe('0');
  });

  test('Rooms: lock a room and give it a code from the dashboard; the join QR carries room and code', async () => {
    const kim = await connect('user=kim&v=2&room=class1');
    try {
      await go('rooms');
      const card = page.locator('li[data-room="class1"]');
      await card.waitFor();
      await card.getByRole('button', { name: 'Lock room class1' }).click();
      await expect.poll(() => card.getAttribute('data-locked')).toBe('true');
      // A new name is refused with the documented code; kim, already in, stays.
      const late = new WebSocket(`ws://127.0.0.1:${deps.host.status().port}/?user=late&v=2&room=class1`);
      clients.add(late);
      const first = await new Promise<string>((r) => late.once('message', (d: Buffer) => r(d.toString())));
      expect(JSON.parse(first)).toMatchObject({ action: 'error', data: { code: 'room-locked' } });
      expect(kim.readyState).toBe(WebSocket.OPEN);

      await card.getByLabel('Access code for class1').fill('two words');
      await card.getByRole('button', { name: 'Set code' }).click();
      await expect
        .poll(() => text('li[data-room="class1"] .field .error'))
        .toBe('code must be 1 to 32 characters without spaces or control characters');
      await card.getByLabel('Access code for class1').fill('tiger7');
      await card.getByRole('button', { name: 'Set code' }).click();
      const url = `http://${LAN_ADDRESS}:${deps.host.status().port}/class1?code=tiger7`;
      await expect.poll(() => text('li[data-room="class1"] [data-testid=room-url]')).toBe(url);
      await expect.poll(() => card.locator('img.qr').getAttribute('data-qr-text')).toBe(url);
      expect(
        deps.host
          .current()!
          .rooms()
          .find((r) => r.room === 'class1'),
      ).toMatchObject({
        locked: true,
        code: 'tiger7',
      });
      await expectNoSeriousFindings(page, 'dashboard rooms');
      await shoot('rooms');
      await card.getByRole('button', { name: 'Remove code' }).click();
      await card.getByRole('button', { name: 'Unlock room class1' }).click();
      await expect.poll(() => card.getAttribute('data-locked')).toBe('false');
    } finally {
      await closeAll();
      await expect.poll(() => deps.host.current()?.peers().length ?? 0).toBe(0);
    }
  }, 60_000);

  test('Peers: the table follows real clients joining and leaving; sort, filter, kick with a reason', async () => {
    await go('peers');
    expect(await page.getByTestId('peers-empty').isVisible()).toBe(true);
    const alice = await connect('user=alice&v=2&room=lab');
    const bob = await connect('user=bob&v=2&room=lab');
    const carol = await connect('user=carol');
    const nameless = await connect('');
    const rows = page.locator('table.peers tbody tr[data-peer-id]');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await text('[data-testid=peer-count]')).toBe('3 peers');
    // A connection without a name is listed too (it can be kicked), and counted apart.
    expect(await text('[data-testid=anonymous-count]')).toBe('· 1 anonymous connection');

    const names = () =>
      rows
        .locator('td.c-name')
        .allTextContents()
        .then((a) => a.map((s) => s.trim()));
    // Sorted by "connected since" first: join order.
    expect(await names()).toEqual(['alice', 'bob', 'carol', 'anonymous']);

    // Live counters (peer-stats, about once a second): alice sends bob 3 messages and herself 1.
    const counts = (name: string) =>
      page.locator('table.peers tbody tr', { hasText: name }).locator('td.c-in, td.c-out').allTextContents();
    for (let i = 0; i < 3; i++)
      alice.send(JSON.stringify({ protocol: 'one-to-one', to: 'bob', action: 'note', data: i }));
    alice.send('{"protocol":"one-to-self","action":"ping"}');
    await expect.poll(() => counts('alice')).toEqual(['4', '1']);
    expect(await counts('bob')).toEqual(['0', '3']);
    expect(await counts('carol')).toEqual(['0', '0']);
    // Sorted by a counter, the order follows new counts: carol echoes 5 messages to herself and moves up.
    await page.getByRole('button', { name: 'Msgs out', exact: true }).click();
    await page.getByRole('button', { name: 'Msgs out', exact: true }).click();
    await expect.poll(names).toEqual(['bob', 'alice', 'carol', 'anonymous']);
    for (let i = 0; i < 5; i++) carol.send('{"protocol":"one-to-self"}');
    await expect.poll(() => counts('carol')).toEqual(['5', '5']);
    expect(await names()).toEqual(['carol', 'bob', 'alice', 'anonymous']);
    const aliceRow = page.locator('table.peers tr', { hasText: 'alice' });
    expect((await aliceRow.locator('td.c-room').textContent())?.trim()).toBe('lab');
    expect((await aliceRow.locator('td.c-addr').textContent())?.trim()).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(
      (await page.locator('table.peers tr', { hasText: 'carol' }).locator('td.c-room').textContent())?.trim(),
    ).toBe('default');

    await page.getByRole('button', { name: 'Name', exact: true }).click();
    await page.getByRole('button', { name: 'Name', exact: true }).click();
    // Descending or ascending, a row without a name stays last.
    await expect.poll(names).toEqual(['carol', 'bob', 'alice', 'anonymous']);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Name');

    await page.getByLabel('Filter by name, room or address').fill('lab');
    await expect.poll(names).toEqual(['bob', 'alice']);
    expect(await text('[data-testid=peer-count]')).toBe('Showing 2 of 4 connections');
    await page.getByLabel('Filter by name, room or address').fill('');

    carol.close();
    await expect.poll(names).toEqual(['bob', 'alice', 'anonymous']);
    await shoot('peers');

    // The anonymous connection is kicked like anyone else, and its row goes.
    const anonClosed = new Promise<number>((r) => nameless.once('close', (code) => r(code)));
    await page.locator('table.peers tbody tr', { hasText: 'anonymous' }).getByRole('button', { name: /^Kick/ }).click();
    const anonDialog = page.getByRole('dialog');
    await anonDialog.waitFor();
    await anonDialog.getByRole('button', { name: 'Kick', exact: true }).click();
    expect(await anonClosed).toBe(4000);
    await expect.poll(names).toEqual(['bob', 'alice']);
    expect(await page.getByTestId('anonymous-count').count()).toBe(0);

    // A phone that comes back with its resume token replaces its old row (new connection, same name).
    const phone = new WebSocket(`ws://127.0.0.1:${deps.host.status().port}/?user=phone&v=2&room=lab`);
    clients.add(phone);
    phone.on('close', () => clients.delete(phone));
    const token = await new Promise<string>((r) =>
      phone.once('message', (d: Buffer) => r((JSON.parse(d.toString()) as Frame).data.token as string)),
    );
    await expect.poll(names).toEqual(['phone', 'bob', 'alice']);
    const phoneId = await page.locator('table.peers tbody tr', { hasText: 'phone' }).getAttribute('data-peer-id');
    const back = await connect(`user=phone&v=2&room=lab&token=${encodeURIComponent(token)}`);
    await expect
      .poll(() => page.locator('table.peers tbody tr', { hasText: 'phone' }).getAttribute('data-peer-id'))
      .not.toBe(phoneId);
    expect(await names()).toEqual(['phone', 'bob', 'alice']);
    back.close();
    await expect.poll(names).toEqual(['bob', 'alice']);

    // Kick bob from the keyboard: focus the table, select his row, Delete opens the dialog.
    await page.locator('table.peers').focus();
    await page.keyboard.press('Home');
    expect(await page.locator('tr[aria-selected="true"] td.c-name').textContent()).toBe('bob');
    await page.keyboard.press('Delete');
    const dialog = page.getByRole('dialog', { name: 'Kick bob?' });
    await dialog.waitFor();
    await dialog.getByLabel('Reason').fill('lesson is over');
    const closed = new Promise<[number, string]>((r) =>
      bob.once('close', (code, reason) => r([code, reason.toString()])),
    );
    await dialog.getByRole('button', { name: 'Kick', exact: true }).click();
    expect(await closed).toEqual([4000, 'lesson is over']);
    await expect.poll(names).toEqual(['alice']);
    expect(await dialog.isVisible()).toBe(false);
    expect(alice.readyState).toBe(WebSocket.OPEN);
    await page.getByRole('button', { name: 'Name', exact: true }).click(); // back to ascending
    await closeAll();
    await expect.poll(() => rows.count()).toBe(0);
    expect(await page.getByTestId('peers-empty').isVisible()).toBe(true);
  });

  test('Peers: 1,000 peers arrive, render incrementally and scroll', async () => {
    await go('peers');
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({
        type: 'longtask',
      });
    });
    const N = 1000;
    const t0 = performance.now();
    const batch: Array<Promise<WebSocket>> = [];
    // 100 rooms of 10: v2 tells every member of a room about each join, so one room of 1,000 would cost
    // the server half a million control messages and measure that instead of the window.
    for (let i = 1; i <= N; i++)
      batch.push(connect(`user=p${String(i).padStart(4, '0')}&v=2&room=r${String(i % 100).padStart(2, '0')}`));
    const all = await Promise.all(batch);
    measured.connect1000Ms = Math.round(performance.now() - t0);
    await expect.poll(() => text('[data-testid=peer-count]'), { timeout: 15_000 }).toBe('1,000 peers');
    measured.shown1000Ms = Math.round(performance.now() - t0);

    // Only the rows in view (plus a margin) are in the DOM.
    const domRows = await page.locator('table.peers tbody tr[data-peer-id]').count();
    expect(domRows).toBeGreaterThan(10);
    expect(domRows).toBeLessThan(80);
    expect(await page.locator('table.peers').getAttribute('aria-rowcount')).toBe(String(N + 1));

    // Jump to the end: the last peer is rendered within a frame or two.
    const scrollMs = await page.evaluate(async () => {
      const el = document.querySelector('.table-scroll') as HTMLElement;
      const start = performance.now();
      el.scrollTop = el.scrollHeight;
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => requestAnimationFrame(r));
        if (Array.from(document.querySelectorAll('td.c-name')).some((td) => td.textContent === 'p1000'))
          return performance.now() - start;
      }
      return -1;
    });
    expect(scrollMs).toBeGreaterThanOrEqual(0);
    measured.scrollToEndMs = Math.round(scrollMs);

    // Every peer echoes one message to itself: peer-stats rows for all 1,000, applied in place.
    const rowsAtEnd = await page.locator('table.peers tbody tr[data-peer-id]').count();
    const longTasksBefore = await page.evaluate(
      () => (window as unknown as { __longTasks: number[] }).__longTasks.length,
    );
    const t2 = performance.now();
    for (const ws of all) ws.send('{"protocol":"one-to-self"}');
    const last = page.locator('table.peers tbody tr', { hasText: 'p1000' }).locator('td.c-in, td.c-out');
    await expect.poll(() => last.allTextContents()).toEqual(['1', '1']);
    measured.stats1000Ms = Math.round(performance.now() - t2);
    measured.statsLongTasks =
      (await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.length)) -
      longTasksBefore;
    expect(await page.locator('table.peers tbody tr[data-peer-id]').count()).toBe(rowsAtEnd);
    await page.getByLabel('Filter by name, room or address').fill('p0500');
    await expect.poll(() => text('[data-testid=peer-count]')).toBe('Showing 1 of 1,000 connections');
    await page.getByLabel('Filter by name, room or address').fill('');
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    measured.longTasks = longTasks.length;
    measured.longestTaskMs = Math.round(Math.max(0, ...longTasks));
    await shoot('peers-1000');

    const t1 = performance.now();
    await closeAll();
    await expect.poll(() => page.getByTestId('peers-empty').isVisible(), { timeout: 15_000 }).toBe(true);
    measured.leave1000Ms = Math.round(performance.now() - t1);
  }, 45_000);

  test('Push: an empty subject is refused next to the field; generated VAPID keys are served', async () => {
    await go('push');
    expect(await page.getByTestId('push-off').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Generate keys' }).click();
    await expect.poll(() => text('#push-subject-error')).toContain('Enter a contact for push services');
    expect(await page.locator('#push-subject').getAttribute('aria-invalid')).toBe('true');
    expect(deps.settings.push()).toBeNull();
    expect(bridge.calls.some((c) => c.channel === 'push:generate')).toBe(false);

    await page.getByLabel('Contact for push services (subject)').fill('mailto:ops@example.org');
    await expect.poll(() => text('#push-subject-error')).toBe('');
    await page.getByRole('button', { name: 'Generate keys' }).click();
    await page.getByTestId('push-public-key').waitFor();
    const shown = await text('[data-testid=push-public-key]');
    const served = await fetch(`http://127.0.0.1:${deps.host.status().port}/push/public-key`).then((r) => r.text());
    expect(shown).toBe(served.trim());
    expect(shown).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(await text('[data-testid=push-subject-value]')).toBe('mailto:ops@example.org');
    expect(await text('[data-testid=push-subscriptions]')).toBe('0');
    expect(await text('[data-testid=push-state]')).toBe('on');

    // Clearing the subject and saving changes nothing.
    await page.getByLabel('Contact for push services (subject)').fill('');
    await page.getByRole('button', { name: 'Save contact' }).click();
    await expect.poll(() => text('#push-subject-error')).toContain('Enter a contact');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('push-subject');
    // Someone who already moved on to the next field keeps the focus there: a refused submit does not
    // pull it back two frames later (keystrokes would land in the wrong field).
    const kept = await page.evaluate(async () => {
      (document.querySelector('#push-subject') as HTMLInputElement).form!.requestSubmit();
      (document.querySelector('#push-test-name') as HTMLInputElement).focus();
      for (let i = 0; i < 4; i++) await new Promise(requestAnimationFrame);
      return document.activeElement?.id;
    });
    expect(kept).toBe('push-test-name');
    expect(deps.settings.push()?.subject).toBe('mailto:ops@example.org');
    expect(bridge.calls.some((c) => c.channel === 'push:setSubject')).toBe(false);

    await page.getByLabel('Peer name').fill('nobody');
    await page.getByRole('button', { name: 'Send test push' }).click();
    await expect.poll(() => text('[data-testid=push-test-result]')).toMatch(/^Not delivered/);
    await page.getByLabel('Contact for push services (subject)').fill('mailto:ops@example.org');
    await shoot('push');
  });

  test('Settings: port 70000 is refused next to the field; a valid change is applied live', async () => {
    const ws = await connect('user=stays&v=2');
    await go('settings');
    const before = deps.settings.values();
    const port = deps.host.status().port;
    await page.getByLabel('Port', { exact: true }).fill('70000');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => text('#set-port-error')).toBe('Port must be from 0 to 65535; 70000 is out of range.');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('set-port');
    expect(deps.settings.values()).toEqual(before);
    expect(bridge.calls.some((c) => c.channel === 'settings:set')).toBe(false);

    await page.getByLabel('Port', { exact: true }).fill(String(before.port));
    await page.getByLabel('Connection limit').fill('500');
    await page.getByLabel('Name on the LAN (optional)').fill('Lab server');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => text('[data-testid=toast]')).toBe('Settings saved: applied without dropping connections');
    expect(bridge.calls.filter((c) => c.channel === 'settings:set').map((c) => c.arg)).toEqual([
      { maxConnections: 500, mdns: { name: 'Lab server' } },
    ]);
    expect(deps.settings.values().maxConnections).toBe(500);
    expect(deps.host.current()?.options.maxConnections).toBe(500);
    expect(deps.host.status().port).toBe(port);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    await shoot('settings');
    await closeAll();
  });

  test('Certificates: generate a LAN certificate, import one, refuse a key that does not match', async () => {
    await go('certificates');
    expect(await page.getByTestId('tls-off').isVisible()).toBe(true);
    await page.getByLabel('Host name (optional)').fill('dash-test');
    await page.getByLabel('Valid for (days)').fill('30');
    await page.getByRole('button', { name: 'Generate certificate' }).click();
    await expect.poll(() => text('[data-testid=cert-subject]')).toContain('CN=dash-test.local');
    const generated = new X509Certificate(deps.settings.tlsMaterial()!.cert);
    expect(await text('[data-testid=cert-fingerprint]')).toBe(generated.fingerprint256);
    const sans = await text('[data-testid=cert-sans]');
    expect(sans).toContain('DNS:dash-test.local');
    expect(sans).toContain(`IP:${LAN_ADDRESS}`);
    const info = (await handlers['certs:current'](undefined)) as { ok: true; value: { daysLeft: number } };
    expect(await text('[data-testid=cert-days-left]')).toBe(`(expires in ${info.value.daysLeft} days)`);
    expect(await page.locator('[data-warning="expires-soon"]').count()).toBe(1);
    // Turning TLS on restarts the server: the addresses are wss:// now.
    await expect.poll(() => deps.host.status().tls).toBe(true);
    await shoot('certificates');

    const imported = await generateLanCertificate({ dns: ['imported.local'], ip: ['127.0.0.1'] });
    await page.getByLabel('Certificate (PEM)').fill(imported.cert);
    await page.getByLabel('Private key (PEM)').fill(imported.key);
    await page.getByRole('button', { name: 'Import certificate' }).click();
    const importedFp = new X509Certificate(imported.cert).fingerprint256;
    await expect.poll(() => text('[data-testid=cert-fingerprint]')).toBe(importedFp);
    expect(await text('[data-testid=cert-subject]')).toContain('CN=imported.local');
    expect(await page.getByLabel('Certificate (PEM)').inputValue()).toBe('');

    // A certificate with someone else's key: error next to the key, nothing changes.
    const other = await generateLanCertificate({ dns: ['other.local'], ip: [] });
    await page.getByLabel('Certificate (PEM)').fill(other.cert);
    await page.getByLabel('Private key (PEM)').fill(imported.key);
    await page.getByRole('button', { name: 'Import certificate' }).click();
    await expect
      .poll(() => text('#key-error'))
      .toBe('The private key does not belong to this certificate: choose the key that was created with it');
    expect(await page.locator('#key').getAttribute('aria-invalid')).toBe('true');
    expect(await text('[data-testid=cert-fingerprint]')).toBe(importedFp);
    expect(deps.settings.tlsMaterial()?.cert).toBe(imported.cert);
    await shoot('certificates-error');

    await go('status');
    const st = deps.host.status();
    expect(await page.locator('[data-testid=ws-url]').allTextContents()).toEqual(st.addresses.map((a) => a.url));
    expect(st.addresses.every((a) => a.url.startsWith('wss://'))).toBe(true);
  });

  test('Network: servers found over mDNS, self-check of every address, hints with the real port', async () => {
    await go('network');
    expect(await page.getByTestId('discovery-off').isVisible()).toBe(true);

    // Another server on this host, and discovery turned on here, both on loopback only.
    const other = createSignalServer({
      host: '127.0.0.1',
      port: 0,
      mdns: { enabled: true, name: 'Other lab', interface: 'lo' },
    });
    await other.start();
    try {
      await go('settings');
      await page.getByLabel('Advertise this server and look for others').check();
      await page.getByLabel('Only on interface (optional)').fill('lo');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect.poll(() => text('[data-testid=toast]')).toBe('Settings saved: applied without dropping connections');
      await go('network');
      const row = page.locator('[data-testid=discovered] tbody tr', { hasText: 'Other lab' });
      await row.waitFor({ timeout: 10_000 });
      const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
      expect(cells.slice(0, 5)).toEqual(['Other lab', `127.0.0.1:${other.status().port}`, 'no', 'no', 'no']);
      await expect.poll(() => text('[data-testid=advertised-name]'), { timeout: 10_000 }).toBe('Lab server');
      expect(await text('a[href="#/network"] .count')).toBe('1');
      await shoot('network-discovered');
    } finally {
      await other.stop();
    }
    // Its goodbye takes it off the list.
    await page.getByTestId('discovery-empty').waitFor({ timeout: 10_000 });

    await page.getByRole('button', { name: 'Check addresses' }).click();
    const items = page.locator('[data-testid=selfcheck] li');
    // With mDNS on and a wildcard bind, this machine's NAME.local comes first; it fails here either way (the
    // test host may not resolve it, and the imported certificate does not name it).
    await expect.poll(() => items.count()).toBe(3);
    const st = deps.host.status();
    const localUrl = `wss://${localHostName()}:${st.port}/`;
    expect(st.addresses[0]!.url).toBe(localUrl);
    // The imported certificate names 127.0.0.1 only: the LAN address fails, as it would for a phone.
    const byUrl = Object.fromEntries(
      await Promise.all(
        (await items.all()).map(async (li): Promise<[string, string | null]> => [
          (await li.locator('code').textContent()) ?? '',
          await li.getAttribute('data-ok'),
        ]),
      ),
    );
    expect(byUrl).toEqual({
      [localUrl]: 'false',
      [`wss://${LAN_ADDRESS}:${st.port}/`]: 'false',
      [`wss://127.0.0.1:${st.port}/`]: 'true',
    });
    expect((await text('[data-testid=selfcheck-summary]')).replace(/\s+/g, ' ')).toMatch(/^1 of 3 addresses answered/);
    expect(await items.filter({ hasText: LAN_ADDRESS }).textContent()).toContain('does not name this address');
    expect(await text('[data-testid=hints]')).toContain(`sudo ufw allow ${st.port}/tcp`);
    expect(await page.locator('[data-testid=relay-firewall]').count()).toBe(0);
    // With the relay on, the firewall hint names its port and the relayed range too.
    const relayPort = await freeTcpPort();
    await handlers['settings:set']({ relay: { port: relayPort, relayPortsMin: 50100, relayPortsMax: 50110 } });
    await expect
      .poll(() => text('[data-testid=relay-firewall]'))
      .toBe(`sudo ufw allow ${relayPort} && sudo ufw allow 50100:50110/udp`);
    expect((await text('[data-testid=hints]')).replace(/\s+/g, ' ')).toContain(
      `TCP and UDP port ${relayPort} and UDP ports 50100-50110`,
    );
    await handlers['settings:set']({ relay: { port: 0 } });
    await expect.poll(() => page.locator('[data-testid=relay-firewall]').count()).toBe(0);
    await shoot('network');
  });

  test('Log: lines arrive live; the log folder opens', async () => {
    await go('log');
    deps.logs.write('warn', 'dashboard e2e marker line');
    await expect.poll(() => text('[data-testid=log-lines]')).toContain('WARN  dashboard e2e marker line');
    await page.getByRole('button', { name: 'Open log folder' }).click();
    await expect.poll(() => opened).toEqual([deps.logs.folder]);
    await shoot('log');
  });

  test('Every view: landmarks, labels, keyboard focus and contrast in both themes', async () => {
    for (const route of ['status', 'peers', 'rooms', 'certificates', 'push', 'network', 'settings', 'log']) {
      await go(route);
      await expectNoSeriousFindings(page, `dashboard ${route}`);
      const a = await auditAccessibility(page);
      expect({ route, ...a }).toEqual({
        route,
        h1Count: 1,
        mainCount: 1,
        navLabelled: true,
        unlabelledControls: [],
        unnamedButtons: [],
        duplicateIds: [],
      });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const worst = await lowestContrast(
          page,
          'h1, h2, p, dt, dd, label, td, th, a, button, .hint, .note, .pill, code, .error, .ok-text, .fail-text, .warn-text',
        );
        expect(worst, `${route} ${colorScheme}: ${worst?.where}`).not.toBeNull();
        expect(worst!.ratio, `${route} ${colorScheme}: ${worst!.where}`).toBeGreaterThanOrEqual(4.5);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }
    // The skip link comes first in tab order, shows its focus, and takes focus to the view.
    await go('status');
    await page.reload();
    await page.locator('main[data-view="status"] h1').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
    // Next comes the navigation; Enter on a link opens its view and focuses its heading.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Status');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^Peers/);
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('Peers');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    // The skip link jumps over the navigation to the view itself.
    await go('status');
    await page.keyboard.press('Shift+Tab');
    await page.locator('.skip-link').focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => [document.activeElement?.id, location.hash])).toEqual(['main', '#/status']);
    // The next Tab lands on the view's first control (a banner's link when there is one, else Stop server).
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.getElementById('main')!.contains(document.activeElement))).toBe(true);
  }, 60_000); // axe in two themes on eight views: seconds each on two loaded cores

  test('Status: a port in use is shown as a banner with what to do; Stop closes every client', async () => {
    await go('status');
    const ws = new WebSocket(`wss://127.0.0.1:${deps.host.status().port}/?user=last`, {
      ca: deps.settings.tlsMaterial()!.cert,
    });
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await page.getByRole('button', { name: 'Stop server' }).click();
    await expect.poll(() => text('[data-testid=state]')).toBe('Stopped');
    expect(await closed).toBe(1001);

    // Occupy a port, point the settings at it, start: the banner says so and links to the fix.
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', r));
    const busyPort = (blocker.address() as { port: number }).port;
    try {
      await go('settings');
      await page.getByLabel('Port', { exact: true }).fill(String(busyPort));
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect.poll(() => text('[data-testid=toast]')).toBe('Settings saved: they apply at the next start');
      await go('status');
      await page.getByRole('button', { name: 'Start server' }).click();
      const banner = page.locator('[data-problem="port-in-use"]');
      await banner.waitFor();
      expect(await banner.textContent()).toContain('The port is already in use');
      expect(await banner.getByRole('link', { name: 'Change the port' }).getAttribute('href')).toBe('#/settings');
      expect(await text('[data-testid=state]')).toBe('Stopped after an error');
      await shoot('status-error');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    await bridge.idle();
    expect(pageErrors).toEqual([]);
  });
});

/** A port nothing listens on now (the relay then takes it for UDP and TCP). */
function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
