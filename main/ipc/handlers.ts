// The IPC handler table: one function per invoke channel of the contract, over the server host and the
// settings. No electron import: the Electron adapter (main/app/ipc-main.ts) registers these with
// ipcMain.handle, tests and the dashboard's browser tests call them directly.
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { z } from 'zod';
import { createLocalCa, describeCa } from '../certs/ca.js';
import { generateLanCertificate } from '../certs/generate.js';
import { localLabel } from '../server/local-name.js';
import { CertificateError, inspectCertificate } from '../certs/inspect.js';
import { certificateDays, hostLabelPattern } from '../certs/limits.js';
import { lanAddresses, lanCertificateNames, mdnsHostLabel } from '../certs/lan.js';
import { isValidName } from '../server/protocol.js';
import { isValidRoomCode } from '../server/room-policy.js';
import { isPem } from '../server/pem.js';
import { generateVapidKey, parseVapidPrivateKey, validateVapidSubject } from '../server/push/vapid.js';
import type { ProblemCode } from '../server/surface.js';
import type { StoredSettings } from '../settings/schema.js';
import type { InvokeChannel, IpcErrorCode, Problem, RequestOf, Result, ResponseOf } from './contract.js';
import type { IpcDeps } from './deps.js';
import { fail, handler, IpcFailure } from './result.js';
import { selfCheck } from './self-check.js';
import { advertisedNames, certificateInfo, pushInfo, settingsInfo } from './views.js';

/** The table the Electron adapter registers: every invoke channel, taking one unvalidated argument. */
export type IpcHandlers = { [C in InvokeChannel]: (arg: unknown) => Promise<Result<ResponseOf<C>>> };

// Request schemas, each checked against the contract's request type.
const none = z.undefined();
// Any PEM block passes here; inspecting it then says precisely what is wrong (e.g. a key in the certificate field).
const pem = (what: string) =>
  z
    .string()
    .min(1)
    .max(200_000)
    .refine((s) => isPem(s), { message: `must be PEM text (-----BEGIN …) holding the ${what}` });
const schemas = {
  openExternal: z.object({ url: z.string().min(1).max(4096) }).strict() satisfies z.ZodType<
    RequestOf<'app:openExternal'>
  >,
  copyText: z.object({ text: z.string().max(100_000) }).strict() satisfies z.ZodType<RequestOf<'app:copyText'>>,
  // A WebSocket close reason is at most 123 bytes.
  kick: z
    .object({
      id: z.number().int().min(0),
      reason: z
        .string()
        .max(100)
        .refine((s) => Buffer.byteLength(s) <= 123, { message: 'must be at most 123 bytes' })
        .optional(),
    })
    .strict() satisfies z.ZodType<RequestOf<'peers:kick'>>,
  // The same rules as the server's (isValidName, isValidRoomCode), so the field gets the message.
  roomSet: z
    .object({
      room: z
        .string()
        .refine((s) => isValidName(s, 0), { message: 'must be up to 64 characters without control characters' }),
      locked: z.boolean().optional(),
      code: z
        .string()
        .refine(isValidRoomCode, { message: 'must be 1 to 32 characters without spaces or control characters' })
        .nullable()
        .optional(),
    })
    .strict() satisfies z.ZodType<RequestOf<'rooms:set'>>,
  certImport: z.discriminatedUnion('source', [
    z
      .object({
        source: z.literal('pem'),
        cert: pem('certificate'),
        key: pem('private key'),
        passphrase: z.string().max(1024).optional(),
      })
      .strict(),
    z.object({ source: z.literal('dialog'), link: z.boolean().optional() }).strict(),
  ]) satisfies z.ZodType<RequestOf<'certs:import'>>,
  certGenerate: z
    .object({
      hostname: z
        .string()
        .regex(hostLabelPattern, {
          message: 'must be a host name: letters, digits and hyphens',
        })
        .optional(),
      days: z.number().int().min(certificateDays.min).max(certificateDays.max).optional(),
    })
    .strict()
    .optional() satisfies z.ZodType<RequestOf<'certs:generate'>>,
  certExport: z.discriminatedUnion('to', [
    z.object({ to: z.literal('dialog') }).strict(),
    z.object({ to: z.literal('text') }).strict(),
  ]) satisfies z.ZodType<RequestOf<'certs:export'>>,
  pushGenerate: z
    .object({ subject: z.string().max(512).optional() })
    .strict()
    .optional() satisfies z.ZodType<RequestOf<'push:generate'>>,
  pushImport: z.discriminatedUnion('source', [
    z
      .object({
        source: z.literal('pem'),
        pem: pem('EC P-256 private key'),
        subject: z.string().max(512).optional(),
      })
      .strict(),
    z.object({ source: z.literal('dialog'), subject: z.string().max(512).optional() }).strict(),
  ]) satisfies z.ZodType<RequestOf<'push:import'>>,
  pushSubject: z.object({ subject: z.string().max(512) }).strict() satisfies z.ZodType<RequestOf<'push:setSubject'>>,
  pushTest: z
    .object({
      room: z.string().max(256).optional(),
      name: z.string().min(1).max(256),
      from: z.string().min(1).max(256).optional(),
    })
    .strict() satisfies z.ZodType<RequestOf<'push:test'>>,
  settingsPatch: z.record(z.string(), z.unknown()),
  logRecent: z
    .object({ limit: z.number().int().min(1).max(2000).optional() })
    .strict()
    .optional() satisfies z.ZodType<RequestOf<'log:recent'>>,
};

