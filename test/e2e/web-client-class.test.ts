// The web client as a class uses it, in headless Chromium against the real server: joining (long rooms,
// empty names, rooms as paths, German), names as people read them and sorted that way, a conversation's
// life (a reload, reopening, a closed look, calls, an outage with its countdown), handing a file to the
// whole room, and the teacher's lock and code. axe runs on every view (0 serious or critical findings, in
// light and dark), and the new states are photographed at phone and laptop size.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalServer } from '../../main/server/signal-server.js';
import type { SignalServer } from '../../main/server/surface.js';
import { expectedChecksum } from '../client/webrtc-helpers.js';
import { connect, type TestClient } from '../support/clients.js';
import { netnsAvailable } from '../support/netns.js';
import { expectNoSeriousFindings, installAxe } from './support/axe.js';
import { launchChromium, webRtcContext, type LaunchedChromium } from './support/chromium.js';
import { shootBothSizes } from './support/screenshots.js';
import { conversationState, peerButton, transferState } from './support/web-client-page.js';

const WEB_CLIENT_DIR = 'dist/renderer/web-client';
const PHONE = { width: 390, height: 844 };

describe.runIf(netnsAvailable('web client class e2e (loopback)'))('web client in a class', { timeout: 90_000 }, () => {
  let server: SignalServer;
  let port: number;
  let chromium: LaunchedChromium;
  const sockets: TestClient[] = [];
  const pageErrors: string[] = [];

  const start = async (p = 0) => {
    server = createSignalServer(
      { host: '127.0.0.1', port: p, webClientDir: WEB_CLIENT_DIR, mdns: { enabled: false } },
      { stopGraceMs: 200 },
    );
    port = (await server.start()).port!;
  };
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    if (!existsSync(`${WEB_CLIENT_DIR}/index.html`)) throw new Error(`${WEB_CLIENT_DIR} is missing: npm run build`);
    await start();
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await chromium?.close();
    await server?.stop();
    expect(pageErrors).toEqual([]);
  });

  async function context(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const ctx = await webRtcContext(chromium.browser, { locale: 'en-GB', ...options });
    await installAxe(ctx);
    // The server's Content-Security-Policy holds for the page: any violation fails the file.
    await ctx.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) => {
        throw new Error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      }),
    );
    return ctx;
  }
  async function page(ctx: BrowserContext, url: string): Promise<Page> {
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(`${url}: ${e.message}`));
    await p.goto(url);
    return p;
  }
  async function join(p: Page, name: string): Promise<void> {
    await p.getByLabel('Your name').fill(name);
    await p.getByRole('button', { name: 'Join' }).click();
    await p.locator('#server-status[data-state="open"]').waitFor({ timeout: 10_000 });
  }
  /** A v2 name in `room` held by a plain socket (cheaper than a browser when only the list matters). */
  async function socket(room: string, name: string): Promise<TestClient> {
    const c = await connect(
      `ws://127.0.0.1:${port}/?v=2&room=${encodeURIComponent(room)}&user=${encodeURIComponent(name)}`,
    );
    sockets.push(c);
    await c.next();
    return c;
  }
  const joinError = (p: Page) => p.locator('#join-error').textContent();
  const peerOrder = (p: Page) =>
    p.locator('#peer-list button').evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.peer));

  it('joining: a long room, an empty name, a room as a path, and German from the browser language', async () => {
    const ctx = await context({ viewport: PHONE });
    const long = 'r'.repeat(65);
    const p = await page(ctx, `${base()}/?room=${long}`);
    // Refused in words before anything is sent, and the card does not overflow a phone's width.
    await expect
      .poll(() => joinError(p))
      .toBe('This room name has 65 characters; rooms have at most 64. Pick a shorter room.');
    expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shootBothSizes(p, 'join-long-room');
    await expectNoSeriousFindings(p, 'join, long room');

    // Another room typed into the card: the page moves to /class1.
    await p.getByRole('textbox', { name: 'Room', exact: true }).fill('class1');
    await p.getByRole('button', { name: 'Join' }).click();
    await p.waitForURL(`${base()}/class1`);
    await p.getByLabel('Your name').fill('   ');
    await p.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => joinError(p)).toBe('Type your name first (1 to 64 characters; spaces alone do not count).');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('name-input');
    await shootBothSizes(p, 'join-empty-name');
    await join(p, 'ana');
    expect(await p.locator('#room-here').textContent()).toBe('You are in room “class1”.');
    expect(await p.locator('#server-status').textContent()).toBe('Connected as ana in room “class1”.');
    // Focus stays in the page after Join.
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('lobby-title');
    // Switching rooms from the lobby.
    await p.getByRole('button', { name: 'Switch room' }).click();
    await p.getByLabel('Room to switch to').fill('class 2');
    await p.getByRole('button', { name: 'Go' }).click();
    await p.waitForURL(`${base()}/class%202`);
    await p.locator('#server-status[data-state="open"]').waitFor();
    expect(await p.locator('#room-here').textContent()).toBe('You are in room “class 2”.');
    await expectNoSeriousFindings(p, 'lobby, alone');
    await shootBothSizes(p, 'lobby-alone-in-room');
    await ctx.close();

    const de = await context({ locale: 'de-DE' });
    const g = await page(de, `${base()}/klasse`);
    await g.getByRole('heading', { name: 'Dem Raum beitreten' }).waitFor();
    expect(await g.evaluate(() => document.documentElement.lang)).toBe('de');
    await g.getByLabel('Dein Name').fill('jonas');
    await g.getByRole('button', { name: 'Beitreten' }).click();
    await expect.poll(() => g.locator('#server-status').textContent()).toBe('Verbunden als jonas im Raum „klasse“.');
    await expectNoSeriousFindings(g, 'lobby, German');
    await shootBothSizes(g, 'lobby-german');
    await de.close();
  });

  it('names: look-alikes are refused, the list sorts as people read, a second tab is told it is its own name', async () => {
    for (const n of ['carl', 'Ben', 'Zoë']) await socket('names', n);
    const ctx = await context();
    const p = await page(ctx, `${base()}/names`);
    await join(p, 'ana');
    await expect.poll(() => peerOrder(p)).toEqual(['Ben', 'carl', 'Zoë']);
    await socket('names', 'Anton');
    await expect.poll(() => peerOrder(p)).toEqual(['Anton', 'Ben', 'carl', 'Zoë']);

    const other = await context();
    const q = await page(other, `${base()}/names`);
    await q.getByLabel('Your name').fill('Zoe\u0308');
    await q.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => joinError(q)).toBe('“Zoe\u0308” is already used in this room. Choose another name.');
    await q.getByLabel('Your name').fill('ANA');
    await q.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => joinError(q)).toBe('“ANA” is already used in this room. Choose another name.');
    await shootBothSizes(q, 'join-name-taken');
    await other.close();

    // Same browser, second tab: the remembered name is this browser's own.
    const tab = await page(ctx, `${base()}/names`);
    await expect
      .poll(() => joinError(tab))
      .toBe('You already use “ana” in another tab of this browser. Use that tab, or choose another name here.');
    await expectNoSeriousFindings(tab, 'join, own name in another tab');
    await ctx.close();
  });

  it('a conversation: focus on a phone, history kept on reopening, Connect again after a reload, calls, closed look', async () => {
    // bypassCSP only so the test itself may fetch the saved file's blob: URL to read its type.
    const actx = await context({ viewport: PHONE, bypassCSP: true });
    const bctx = await context({ viewport: { width: 1280, height: 800 } });
    const a = await page(actx, `${base()}/conv`);
    await join(a, 'alice');
    const b = await page(bctx, `${base()}/conv`);
    await join(b, 'ben');
    await peerButton(a, 'ben').click();
    await conversationState(a, 'ben', 'open');
    expect(await a.evaluate(() => document.activeElement?.id)).toBe('conversation-title');
    await conversationState(b, 'alice', 'open');
    await a.getByLabel('Write a message').fill('hi ben');
    await a.getByRole('button', { name: 'Send', exact: true }).click();
    await b.getByRole('listitem', { name: 'alice: hi ben' }).waitFor();
    await b.getByLabel('Write a message').fill('hi alice');
    await b.getByRole('button', { name: 'Send', exact: true }).click();
    // The selected person's button reads "alice, connected": visible text and accessible name agree.
    await b.getByRole('button', { name: 'alice, connected' }).waitFor();
    await expectNoSeriousFindings(b, 'conversation, laptop');
    await expectNoSeriousFindings(a, 'conversation, phone');

    // A file whose sender claims text/html: received as a plain download, never rendered.
    await b.getByLabel('Send files…').setInputFiles({
      name: 'page.html',
      mimeType: 'text/html',
      buffer: Buffer.from('<script>alert(1)</script>'),
    });
    await a.getByRole('button', { name: 'Accept page.html' }).click();
    await transferState(a, 'page.html', 'in', 'done');
    const saved = a.getByRole('link', { name: 'Save page.html' });
    expect(await saved.getAttribute('download')).toBe('page.html');
    expect(await saved.evaluate(async (el) => (await (await fetch((el as HTMLAnchorElement).href)).blob()).type)).toBe(
      'application/octet-stream',
    );

    // A call started by alice while ben looks at the list: ben's list says so, alice waits in words.
    await b.evaluate(() => (document.getElementById('back') as HTMLButtonElement).click());
    await a.getByRole('button', { name: 'Start video call' }).click();
    await expect.poll(() => a.locator('#call-status').textContent()).toBe('Waiting for ben to turn on their camera…');
    await b.getByRole('button', { name: 'alice, calling you' }).waitFor({ timeout: 15_000 });
    await shootBothSizes(b, 'lobby-incoming-call');
    await a.getByRole('button', { name: 'End video call' }).click();

    // Alice closes, then reopens: the chat and the unsaved file are still there.
    await a.getByRole('button', { name: 'Close conversation' }).click();
    await conversationState(a, 'ben', 'closed');
    expect(await a.locator('#chat-form').isHidden()).toBe(true);
    expect(await a.locator('#closed-note').isVisible()).toBe(true);
    await shootBothSizes(a, 'conversation-closed');
    await a.getByRole('button', { name: 'Connect again' }).click();
    await conversationState(a, 'ben', 'open');
    await a.getByRole('listitem', { name: 'You: hi ben' }).waitFor();
    await a.getByRole('listitem', { name: 'ben: hi alice' }).waitFor();
    await a.getByRole('link', { name: 'Save page.html' }).waitFor();

    // Ben reloads: alice's conversation ends, and once ben is back she can connect again.
    await b.reload();
    await b.locator('#server-status[data-state="open"]').waitFor();
    await conversationState(a, 'ben', 'closed');
    await a.getByRole('button', { name: 'Connect again' }).waitFor();
    await a.getByRole('button', { name: 'Connect again' }).click();
    await conversationState(a, 'ben', 'open');
    await actx.close();
    await bctx.close();
  });

  it('hands one file to everyone from a phone, with per-person progress and checksum; drop and paste send too', async () => {
    const teacher = await context({ viewport: PHONE });
    const t = await page(teacher, `${base()}/worksheet`);
    await join(t, 'teacher');
    const students: Page[] = [];
    for (const name of ['ida', 'Olek']) {
      const s = await page(await context(), `${base()}/worksheet`);
      await join(s, name);
      students.push(s);
    }
    await t.getByLabel('Everyone').check();
    const data = new Uint8Array(randomBytes(600_000));
    // Every progress value the teacher sees comes from a receiver's report (64 KiB steps or the end).
    await t.evaluate(() => {
      (window as unknown as { seen: number[] }).seen = [];
      new MutationObserver((records) => {
        for (const r of records)
          if (r.target instanceof HTMLProgressElement)
            (window as unknown as { seen: number[] }).seen.push(r.target.value);
      }).observe(document.getElementById('share-list')!, {
        subtree: true,
        attributes: true,
        attributeFilter: ['value'],
      });
    });
    await t.getByLabel('Choose files…').setInputFiles({
      name: 'worksheet.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(data),
    });
    for (const s of students) await s.getByRole('button', { name: 'Accept worksheet.pdf' }).click({ timeout: 20_000 });
    const rows = t.locator('#share-list li[data-state="done"]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    expect(
      await rows.evaluateAll((ls) =>
        ls.map((l) => [(l as HTMLElement).dataset.peer, (l as HTMLElement).dataset.checksum]),
      ),
    ).toEqual([
      ['ida', expectedChecksum(data)],
      ['Olek', expectedChecksum(data)],
    ]);
    for (const s of students)
      expect(await transferState(s, 'worksheet.pdf', 'in', 'done')).toBe(expectedChecksum(data));
    const seen = await t.evaluate(() => (window as unknown as { seen: number[] }).seen);
    expect(seen.filter((v) => v % 65536 !== 0 && v !== data.length)).toEqual([]);
    await expectNoSeriousFindings(t, 'hand-out, done');
    await shootBothSizes(t, 'handout-done');

    // Dropped on the hand-out area: to everyone again.
    await t.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped'], 'dropped.txt'));
      document.getElementById('share-drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }));
    });
    for (const s of students) await s.getByRole('button', { name: 'Accept dropped.txt' }).click();
    await expect.poll(() => t.locator('#share-list li[data-state="done"]').count()).toBe(4);
    // Pasted into a conversation: to that person.
    await peerButton(t, 'ida').click();
    await conversationState(t, 'ida', 'open');
    await t.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['pasted'], 'pasted.txt'));
      document
        .getElementById('chat-input')!
        .dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    });
    await students[0]!.getByRole('button', { name: 'Accept pasted.txt' }).click();
    await transferState(t, 'pasted.txt', 'out', 'done');
    await teacher.close();
  });

  it('the teacher locks the room and sets a code: new names and wrong codes are refused in words', async () => {
    await socket('locked', 'kim');
    server.setRoom('locked', { locked: true });
    const ctx = await context();
    const p = await page(ctx, `${base()}/locked`);
    await p.getByLabel('Your name').fill('late');
    await p.getByRole('button', { name: 'Join' }).click();
    await expect
      .poll(() => joinError(p))
      .toBe('This room is locked: no new names are let in. Ask the person running the room to unlock it.');
    await shootBothSizes(p, 'join-room-locked');
    server.setRoom('locked', { locked: false, code: 'tiger7' });
    await p.getByRole('button', { name: 'Join' }).click();
    await expect
      .poll(() => joinError(p))
      .toBe('This room needs its access code. Open the address (or QR code) the person running the room gave you.');
    await expectNoSeriousFindings(p, 'join, room code');
    await p.goto(`${base()}/locked?code=tiger7`);
    await p.locator('#server-status[data-state="open"]').waitFor();
    server.setRoom('locked', { code: null });

    // The bare address says it is a room (the main one), and the page has an icon.
    const bare = await page(ctx, `${base()}/`);
    expect(await bare.locator('#room-here').textContent()).toBe('You are in the main room.');
    expect(
      await bare.evaluate(
        async () => (await fetch(document.querySelector<HTMLLinkElement>('link[rel=icon]')!.href)).status,
      ),
    ).toBe(200);
    await ctx.close();
  });

  it('an outage: open conversations stay listed, the retry counts down, and Retry now reconnects', async () => {
    const actx = await context();
    const a = await page(actx, `${base()}/outage`);
    await join(a, 'ola');
    const b = await page(await context(), `${base()}/outage`);
    await join(b, 'per');
    await peerButton(a, 'per').click();
    await conversationState(a, 'per', 'open');
    const oldPort = port;
    await server.stop();
    await a
      .locator('#server-status[data-state="unreachable"], #server-status[data-state="reconnecting"]')
      .first()
      .waitFor();
    expect(await a.locator('#no-peers').textContent()).toBe(
      'The server cannot be reached, so who else is here is unknown. Open conversations keep working.',
    );
    await peerButton(a, 'per').waitFor();
    await conversationState(a, 'per', 'open');
    await a.getByRole('button', { name: 'Retry now' }).waitFor();
    await expectNoSeriousFindings(a, 'outage');
    await shootBothSizes(a, 'outage');
    // The number goes down (each attempt starts a new, longer wait; wait for one that is at least 2 s).
    const seconds = async () =>
      Number(/in (\d+) s/.exec((await a.locator('#server-status').textContent()) ?? '')?.[1] ?? 0);
    await expect.poll(seconds, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const first = await seconds();
    await expect.poll(seconds).toBeLessThan(first);
    // Back while the next attempt is still seconds away: Retry now connects at once.
    await expect.poll(seconds, { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    await start(oldPort);
    await a.getByRole('button', { name: 'Retry now' }).click();
    await a.locator('#server-status[data-state="open"]').waitFor({ timeout: 3_000 });
    await actx.close();
  });
});
