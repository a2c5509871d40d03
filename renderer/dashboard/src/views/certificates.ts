// Certificates: what the server presents for wss/https, and ways to replace it (generate a LAN
// certificate, import PEM or files) or take it away (export, turn TLS off).
import { html, nothing } from 'lit';
import type { CertificateInfo, IpcError, LocalCaInfo } from '../../../../main/ipc/contract.js';
import { call, toIpcError } from '../api.js';
import { announce } from '../components/announce.js';
import { errorBanner } from '../components/banner.js';
import { copyButton, copyText } from '../components/copy.js';
import { checkField, focusFirstInvalid, textArea, textField } from '../components/field.js';
import { runFormAction } from '../components/field-errors.js';
import { api, store } from '../context.js';
import { formatDate, formatDateTime } from '../format.js';
import { requestRender } from '../schedule.js';
import { hostnameError, parseCertificateDays, pemError, type FieldErrors } from '../validate.js';

const formFields = ['hostname', 'days', 'cert', 'key', 'passphrase'];

type Busy = 'generate' | 'import' | 'import-dialog' | 'export' | 'remove' | 'create-ca' | null;

const ui = {
  hostname: '',
  days: '397',
  cert: '',
  key: '',
  passphrase: '',
  link: false,
  errors: {} as FieldErrors,
  error: null as IpcError | null,
  busy: null as Busy,
  confirmRemove: false,
};

// Errors about a field on this page go next to it; everything else above the forms.
const act = (busy: Exclude<Busy, null>, fn: () => Promise<void>) =>
  runFormAction(ui, busy, (f) => (formFields.includes(f) ? f : null), fn);

function generate(e: Event): void {
  e.preventDefault();
  ui.errors = {};
  const hn = hostnameError(ui.hostname);
  if (hn) ui.errors.hostname = hn;
  const days = parseCertificateDays(ui.days);
  if (typeof days === 'string') ui.errors.days = days;
  if (Object.keys(ui.errors).length) {
    requestRender();
    focusFirstInvalid();
    return;
  }
  const hostname = ui.hostname.trim().replace(/\.local\.?$/i, '');
  void act('generate', async () => {
    const info = await call(api().certs.generate({ ...(hostname ? { hostname } : {}), days: days as number }));
    store().set('certificate', info);
    announce('Generated a new LAN certificate');
  });
}

// The local CA, read once when the view first shows (it changes only through this view).
const localCa = { info: undefined as LocalCaInfo | null | undefined, loading: false };

function loadLocalCa(): void {
  if (localCa.info !== undefined || localCa.loading) return;
  localCa.loading = true;
  void call(api().certs.ca())
    .then(
      (info) => void (localCa.info = info),
      (err: unknown) => void (ui.error = toIpcError(err)),
    )
    .finally(() => {
      localCa.loading = false;
      requestRender();
    });
}

function createLocalCa(): void {
  void act('create-ca', async () => {
    localCa.info = await call(api().certs.createCa());
    store().set('certificate', await call(api().certs.current()));
    announce('Created the local certificate authority; the server now uses https with a certificate from it');
  });
}

function localCaCard() {
  loadLocalCa();
  const ca = localCa.info;
  return html`<section class="card" aria-labelledby="ca-heading" data-testid="local-ca">
    <h2 id="ca-heading">Local certificate authority</h2>
    ${
      ca === undefined
        ? html`<p class="note">Loading…</p>`
        : ca === null
          ? html`<p>
                Create a certificate authority for this computer: devices trust it once (scan the onboarding QR code in
                Status) and then open the https:// address with no warning, also after this computer moves to another
                network. It can only vouch for .local names and private network addresses.
              </p>
              <div class="actions">
                <button type="button" class="primary" ?disabled=${ui.busy !== null} @click=${createLocalCa}>
                  ${ui.busy === 'create-ca' ? 'Creating…' : 'Create local CA'}
                </button>
              </div>`
          : html`<p>
                ${
                  ca.active
                    ? 'The server uses https with certificates from this CA, renewed by themselves when addresses change.'
                    : 'An imported certificate is in use; turn TLS off (remove it) to use certificates from this CA again.'
                }
              </p>
              <dl class="facts">
                <dt>Name</dt>
                <dd>${ca.subject}</dd>
                <dt>SHA-256 fingerprint</dt>
                <dd>
                  <code class="mono" data-testid="ca-fingerprint">${ca.fingerprint256}</code>
                  ${copyButton(ca.fingerprint256, 'local CA fingerprint')}
                </dd>
                <dt>Valid until</dt>
                <dd>${formatDate(ca.validTo)}</dd>
                <dt>May vouch for</dt>
                <dd>
                  ${ca.constraints.dns.map((d) => (d === 'localhost' ? d : `*.${d}`)).join(', ')};
                  ${ca.constraints.ip.join(', ')}
                </dd>
              </dl>`
    }
  </section>`;
}