const pemFilters = [
  { name: 'PEM files', extensions: ['pem', 'crt', 'cer', 'key'] },
  { name: 'All files', extensions: ['*'] },
];

function problemCode(code: ProblemCode | Problem['code']): IpcErrorCode {
  if (code === 'port-in-use' || code === 'tls-invalid' || code === 'push-failed') return code;
  if (code === 'tls-expiring') return 'tls-invalid';
  return 'listen-failed';
}

/** The field of the settings form a start failure points at, if any. */
function problemField(code: Problem['code']): string | undefined {
  return code === 'port-in-use' ? 'port' : undefined;
}

/** Builds the handler table over `deps`. Every handler validates its argument before acting. */
export function createIpcHandlers(deps: IpcDeps): IpcHandlers {
  const { host, settings } = deps;
  const now = () => (deps.now ?? (() => new Date()))();

  async function chooseFile(title: string): Promise<string> {
    if (!deps.dialogs) fail('unsupported', 'File dialogs are not available here: paste the PEM text instead');
    const file = await deps.dialogs.openFile({ title, filters: pemFilters });
    if (file === null) fail('cancelled', 'No file was chosen');
    return file;
  }

  async function readText(file: string): Promise<string> {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      fail('io-failed', `${file} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }

  /**
   * Applies stored settings to the server. When that fails, puts `before` back and brings the server back
   * as it was (running on the old settings), then answers with the failure.
   */
  async function applyOrRollback(
    before: StoredSettings,
    wasRunning: boolean,
    field?: string,
  ): Promise<'live' | 'restarted' | 'stored'> {
    const r = await host.apply();
    if (r.ok) return r.applied;
    settings.restore(before);
    if (wasRunning) {
      if (host.state() === 'running') await host.apply();
      else await host.start();
    }
    return fail(
      problemCode(r.problem.code),
      `${r.problem.message} (the change was not kept)`,
      field ?? problemField(r.problem.code),
    );
  }

  /** Stores a change and applies it; see applyOrRollback. */
  async function change(mutate: () => void, field?: string): Promise<'live' | 'restarted' | 'stored'> {
    const before = settings.snapshot();
    const wasRunning = host.state() === 'running';
    mutate();
    return applyOrRollback(before, wasRunning, field);
  }

  function localCaInfo() {
    const ca = settings.ca();
    if (!ca) return null;
    const d = describeCa(ca.cert);
    return {
      subject: d.subject,
      fingerprint256: d.fingerprint256,
      validTo: d.validTo,
      constraints: d.constraints,
      active: settings.autoTlsCa() !== null,
      pem: ca.cert,
    };
  }

  function runningServer() {
    const s = host.current();
    if (!s || host.state() !== 'running') fail('not-running', 'The server is not running: start it first');
    return s;
  }

  async function lifecycle(op: 'start' | 'stop' | 'restart') {
    const r = await host[op]();
    if (!r.ok) fail(problemCode(r.problem.code), r.problem.message, problemField(r.problem.code));
    return r.status;
  }

  function checkedCertificate(cert: string, key: string, passphrase?: string) {
    const d = inspectCertificate(cert, {
      keyPem: key,
      ...(passphrase !== undefined ? { passphrase } : {}),
      expected: advertisedNames(deps),
      now: now(),
    });
    const expired = d.warnings.find((w) => w.code === 'expired' || w.code === 'not-yet-valid');
    if (expired) throw new CertificateError(expired.message, 'cert');
    return d;
  }

  function currentCertificate() {
    const info = certificateInfo(deps);
    if (!info) fail('not-found', 'TLS is off: generate or import a certificate first');
    return info;
  }

  async function setPushKey(pemText: string, subject: string | undefined) {
    parseVapidPrivateKey(pemText);
    const s = subject === undefined ? (settings.push()?.subject ?? null) : validateVapidSubject(subject);
    await change(() => settings.setPush({ privateKeyPem: pemText, subject: s }));
    return pushInfo(deps);
  }

  return {
    'app:info': handler(none, () => ({
      ...deps.app,
      logFolder: deps.logs.folder,
      dialogs: deps.dialogs !== undefined,
    })),
    'app:openExternal': handler(schemas.openExternal, async ({ url }) => {
      if (!deps.openExternal) fail('unsupported', 'Opening a browser is not available here');
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return fail('invalid-argument', 'url is not a URL', 'url');
      }
      // Only the server's own web pages: never a URL a page could smuggle in.
      const ours = host.status().addresses.flatMap((a) => (a.webClientUrl ? [new URL(a.webClientUrl).origin] : []));
      if (!/^https?:$/.test(u.protocol) || !ours.includes(u.origin))
        fail(
          'forbidden',
          `Only this server's own web client can be opened (${ours.join(', ') || 'not served now'})`,
          'url',
        );
      await deps.openExternal(u.href);
      return null;
    }),
    'app:copyText': handler(schemas.copyText, async ({ text }) => {
      if (!deps.copyText) fail('unsupported', 'The clipboard is not available here');
      await deps.copyText(text);
      return null;
    }),

    'server:status': handler(none, () => host.status()),
    'server:start': handler(none, () => lifecycle('start')),
    'server:stop': handler(none, () => lifecycle('stop')),
    'server:restart': handler(none, () => lifecycle('restart')),

    'peers:list': handler(none, () => host.current()?.peers() ?? []),
    'peers:kick': handler(schemas.kick, ({ id, reason }) => {
      if (!runningServer().kick(id, reason ?? 'kicked by the operator'))
        fail('not-found', `No connection with id ${id} (it may have left already)`, 'id');
      return null;
    }),

    'rooms:list': handler(none, () => host.current()?.rooms() ?? []),
    'rooms:set': handler(schemas.roomSet, ({ room, ...patch }) => runningServer().setRoom(room, patch)),

    'addresses:list': handler(none, () => host.status().addresses),
    'network:selfCheck': handler(none, () => {
      runningServer();
      // In auto mode the leaf changes; the CA is what a device trusts.
      const cert = settings.autoTlsCa()?.cert ?? (settings.tlsSource() ? (settings.tlsMaterial()?.cert ?? null) : null);
      return selfCheck(host.status().addresses, cert, deps.selfCheckTimeoutMs ?? 3000);
    }),
    'discovery:list': handler(none, () => host.current()?.discovered() ?? []),

    'certs:current': handler(none, () => certificateInfo(deps)),
    'certs:import': handler(schemas.certImport, async (req) => {
      if (req.source === 'pem') {
        checkedCertificate(req.cert, req.key, req.passphrase);
        await change(
          () =>
            settings.setTls({
              kind: 'pem',
              origin: 'imported',
              cert: req.cert,
              key: req.key,
              ...(req.passphrase ? { passphrase: req.passphrase } : {}),
            }),
          'cert',
        );
      } else {
        const certPath = await chooseFile('Choose the certificate (PEM)');
        const keyPath = await chooseFile('Choose its private key (PEM)');
        const [cert, key] = [await readText(certPath), await readText(keyPath)];
        checkedCertificate(cert, key);
        await change(
          () =>
            settings.setTls(
              req.link ? { kind: 'files', certPath, keyPath } : { kind: 'pem', origin: 'imported', cert, key },
            ),
          'cert',
        );
      }
      return currentCertificate();
    }),
    'certs:generate': handler(schemas.certGenerate, async (req) => {
      const addrs = (deps.interfaces ?? lanAddresses)();
      const names = lanCertificateNames(req?.hostname ?? (deps.hostname ?? os.hostname)(), addrs);
      const g = await generateLanCertificate({
        ...names,
        ...(req?.days !== undefined ? { days: req.days } : {}),
        now: now(),
      });
      await change(() => settings.setTls({ kind: 'pem', origin: 'generated', cert: g.cert, key: g.key }));
      return currentCertificate();
    }),
    'certs:export': handler(schemas.certExport, async (req) => {
      const info = currentCertificate();
      if (req.to === 'text') return { pem: info.pem, path: null };
      if (!deps.dialogs) fail('unsupported', 'File dialogs are not available here: copy the PEM text instead');
      const file = await deps.dialogs.saveFile({
        title: 'Save the certificate for other devices',
        defaultName: `${mdnsHostLabel((deps.hostname ?? os.hostname)())}-rustysignal.crt`,
        filters: [{ name: 'Certificate', extensions: ['crt', 'pem'] }],
      });
      if (file === null) fail('cancelled', 'No file was chosen');
      await writeFile(file, info.pem);
      return { pem: info.pem, path: file };
    }),
    'certs:remove': handler(none, async () => {
      await change(() => settings.setTls(null));
      return null;
    }),

    'certs:ca': handler(none, () => localCaInfo()),
    'certs:createCa': handler(none, async () => {
      if (!settings.ca()) {
        const ca = await createLocalCa(localLabel((deps.hostname ?? os.hostname)()), now());
        await change(() => settings.setCa(ca));
      }
      return localCaInfo()!;
    }),

    'push:info': handler(none, () => pushInfo(deps)),
    'push:generate': handler(schemas.pushGenerate, (req) => setPushKey(generateVapidKey().pem, req?.subject)),
    'push:import': handler(schemas.pushImport, async (req) => {
      const text =
        req.source === 'pem' ? req.pem : await readText(await chooseFile('Choose the VAPID private key (PEM)'));
      return setPushKey(text, req.subject);
    }),
    'push:setSubject': handler(schemas.pushSubject, async ({ subject }) => {
      if (!settings.push()) fail('push-unavailable', 'No push key yet: generate or import one first');
      const s = validateVapidSubject(subject);
      await change(() => settings.setPushSubject(s), 'subject');
      return pushInfo(deps);
    }),
    'push:remove': handler(none, async () => {
      await change(() => settings.setPush(null));
      return pushInfo(deps);
    }),
    'push:test': handler(schemas.pushTest, async ({ room, name, from }) => {
      const s = runningServer();
      if (!s.status().push.enabled)
        fail(
          'push-unavailable',
          settings.push()
            ? 'Push is off until a subject (mailto: or https:) is set'
            : 'Push is off: generate or import a VAPID key first',
        );
      return s.sendTestPush(room ?? '', name, from);
    }),

    'settings:get': handler(none, () => settingsInfo(deps)),
    'settings:set': handler(schemas.settingsPatch, async (patch) => {
      const before = settings.snapshot();
      const wasRunning = host.state() === 'running';
      const r = settings.update(patch);
      if (!r.ok) {
        const first = r.errors[0]!;
        throw new IpcFailure({
          code: 'invalid-argument',
          message: `${first.field} ${first.message}`,
          field: first.field,
          fields: r.errors,
        });
      }
      if ('startAtLogin' in patch && deps.loginItem) await deps.loginItem.set(r.values.startAtLogin);
      const applied = await applyOrRollback(before, wasRunning);
      return { settings: await settingsInfo(deps), applied };
    }),

    'log:recent': handler(schemas.logRecent, (req) => deps.logs.recent(req?.limit ?? 200)),
    'log:openFolder': handler(none, async () => {
      if (!deps.openPath)
        fail('unsupported', `Opening folders is not available here; the logs are in ${deps.logs.folder}`);
      const err = await deps.openPath(deps.logs.folder);
      if (err) fail('io-failed', `The log folder ${deps.logs.folder} could not be opened: ${err}`);
      return { path: deps.logs.folder };
    }),
  };
}
