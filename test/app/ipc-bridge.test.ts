// Both ends of the Electron IPC bridge with the electron double: ipcMain.handle registers every contract
// channel behind the sender check, and the preload exposes exactly the contract as named functions.
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InvokeChannel, PreloadApi } from '../../main/ipc/contract.js';
import { createIpcHandlers } from '../../main/ipc/handlers.js';
import { createNodeIpcDeps } from '../support/node-ipc-deps.js';
import { recorded, resetElectronDouble } from '../support/electron-double.js';

vi.mock('electron', async () => (await import('../support/electron-double.js')).electronModule());
const { registerIpc, sendEvent } = await import('../../main/app/ipc-main.js');

const DASH = 'rustysignal://dashboard/index.html';
const handlers = createIpcHandlers(
  createNodeIpcDeps({
    dir: null,
    settings: { host: '127.0.0.1', port: 0, mdns: { enabled: false }, relay: { port: 0 } },
  }),
);
const channels = Object.keys(handlers).sort() as InvokeChannel[];

function fakeEvent(o: { url?: string | null; subframe?: boolean; id?: number }) {
  const mainFrame = { url: o.url ?? DASH };
  const senderFrame = o.url === null ? null : o.subframe ? { url: o.url ?? DASH } : mainFrame;
  return { sender: { id: o.id ?? 7, mainFrame }, senderFrame };
}

beforeEach(() => resetElectronDouble());

describe('ipcMain adapter', () => {
  const trusted = { ids: () => new Set([7]), all: () => [] };

  it('registers every contract channel and removes them again', () => {
    const off = registerIpc(handlers, trusted);
    expect([...recorded.handlers.keys()].sort()).toEqual(channels);
    off();
    expect(recorded.handlers.size).toBe(0);
  });

  it('answers our window, and refuses other pages, frames, windows and extra arguments', async () => {
    registerIpc(handlers, trusted);
    const status = recorded.handlers.get('server:status')!;
    expect(await status(fakeEvent({}))).toMatchObject({ ok: true, value: { state: 'stopped' } });
    const forbidden = {
      ok: false,
      error: { code: 'forbidden', message: 'server:status may only be called by the rustysignal dashboard' },
    };
    expect(await status(fakeEvent({ url: 'https://evil.example/' }))).toEqual(forbidden);
    expect(await status(fakeEvent({ url: 'file:///tmp/index.html' }))).toEqual(forbidden);
    expect(await status(fakeEvent({ subframe: true }))).toEqual(forbidden);
    expect(await status(fakeEvent({ id: 8 }))).toEqual(forbidden);
    expect(await status(fakeEvent({ url: null }))).toEqual(forbidden);
    expect(await status(fakeEvent({}), undefined, 'extra')).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await recorded.handlers.get('peers:kick')!(fakeEvent({}), { id: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', field: 'id' },
    });
  });

  it('sends events as event:NAME to live trusted windows only', () => {
    const sent: unknown[][] = [];
    const live = { isDestroyed: () => false, send: (...a: unknown[]) => sent.push(a) };
    const dead = { isDestroyed: () => true, send: () => sent.push(['dead']) };
    sendEvent({ ids: () => new Set(), all: () => [live, dead] as never }, 'connections', { connections: 1, peers: 0 });
    expect(sent).toEqual([['event:connections', { connections: 1, peers: 0 }]]);
  });
});

describe('preload', () => {
  // The compiled preload (CommonJS, as Electron loads it), with require('electron') answered by the double.
  function loadPreload(): PreloadApi {
    const file = path.resolve('dist/main/app/preload.cjs');
    const req = createRequire(file);
    const Module = req('node:module') as { _load: (r: string, ...a: unknown[]) => unknown };
    const original = Module._load;
    Module._load = (r: string, ...a: unknown[]) => (r === 'electron' ? electronDouble : original(r, ...a));
    try {
      delete req.cache[file];
      req(file);
    } finally {
      Module._load = original;
    }
    return recorded.exposed.get('rustysignal') as PreloadApi;
  }
  let electronDouble: unknown;
  beforeEach(async () => {
    electronDouble = (await import('../support/electron-double.js')).electronModule();
  });

  it('exposes one named function per contract channel, and `on`, under window.rustysignal', () => {
    const api = loadPreload();
    const names = Object.entries(api).flatMap(([g, v]) =>
      typeof v === 'function' ? [g] : Object.keys(v as object).map((m) => `${g}:${m}`),
    );
    expect(names.sort()).toEqual([...channels, 'on'].sort());
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('invokes the channel with exactly one argument', async () => {
    const api = loadPreload();
    await api.server.start();
    await (api.peers.kick as (...a: unknown[]) => Promise<unknown>)({ id: 3 }, 'smuggled');
    expect(recorded.invoked).toEqual([
      { channel: 'server:start', args: [undefined] },
      { channel: 'peers:kick', args: [{ id: 3 }] },
    ]);
  });

  it('subscribes to contract events only, passes the payload alone, and unsubscribes', () => {
    const api = loadPreload();
    const got: unknown[] = [];
    const off = api.on('peer-joined', (p) => got.push(p));
    recorded.rendererListeners.emit('event:peer-joined', { sender: 'secret' }, { id: 1, name: 'ann' });
    off();
    recorded.rendererListeners.emit('event:peer-joined', {}, { id: 2 });
    expect(got).toEqual([{ id: 1, name: 'ann' }]);
    expect(() => api.on('server:status' as never, () => {})).toThrow('unknown event server:status');
  });
});
