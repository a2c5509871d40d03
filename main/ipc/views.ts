// Builds the contract's view objects (certificate, push, settings) from the settings and the running
// server. Shared by the handlers and the event forwarder so both always say the same thing.
import os from 'node:os';
import { inspectCertificate } from '../certs/inspect.js';
import { lanAddresses, lanCertificateNames } from '../certs/lan.js';
import { parseVapidPrivateKey } from '../server/push/vapid.js';
import type { CertificateInfo, PushInfo, SettingsInfo } from './contract.js';
import type { IpcDeps } from './deps.js';

/** The names and addresses devices use: `HOST.local` and the non-loopback addresses. */
export function advertisedNames(deps: IpcDeps): { dns: string[]; ip: string[] } {
  const addrs = (deps.interfaces ?? lanAddresses)().filter((a) => !a.internal);
  const names = lanCertificateNames((deps.hostname ?? os.hostname)(), addrs);
  return { dns: names.dns.filter((n) => n !== 'localhost'), ip: names.ip };
}

/** The current certificate with warnings; null when TLS is off. Throws when linked files are unreadable. */
export function certificateInfo(deps: IpcDeps): CertificateInfo | null {
  const source = deps.settings.tlsSource();
  const material = deps.settings.tlsMaterial();
  if (!source || !material) return null;
  const d = inspectCertificate(material.cert, {
    expected: advertisedNames(deps),
    now: (deps.now ?? (() => new Date()))(),
  });
  return {
    source: source.kind === 'files' ? 'files' : source.origin,
    certPath: source.kind === 'files' ? source.certPath : null,
    ...d,
  };
}

/** Push keys as the dashboard shows them. */
export function pushInfo(deps: IpcDeps): PushInfo {
  const stored = deps.settings.push();
  const running = deps.host.status().push;
  let publicKey: string | null = null;
  if (stored) {
    try {
      publicKey = parseVapidPrivateKey(stored.privateKeyPem).publicKey;
    } catch {
      publicKey = null;
    }
  }
  return {
    configured: stored !== null,
    enabled: running.enabled,
    subject: stored?.subject ?? null,
    publicKey: running.publicKey ?? publicKey,
    subscriptions: running.subscriptions,
  };
}

/** Settings with defaults and the secrets notice; `startAtLogin` read fresh from the OS when possible. */
export async function settingsInfo(deps: IpcDeps): Promise<SettingsInfo> {
  const values = deps.settings.values();
  if (deps.loginItem) values.startAtLogin = await deps.loginItem.get();
  return { values, defaults: deps.settings.defaults(), secrets: { ...deps.settings.encryption } };
}
