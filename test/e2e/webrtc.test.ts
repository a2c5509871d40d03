// Real WebRTC through the real server: two headless Chromium contexts on the served web client (driven
// through its UI), and a Node peer on werift talking to a browser. Runs inside `npm test`'s loopback-only
// network namespace.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createSignalServer } from '../../main/server/signal-server.js';
import type { SignalServer } from '../../main/server/surface.js';
import { RtcHub, SignalClient } from '../../renderer/client/index.js';
import { Conversation } from '../../renderer/web-client/src/conversation.js';
import type { Transfer } from '../../renderer/web-client/src/transfer/types.js';
import { expectedChecksum, weriftOptions } from '../client/webrtc-helpers.js';
import { NodeWebSocket } from '../client/helpers.js';
import { netnsAvailable } from '../support/netns.js';
import { launchChromium, webRtcContext, type LaunchedChromium } from './support/chromium.js';
import {
  conversationState,
  joinViaUi,
  loadToOpenMs,
  peerButton,
  rememberName,
  saveReceived,
  sendFile,
  transferState,
} from './support/web-client-page.js';

const WEB_CLIENT_DIR = 'dist/renderer/web-client';
const MB = 1024 * 1024;

describe.runIf(netnsAvailable('webrtc e2e (loopback)'))('web client in Chromium, loopback', { timeout: 60_000 }, () => {
  let server: SignalServer;
  let url: string;
  let chromium: LaunchedChromium;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(`${WEB_CLIENT_DIR}/index.html`))
      throw new Error(`${WEB_CLIENT_DIR} is missing: run npm run build first`);
    server = createSignalServer(
      { host: '127.0.0.1', port: 0, webClientDir: WEB_CLIENT_DIR, mdns: { enabled: false } },
      { stopGraceMs: 200 },
    );
    const status = await server.start();
    url = `http://127.0.0.1:${status.port}/?room=lab`;
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.stop();
  });

  async function context(): Promise<BrowserContext> {
    const ctx = await webRtcContext(chromium.browser);
    contexts.push(ctx);
    return ctx;
  }

  it('two browsers join through the UI, chat, and transfer a 1 MB file whose checksum matches', async () => {
    const alice = await joinViaUi(await context(), url, 'alice');
    const bob = await joinViaUi(await context(), url, 'bob');
    await peerButton(alice, 'bob').waitFor();
    await peerButton(bob, 'alice').click();
    await conversationState(bob, 'alice', 'open');
    // Alice picked nothing yet, so the incoming conversation opens in front of her.
    await conversationState(alice, 'bob', 'open');
    console.log(`bob: page load → open DataChannel ${await loadToOpenMs(bob)} ms (join and pick typed by the test)`);

    await bob.getByLabel('Write a message').fill('hi alice');
    await bob.getByRole('button', { name: 'Send', exact: true }).click();
    await alice.getByRole('list', { name: 'Messages' }).getByRole('listitem', { name: 'bob: hi alice' }).waitFor();

    const data = new Uint8Array(randomBytes(MB));
    await sendFile(bob, 'random.bin', data);
    await alice.getByRole('button', { name: 'Accept random.bin' }).click();
    const [sent, received] = await Promise.all([
      transferState(bob, 'random.bin', 'out', 'done'),
      transferState(alice, 'random.bin', 'in', 'done'),
    ]);
    expect(sent).toBe(expectedChecksum(data));
    expect(received).toBe(sent);
    const saved = await saveReceived(alice, 'random.bin');
    expect(createHash('sha256').update(saved).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    await expect(
      bob.locator('#transfer-list li[data-direction="out"] .transfer-status').textContent(),
    ).resolves.toMatch(/^Delivered, checksum verified in (\d+ ms|\d+\.\d s) \(\d+(\.\d)? [kMG]B\/s\)\.$/);

    // Bob closes his tab: Alice sees why her conversation ended, and Bob is gone from the list.
    await bob.close();
    await conversationState(alice, 'bob', 'closed');
    await expect(alice.locator('#conversation-status').textContent()).resolves.toBe('bob left the conversation.');
    await peerButton(alice, 'bob').waitFor({ state: 'detached' });
  });

  it('a video call: one side starts it, the other turns its camera on, either ends it', async () => {
    const a = await joinViaUi(await context(), url, 'cam-a');
    const b = await joinViaUi(await context(), url, 'cam-b');
    await peerButton(a, 'cam-b').click();
    await Promise.all([conversationState(a, 'cam-b', 'open'), conversationState(b, 'cam-a', 'open')]);
    // A function, not a string: the page's CSP forbids eval, which a string predicate needs.
    const showsVideo = (id: string) => {
      const v = document.getElementById(id) as HTMLVideoElement;
      return !v.hidden && v.videoWidth > 0;
    };

    await a.getByRole('button', { name: 'Start video call' }).click();
    await b.waitForFunction(showsVideo, 'remote-video', { timeout: 15_000 });
    await expect(b.locator('#call-status').textContent()).resolves.toBe('cam-a started a video call.');
    await b.getByRole('button', { name: 'Turn on my camera' }).click();
    await a.waitForFunction(showsVideo, 'remote-video', { timeout: 15_000 });
    await b.waitForFunction(showsVideo, 'local-video');

    await b.getByRole('button', { name: 'End video call' }).click();
    for (const page of [a, b]) {
      await page.locator('#remote-video').waitFor({ state: 'hidden' });
      await page.locator('#local-video').waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Start video call' }).waitFor();
    }
    // The data channel outlived the call.
    await conversationState(a, 'cam-b', 'open');
  });

  it('both people picking each other at the same moment get one working conversation', async () => {
    const a = await joinViaUi(await context(), url, 'both-a');
    const b = await joinViaUi(await context(), url, 'both-b');
    await Promise.all([peerButton(a, 'both-b').waitFor(), peerButton(b, 'both-a').waitFor()]);
    await Promise.all([peerButton(a, 'both-b').click(), peerButton(b, 'both-a').click()]);
    await Promise.all([conversationState(a, 'both-b', 'open'), conversationState(b, 'both-a', 'open')]);
    await b.getByLabel('Write a message').fill('one channel');
    await b.getByRole('button', { name: 'Send', exact: true }).click();
    await a.getByRole('list', { name: 'Messages' }).getByRole('listitem', { name: 'both-b: one channel' }).waitFor();
  });

  it('glare in a fresh page, order forced: the polite side rolls back only after its offer found a candidate, and the link works', async () => {
    const page = await (await context()).newPage();
    await page.goto(url);
    // Two links in one page, wired directly. A's offer is held until B sends its own, then reaches B at
    // once: B's offer is as young as it can be when it must roll back (Chromium then loses B's network
    // list unless the rollback waits for the offer's first candidate). As a string: see the test above.
    const result = await page.evaluate(`(async () => {
      const { PeerLink } = await import('./rustysignal-client.js');
      const steps = [];
      class Recording extends RTCPeerConnection {
        constructor(c) {
          super(c);
          this.addEventListener('icecandidate', () => steps.includes('first candidate') || steps.push('first candidate'));
        }
        async setLocalDescription(d) {
          await super.setLocalDescription(d);
          steps.push('local ' + (d && d.type === 'rollback' ? 'rollback' : this.localDescription.type));
        }
        async setRemoteDescription(d) {
          await super.setRemoteDescription(d);
          steps.push('remote ' + d.type);
        }
      }
      const sent = { a: [], b: [] };
      let held = [];
      let a, b, aOffered;
      const offered = new Promise((resolve) => (aOffered = resolve));
      a = new PeerLink('b', false, (p) => {
        sent.a.push(p);
        if (p.description && p.description.type === 'offer') aOffered();
        if (held) held.push(p);
        else setTimeout(() => b.receive(p));
      });
      const channelA = a.createDataChannel('x', { negotiated: true, id: 0 });
      await offered;
      b = new PeerLink('a', true, (p) => {
        sent.b.push(p);
        setTimeout(() => a.receive(p));
        if (p.description && p.description.type === 'offer' && held) {
          const backlog = held;
          held = null;
          for (const q of backlog) b.receive(q);
        }
      }, { RTCPeerConnection: Recording });
      const channelB = b.createDataChannel('x', { negotiated: true, id: 0 });
      const open = (ch) => new Promise((resolve, reject) => {
        if (ch.readyState === 'open') return resolve();
        const timer = setTimeout(() => reject(new Error('channel stayed ' + ch.readyState + '; steps: ' + steps.join(', '))), 10000);
        ch.onopen = () => { clearTimeout(timer); resolve(); };
      });
      await Promise.all([open(channelA), open(channelB)]);
      const message = new Promise((resolve) => (channelA.onmessage = (ev) => resolve(ev.data)));
      channelB.send('after the glare');
      const types = (list, type) => list.filter((p) => p.description && p.description.type === type).length;
      const out = { steps, offers: [types(sent.a, 'offer'), types(sent.b, 'offer')], answers: [types(sent.a, 'answer'), types(sent.b, 'answer')], message: await message };
      a.close();
      b.close();
      return out;
    })()`);
    const { steps, offers, answers, message } = result as {
      steps: string[];
      offers: number[];
      answers: number[];
      message: string;
    };
    expect(steps.filter((s) => s !== 'first candidate')).toEqual([
      'local offer',
      'local rollback',
      'remote offer',
      'local answer',
    ]);
    expect(steps.indexOf('first candidate')).toBeLessThan(steps.indexOf('local rollback'));
    expect({ offers, answers, message }).toEqual({ offers: [1, 1], answers: [0, 1], message: 'after the glare' });
  });

  it("a reload keeps the name, and the new page's connection replaces the old one", async () => {
    const a = await joinViaUi(await context(), url, 'rel-a');
    const b = await joinViaUi(await context(), url, 'rel-b');
    await peerButton(b, 'rel-a').click();
    await Promise.all([conversationState(a, 'rel-b', 'open'), conversationState(b, 'rel-a', 'open')]);
    await b.reload();
    await b.locator('#server-status[data-state="open"]').waitFor({ timeout: 10_000 });
    await expect(b.locator('#server-status').textContent()).resolves.toBe('Connected as rel-b in room “lab”.');
    await conversationState(a, 'rel-b', 'closed');
    await expect(a.locator('#conversation-status').textContent()).resolves.toBe('rel-b left the conversation.');
    await peerButton(b, 'rel-a').click();
    await Promise.all([conversationState(a, 'rel-b', 'open'), conversationState(b, 'rel-a', 'open')]);
    await a.getByLabel('Write a message').fill('welcome back');
    await a.getByRole('button', { name: 'Send', exact: true }).click();
    await b.getByRole('list', { name: 'Messages' }).getByRole('listitem', { name: 'rel-a: welcome back' }).waitFor();
  });

  it("serves the client library next to the page for a page's own scripts", async () => {
    const page = await (await context()).newPage();
    await page.goto(url);
    // As a string: vitest would rewrite a dynamic import() inside a function passed to the page.
    const result = await page.evaluate(`(async () => {
      const m = await import('./rustysignal-client.js');
      // No url: derived from the page, ws:// for this http:// page.
      const c = new m.SignalClient({ name: 'scripted', room: 'lab' });
      const w = await c.connect();
      const sent = await c.send('nobody-here', 'x');
      c.close();
      return { user: w.user, room: w.room, sent: sent.status };
    })()`);
    expect(result).toEqual({ user: 'scripted', room: 'lab', sent: 'queued' });
  });

  it('says when the server is unreachable or refuses, and recovers when it is back', async () => {
    const guarded = createSignalServer(
      { host: '127.0.0.1', port: 0, webClientDir: WEB_CLIENT_DIR, accessKey: 'sesame', mdns: { enabled: false } },
      { stopGraceMs: 200 },
    );
    const port = (await guarded.start()).port!;
    let restarted: SignalServer | null = null;
    try {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.getByLabel('Your name').fill('keyless');
      await page.getByRole('button', { name: 'Join' }).click();
      await page.locator('#server-status[data-state="refused"]').waitFor({ timeout: 10_000 });
      await expect(page.locator('#server-status').textContent()).resolves.toMatch(
        new RegExp(
          `^The server at 127\\.0\\.0\\.1:${port} refused the connection: it may need an access key \\(add \\?key=… to the address\\) or be full\\. Trying again in \\d+ s…$`,
        ),
      );

      // With the key (remembered name: no typing), then the server goes away and comes back.
      await page.goto(`http://127.0.0.1:${port}/?key=sesame`);
      await page.locator('#server-status[data-state="open"]').waitFor({ timeout: 10_000 });
      await expect(page.locator('#server-status').textContent()).resolves.toBe('Connected as keyless.');
      await guarded.stop();
      await page.locator('#server-status[data-state="unreachable"]').waitFor({ timeout: 10_000 });
      await expect(page.locator('#server-status').textContent()).resolves.toMatch(
        /^Cannot reach the server at 127\.0\.0\.1:\d+\. Is this device on the same network, and is the server running\? Trying again in \d+ s…$/,
      );
      restarted = createSignalServer(
        { host: '127.0.0.1', port, webClientDir: WEB_CLIENT_DIR, accessKey: 'sesame', mdns: { enabled: false } },
        { stopGraceMs: 200 },
      );
      await restarted.start();
      await page.locator('#server-status[data-state="open"]').waitFor({ timeout: 20_000 });
    } finally {
      await guarded.stop();
      await restarted?.stop();
    }
  });

  it('a returning visitor opened with ?connect= reaches an open DataChannel without a click (benchmark)', async () => {
    const host = await joinViaUi(await context(), url, 'host');
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ctx = await context();
      await rememberName(ctx, `guest${i}`);
      const page = await ctx.newPage();
      await page.goto(`${url}&connect=host`);
      await conversationState(page, 'host', 'open');
      times.push(await loadToOpenMs(page));
      // The one-shot parameter is gone, so a reload does not connect again by itself.
      expect(new URL(page.url()).searchParams.get('connect')).toBeNull();
      await ctx.close();
    }
    await peerButton(host, 'guest0').waitFor({ state: 'detached' });
    console.log(
      `page load → open DataChannel (loopback, auto-connect): ${times.join(', ')} ms; median ${[...times].sort((a, b) => a - b)[1]} ms`,
    );
    expect(times.every((t) => Number.isFinite(t) && t > 0)).toBe(true);
  });

  // werift's ICE and DTLS timers have failed this once in a whole-suite run on two busy cores (no step
  // logged then); one retry, and the failed attempt still prints the step it stopped at.
  it('a Node peer on werift completes the same exchange with a browser', { retry: 1 }, async () => {
    const signal = new SignalClient({
      url: url.replace('http:', 'ws:'),
      name: 'node-peer',
      room: 'lab',
      WebSocket: NodeWebSocket,
    });
    // A timeout names the step it stopped at.
    let step = 'signal connect';
    onTestFailed(() => console.log(`werift ↔ browser stopped at: ${step}`));
    await signal.connect();
    const hub = new RtcHub(signal, weriftOptions);
    try {
      const incoming = new Promise<Conversation>((resolve) =>
        hub.once('link', (link) => resolve(new Conversation(link))),
      );
      step = 'browser joins';
      const dora = await joinViaUi(await context(), url, 'dora');
      await peerButton(dora, 'node-peer').click();
      step = 'offer reaches the Node peer';
      const node = await incoming;
      step = 'DataChannel opens';
      await conversationState(dora, 'node-peer', 'open');
      if (node.state !== 'open') await node.next('state', 10_000);
      expect(node.state).toBe('open');

      step = 'chat';
      const chat = node.next('chat');
      await dora.getByLabel('Write a message').fill('hello node');
      await dora.getByRole('button', { name: 'Send', exact: true }).click();
      expect((await chat)[0]).toMatchObject({ from: 'peer', text: 'hello node' });
      node.sendChat('hello browser');
      await dora
        .getByRole('list', { name: 'Messages' })
        .getByRole('listitem', { name: 'node-peer: hello browser' })
        .waitFor();

      step = 'browser → Node 1 MB';
      // Browser → Node: 1 MB, verified by the Node side.
      const data = new Uint8Array(randomBytes(MB));
      const arrived = new Promise<Transfer>((resolve) =>
        node.on('transfer', (t) => {
          if (t.direction === 'in' && t.state === 'offered') node.accept(t);
          if (t.direction === 'in' && t.state === 'done') resolve(t);
        }),
      );
      await sendFile(dora, 'to-node.bin', data);
      const t = await arrived;
      expect(t.checksum).toBe(expectedChecksum(data));
      expect(Buffer.from(await t.blob!.arrayBuffer()).equals(data)).toBe(true);
      await transferState(dora, 'to-node.bin', 'out', 'done');

      step = 'Node → browser 70 kB';
      // Node → browser: a small file the browser accepts and saves.
      const small = new Uint8Array(randomBytes(70_000));
      node.sendFile(new Blob([small]), 'from-node.bin');
      await dora.getByRole('button', { name: 'Accept from-node.bin' }).click();
      expect(await transferState(dora, 'from-node.bin', 'in', 'done')).toBe(expectedChecksum(small));
      expect((await saveReceived(dora, 'from-node.bin')).equals(small)).toBe(true);

      step = 'browser leaves';
      // The browser leaving ends the Node side's conversation with a reason.
      const ended = node.next('state', 10_000);
      await dora.close();
      await ended;
      expect(node.state).toBe('closed');
      expect(node.closedReason).toBe('dora left the conversation.');
    } finally {
      hub.close();
      signal.close();
    }
  });
});
