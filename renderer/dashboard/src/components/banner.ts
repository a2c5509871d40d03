// Banners for problems the app reports (port in use, certificate expired, mDNS failed, ...): the
// message from the main process says what happened and what to do; the button takes the user there.
import { html, nothing } from 'lit';
import type { IpcError, Problem, ProblemCode } from '../../../../main/ipc/contract.js';
import type { Route } from '../router.js';

const fixAt: Partial<Record<ProblemCode, { route: Route; label: string }>> = {
  'port-in-use': { route: 'settings', label: 'Change the port' },
  'listen-failed': { route: 'settings', label: 'Check the bind address' },
  'settings-invalid': { route: 'settings', label: 'Open Settings' },
  'tls-invalid': { route: 'certificates', label: 'Open Certificates' },
  'tls-expiring': { route: 'certificates', label: 'Open Certificates' },
  'push-failed': { route: 'push', label: 'Open Push' },
  'push-store-corrupt': { route: 'push', label: 'Open Push' },
  'mdns-failed': { route: 'network', label: 'Open Network' },
  'relay-failed': { route: 'settings', label: 'Change the relay port' },
};

const titles: Record<ProblemCode, string> = {
  'port-in-use': 'The port is already in use',
  'listen-failed': 'The server could not start',
  'tls-invalid': 'The certificate cannot be used',
  'tls-expiring': 'The certificate expires soon',
  'push-failed': 'Push notifications failed',
  'push-store-corrupt': 'Stored push subscriptions could not be read',
  'mdns-failed': 'LAN discovery (mDNS) failed',
  'redis-unavailable': 'The cluster lost its Redis',
  'cluster-node-lost': 'A cluster node stopped answering',
  'relay-failed': 'The connection relay (STUN/TURN) is off',
  'settings-invalid': 'Some settings are invalid',
  'secrets-unavailable': 'Secrets cannot be stored encrypted',
  internal: 'Something went wrong',
};

/** One banner per problem, errors first; nothing when there are none. */
export function problemBanners(problems: readonly Problem[]) {
  const sorted = [...problems].sort((a, b) =>
    a.severity === b.severity ? b.at - a.at : a.severity === 'error' ? -1 : 1,
  );
  return sorted.map((p) => {
    const fix = fixAt[p.code];
    return html`<div
      class="banner ${p.severity}"
      role=${p.severity === 'error' ? 'alert' : 'status'}
      data-problem=${p.code}
    >
      <div>
        <strong>${titles[p.code] ?? titles.internal}</strong>
        <p>${p.message}</p>
      </div>
      ${fix ? html`<a class="button" href="#/${fix.route}">${fix.label}</a>` : nothing}
    </div>`;
  });
}

/** A banner for a failed action in a view (an IPC error without a field to sit next to). */
export function errorBanner(err: IpcError | null, testId = 'action-error') {
  if (!err) return nothing;
  return html`<div class="banner error" role="alert" data-testid=${testId}>
    <div>
      <strong>${err.code === 'cancelled' ? 'Cancelled' : 'That did not work'}</strong>
      <p>${err.message}</p>
    </div>
  </div>`;
}