function importPem(e: Event): void {
  e.preventDefault();
  ui.errors = {};
  const ce = pemError(ui.cert, 'certificate');
  const ke = pemError(ui.key, 'private key');
  if (ce) ui.errors.cert = ce;
  if (ke) ui.errors.key = ke;
  if (ce || ke) {
    requestRender();
    focusFirstInvalid();
    return;
  }
  void act('import', async () => {
    const info = await call(
      api().certs.import({
        source: 'pem',
        cert: ui.cert.trim() + '\n',
        key: ui.key.trim() + '\n',
        ...(ui.passphrase ? { passphrase: ui.passphrase } : {}),
      }),
    );
    store().set('certificate', info);
    ui.cert = ui.key = ui.passphrase = '';
    announce('Imported the certificate');
  });
}

function importFiles(): void {
  ui.errors = {};
  void act('import-dialog', async () => {
    const info = await call(api().certs.import({ source: 'dialog', link: ui.link }));
    store().set('certificate', info);
    announce('Imported the certificate');
  });
}

function exportToFile(): void {
  void act('export', async () => {
    const r = await call(api().certs.export({ to: 'dialog' }));
    announce(r.path ? `Saved the certificate to ${r.path}` : 'Exported the certificate');
  });
}

function copyPem(): void {
  void act('export', async () => {
    const r = await call(api().certs.export({ to: 'text' }));
    await copyText(r.pem, 'certificate (PEM)');
  });
}

function removeTls(): void {
  void act('remove', async () => {
    await call(api().certs.remove());
    store().set('certificate', null);
    ui.confirmRemove = false;
    announce('TLS is off');
  });
}

function expiryText(c: CertificateInfo): string {
  if (c.daysLeft < 0) return `expired ${-c.daysLeft} day${c.daysLeft === -1 ? '' : 's'} ago`;
  if (c.daysLeft === 0) return 'expires today';
  return `expires in ${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'}`;
}

function current(c: CertificateInfo) {
  const severe = new Set(['expired', 'not-yet-valid']);
  return html`
    ${c.warnings.map(
      (w) =>
        html`<div
          class="banner ${severe.has(w.code) ? 'error' : 'warning'}"
          role=${severe.has(w.code) ? 'alert' : 'status'}
          data-warning=${w.code}
        >
          <div><p>${w.message}</p></div>
        </div>`,
    )}
    <section class="card" aria-labelledby="cert-heading">
      <h2 id="cert-heading">Current certificate</h2>
      <dl class="facts" data-testid="cert-facts">
        <dt>Subject</dt>
        <dd data-testid="cert-subject">${c.subject}</dd>
        <dt>Issuer</dt>
        <dd data-testid="cert-issuer">
          ${c.selfSigned ? html`${c.issuer} <span class="note">(self-signed)</span>` : c.issuer}
        </dd>
        <dt>Names (SAN)</dt>
        <dd data-testid="cert-sans">
          ${c.subjectAltNames.length ? c.subjectAltNames.join(', ') : html`<span class="warn-text">none</span>`}
        </dd>
        <dt>Valid from</dt>
        <dd>${formatDateTime(c.validFrom)}</dd>
        <dt>Valid until</dt>
        <dd data-testid="cert-valid-to">
          ${formatDate(c.validTo)}
          <span
            class=${c.daysLeft < 0 ? 'fail-text' : c.daysLeft <= 30 ? 'warn-text' : 'note'}
            data-testid="cert-days-left"
            >(${expiryText(c)})</span
          >
        </dd>
        <dt>SHA-256 fingerprint</dt>
        <dd>
          <code class="mono" data-testid="cert-fingerprint">${c.fingerprint256}</code>
          ${copyButton(c.fingerprint256, 'certificate fingerprint')}
        </dd>
        <dt>Key</dt>
        <dd>${c.keyType}</dd>
        <dt>Serial</dt>
        <dd class="mono">${c.serialNumber}</dd>
        <dt>Source</dt>
        <dd>
          ${c.source === 'files' ? html`files, re-read at each start: <span class="mono">${c.certPath}</span>` : c.source}
        </dd>
      </dl>
      <div class="actions">
        ${store().state.app?.dialogs ? html`<button type="button" ?disabled=${ui.busy !== null} @click=${exportToFile}>Export to a file…</button>` : nothing}
        <button type="button" ?disabled=${ui.busy !== null} @click=${copyPem}>Copy certificate (PEM)</button>
        ${
          ui.confirmRemove
            ? html`<span>Devices will then connect with ws:// (not encrypted).</span>
                <button type="button" class="danger" ?disabled=${ui.busy !== null} @click=${removeTls}>
                  Turn TLS off
                </button>
                <button type="button" @click=${() => ((ui.confirmRemove = false), requestRender())}>Keep TLS</button>`
            : html`<button type="button" class="danger" @click=${() => ((ui.confirmRemove = true), requestRender())}>
                Turn TLS off…
              </button>`
        }
      </div>
    </section>
  `;
}

