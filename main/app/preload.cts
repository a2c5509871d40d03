// The dashboard's only door to the main process. Sandboxed preloads are CommonJS and may require nothing
// but 'electron', so the channel lists live here, checked against the contract by the type checker: a
// channel added to the contract and missing here (or the reverse) fails the build.
import { contextBridge, ipcRenderer } from 'electron';
import type { EventChannel, InvokeChannel, PreloadApi, PreloadGlobalName } from '../ipc/contract.js';

const invokeChannels = {
  'app:info': 0,
  'app:openExternal': 0,
  'app:copyText': 0,
  'server:status': 0,
  'server:start': 0,
  'server:stop': 0,
  'server:restart': 0,
  'peers:list': 0,
  'peers:kick': 0,
  'rooms:list': 0,
  'rooms:set': 0,
  'addresses:list': 0,
  'network:selfCheck': 0,
  'discovery:list': 0,
  'certs:current': 0,
  'certs:import': 0,
  'certs:generate': 0,
  'certs:export': 0,
  'certs:remove': 0,
  'certs:ca': 0,
  'certs:createCa': 0,
  'push:info': 0,
  'push:generate': 0,
  'push:import': 0,
  'push:setSubject': 0,
  'push:remove': 0,
  'push:test': 0,
  'settings:get': 0,
  'settings:set': 0,
  'log:recent': 0,
  'log:openFolder': 0,
} as const satisfies Record<InvokeChannel, 0>;

const eventChannels = {
  status: 0,
  problem: 0,
  'peer-joined': 0,
  'peer-left': 0,
  'peer-stats': 0,
  connections: 0,
  discovery: 0,
  settings: 0,
  certificate: 0,
  push: 0,
  log: 0,
} as const satisfies Record<EventChannel, 0>;

const api: Record<string, Record<string, (arg?: unknown) => Promise<unknown>>> = {};
for (const channel of Object.keys(invokeChannels) as InvokeChannel[]) {
  const [group, method] = channel.split(':') as [string, string];
  // Exactly one argument crosses, whatever the page passes.
  (api[group] ??= {})[method] = (arg?: unknown) => ipcRenderer.invoke(channel, arg);
}

const on: PreloadApi['on'] = (event, listener) => {
  if (!Object.hasOwn(eventChannels, event)) throw new TypeError(`unknown event ${String(event)}`);
  // The page gets the payload only, never the IpcRendererEvent (it carries `sender`).
  const wrapped = (_e: unknown, payload: unknown) => listener(payload as Parameters<typeof listener>[0]);
  ipcRenderer.on(`event:${event}`, wrapped);
  return () => {
    ipcRenderer.removeListener(`event:${event}`, wrapped);
  };
};

const name: PreloadGlobalName = 'rustysignal';
contextBridge.exposeInMainWorld(name, Object.freeze({ ...api, on }));