/** The Certificates view. */
export function certificatesView() {
  const c = store().state.certificate;
  const dialogs = store().state.app?.dialogs ?? false;
  const busy = ui.busy !== null;
  const clear = (k: string) => () => {
    delete ui.errors[k];
    requestRender();
  };
  return html`
    <h1 tabindex="-1">Certificates</h1>
    ${errorBanner(ui.error)}
    ${
      c === undefined
        ? html`<p class="note">Loading…</p>`
        : c === null
          ? html`<div class="card" data-testid="tls-off">
              <h2>TLS is off</h2>
              <p>
                Devices connect with ws:// and http://, unencrypted. Web pages served over https:// can only use wss://,
                so generate or import a certificate if they need to connect.
              </p>
            </div>`
          : current(c)
    }
    ${localCaCard()}

    <section class="card" aria-labelledby="gen-heading">
      <h2 id="gen-heading">Generate a LAN certificate</h2>
      <p class="note">
        A self-signed certificate for this computer's name (NAME.local) and its LAN addresses. Each device must trust it
        once (open the https:// address and accept it).
      </p>
      <form @submit=${generate} novalidate>
        <div class="form-grid">
          ${textField({ id: 'hostname', label: 'Host name (optional)', value: ui.hostname, placeholder: "this computer's name", hint: '.local is added for you.', error: ui.errors.hostname, onInput: (v) => ((ui.hostname = v), clear('hostname')()) })}
          ${textField({ id: 'days', label: 'Valid for (days)', value: ui.days, inputmode: 'numeric', hint: '1 to 825; browsers accept at most 397 for public sites.', error: ui.errors.days, onInput: (v) => ((ui.days = v), clear('days')()) })}
        </div>
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${busy}>
            ${ui.busy === 'generate' ? 'Generating…' : 'Generate certificate'}
          </button>
        </div>
      </form>
    </section>

    <section class="card" aria-labelledby="import-heading">
      <h2 id="import-heading">Import a certificate and its key</h2>
      ${
        dialogs
          ? html`<div class="actions">
                <button type="button" ?disabled=${busy} @click=${importFiles}>Choose files…</button>
                ${checkField({ id: 'link', label: 'Keep using these files (re-read at each start, e.g. after a renewal)', checked: ui.link, onChange: (v) => ((ui.link = v), requestRender()) })}
              </div>
              <p class="note">Or paste the PEM text:</p>`
          : nothing
      }
      <form @submit=${importPem} novalidate>
        <div class="form-grid">
          ${textArea({ id: 'cert', label: 'Certificate (PEM)', value: ui.cert, placeholder: '-----BEGIN CERTIFICATE-----', hint: 'The chain may follow the certificate.', error: ui.errors.cert, onInput: (v) => ((ui.cert = v), clear('cert')()) })}
          ${textArea({ id: 'key', label: 'Private key (PEM)', value: ui.key, placeholder: '-----BEGIN PRIVATE KEY-----', error: ui.errors.key, onInput: (v) => ((ui.key = v), clear('key')()) })}
          ${textField({ id: 'passphrase', label: 'Key passphrase (if encrypted)', type: 'password', value: ui.passphrase, error: ui.errors.passphrase, onInput: (v) => ((ui.passphrase = v), clear('passphrase')()) })}
        </div>
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${busy}>
            ${ui.busy === 'import' ? 'Importing…' : 'Import certificate'}
          </button>
        </div>
      </form>
    </section>
  `;
}
