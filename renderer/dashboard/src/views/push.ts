// Push: the VAPID key pair that lets the server wake subscribed devices ("X wants to connect").
import { html, nothing } from 'lit';
import type { IpcError, PushInfo, PushTestResult } from '../../../../main/ipc/contract.js';
import { call } from '../api.js';
import { announce } from '../components/announce.js';
import { errorBanner } from '../components/banner.js';
import { copyButton } from '../components/copy.js';
import { focusFirstInvalid, textArea, textField } from '../components/field.js';
import { runFormAction } from '../components/field-errors.js';
import { api, store } from '../context.js';
import { formatCount } from '../format.js';
import { requestRender } from '../schedule.js';
import { isPem } from '../../../../main/server/pem.js';
import { subjectError, type FieldErrors } from '../validate.js';

type Busy = 'subject' | 'generate' | 'import' | 'test' | 'remove' | null;

const ui = {
  /** null: not edited yet, show the stored subject. */
  subject: null as string | null,
  pem: '',
  testName: '',
  testRoom: '',
  testResult: null as PushTestResult | null,
  errors: {} as FieldErrors,
  error: null as IpcError | null,
  busy: null as Busy,
  confirm: null as 'generate' | 'remove' | null,
};

function subjectText(p: PushInfo | null): string {
  return ui.subject ?? p?.subject ?? '';
}

const act = (busy: Exclude<Busy, null>, fn: () => Promise<void>) => runFormAction(ui, busy, fieldId, fn);

// The contract names request fields; the form's ids are prefixed to stay unique in the window.
function fieldId(field: string): string | null {
  return (
    (
      { subject: 'push-subject', pem: 'push-pem', name: 'push-test-name', room: 'push-test-room' } as Record<
        string,
        string
      >
    )[field] ?? null
  );
}

/** Validates the subject; puts the error next to its field. */
function checkSubject(): string | null {
  const subject = subjectText(store().state.push).trim();
  const err = subjectError(subject);
  if (err) {
    ui.errors['push-subject'] = err;
    requestRender();
    focusFirstInvalid();
    return null;
  }
  return subject;
}

function saveSubject(e: Event): void {
  e.preventDefault();
  ui.errors = {};
  const subject = checkSubject();
  if (subject === null) return;
  void act('subject', async () => {
    store().set('push', await call(api().push.setSubject({ subject })));
    ui.subject = null;
    announce('Saved the push contact');
  });
}

function generate(): void {
  ui.errors = {};
  const subject = checkSubject();
  if (subject === null) return;
  const p = store().state.push;
  if (p?.configured && ui.confirm !== 'generate') {
    ui.confirm = 'generate';
    requestRender();
    return;
  }
  ui.confirm = null;
  void act('generate', async () => {
    store().set('push', await call(api().push.generate({ subject })));
    ui.subject = null;
    announce('Generated new push keys');
  });
}

function importPem(e: Event): void {
  e.preventDefault();
  ui.errors = {};
  const subject = checkSubject();
  const pem = ui.pem.trim();
  if (!isPem(pem, 'private key')) {
    ui.errors['push-pem'] =
      'Paste an EC P-256 private key in PEM (-----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----).';
    requestRender();
    focusFirstInvalid();
    return;
  }
  if (subject === null) return;
  void act('import', async () => {
    store().set('push', await call(api().push.import({ source: 'pem', pem: pem + '\n', subject })));
    ui.pem = '';
    ui.subject = null;
    announce('Loaded the push key');
  });
}

function importFile(): void {
  ui.errors = {};
  const subject = checkSubject();
  if (subject === null) return;
  void act('import', async () => {
    store().set('push', await call(api().push.import({ source: 'dialog', subject })));
    ui.subject = null;
    announce('Loaded the push key');
  });
}

function testPush(e: Event): void {
  e.preventDefault();
  ui.errors = {};
  ui.testResult = null;
  const name = ui.testName.trim();
  if (!name) {
    ui.errors['push-test-name'] = 'Enter the name of a subscribed peer.';
    requestRender();
    focusFirstInvalid();
    return;
  }
  void act('test', async () => {
    ui.testResult = await call(api().push.test({ name, room: ui.testRoom.trim(), from: 'rustysignal dashboard' }));
  });
}

function remove(): void {
  if (ui.confirm !== 'remove') {
    ui.confirm = 'remove';
    requestRender();
    return;
  }
  ui.confirm = null;
  void act('remove', async () => {
    store().set('push', await call(api().push.remove()));
    announce('Push is off');
  });
}

function summary(p: PushInfo) {
  if (!p.configured) {
    return html`<div class="card" data-testid="push-off">
      <h2>Push is off</h2>
      <p>
        Generate a key pair (or load one as PEM) so devices can subscribe and be woken when someone wants to connect.
      </p>
    </div>`;
  }
  return html`<section class="card" aria-labelledby="push-heading">
    <h2 id="push-heading">Push keys</h2>
    <dl class="facts">
      <dt>State</dt>
      <dd data-testid="push-state">${p.enabled ? 'on' : 'configured; starts with the server'}</dd>
      <dt>Contact (subject)</dt>
      <dd data-testid="push-subject-value">${p.subject ?? html`<span class="warn-text">not set</span>`}</dd>
      <dt>Public key</dt>
      <dd>
        <code class="mono" data-testid="push-public-key">${p.publicKey}</code>
        ${p.publicKey ? copyButton(p.publicKey, 'push public key') : nothing}
      </dd>
      <dt>Subscriptions</dt>
      <dd data-testid="push-subscriptions">${formatCount(p.subscriptions)}</dd>
    </dl>
  </section>`;
}

/** The Push view. */
export function pushView() {
  const p = store().state.push;
  if (!p)
    return html`<h1 tabindex="-1">Push</h1>
      <p class="note">Loading…</p>`;
  const busy = ui.busy !== null;
  const dialogs = store().state.app?.dialogs ?? false;
  const clear = (k: string) => {
    delete ui.errors[k];
    requestRender();
  };
  return html`
    <h1 tabindex="-1">Push</h1>
    ${errorBanner(ui.error)} ${summary(p)}

    <section class="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading">${p.configured ? 'Contact and keys' : 'Set up push'}</h2>
      <form @submit=${saveSubject} novalidate>
        ${textField({
          id: 'push-subject',
          label: 'Contact for push services (subject)',
          value: subjectText(p),
          placeholder: 'mailto:you@example.org',
          hint: 'A mailto: or https: URL push services can use to reach the operator.',
          error: ui.errors['push-subject'],
          onInput: (v) => {
            ui.subject = v;
            clear('push-subject');
          },
        })}
        <div class="actions">
          ${p.configured ? html`<button type="submit" ?disabled=${busy}>Save contact</button>` : nothing}
          <button type="button" class=${p.configured ? '' : 'primary'} ?disabled=${busy} @click=${generate}>
            ${ui.busy === 'generate' ? 'Generating…' : p.configured ? 'Generate new keys…' : 'Generate keys'}
          </button>
          ${dialogs ? html`<button type="button" ?disabled=${busy} @click=${importFile}>Load a PEM file…</button>` : nothing}
        </div>
        ${
          ui.confirm === 'generate'
            ? html`<div class="banner warning" role="alert">
                <div>
                  <strong>Replace the push keys?</strong>
                  <p>
                    The ${formatCount(p.subscriptions)} existing subscriptions stop working; devices must subscribe
                    again.
                  </p>
                </div>
                <div class="actions">
                  <button type="button" class="danger" @click=${generate}>Replace keys</button>
                  <button type="button" @click=${() => ((ui.confirm = null), requestRender())}>
                    Keep the current keys
                  </button>
                </div>
              </div>`
            : nothing
        }
      </form>
      <form @submit=${importPem} novalidate>
        ${textArea({ id: 'push-pem', label: 'Or paste a VAPID private key (PEM, EC P-256)', value: ui.pem, rows: 5, placeholder: '-----BEGIN EC PRIVATE KEY-----', error: ui.errors['push-pem'], onInput: (v) => ((ui.pem = v), clear('push-pem')) })}
        <div class="actions"><button type="submit" ?disabled=${busy}>Load key</button></div>
      </form>
    </section>

    ${
      p.configured
        ? html`<section class="card" aria-labelledby="test-heading">
              <h2 id="test-heading">Send a test push</h2>
              <form @submit=${testPush} novalidate>
                <div class="form-grid">
                  ${textField({ id: 'push-test-name', label: 'Peer name', value: ui.testName, error: ui.errors['push-test-name'], onInput: (v) => ((ui.testName = v), clear('push-test-name')) })}
                  ${textField({ id: 'push-test-room', label: 'Room (empty for the default room)', value: ui.testRoom, error: ui.errors['push-test-room'], onInput: (v) => ((ui.testRoom = v), clear('push-test-room')) })}
                </div>
                <div class="actions">
                  <button type="submit" ?disabled=${busy || !p.enabled}>
                    ${ui.busy === 'test' ? 'Sending…' : 'Send test push'}
                  </button>
                  ${p.enabled ? nothing : html`<span class="note">Start the server to send pushes.</span>`}
                </div>
              </form>
              ${
                ui.testResult
                  ? html`<p
                      role="status"
                      data-testid="push-test-result"
                      class=${ui.testResult.ok ? 'ok-text' : 'fail-text'}
                    >
                      ${ui.testResult.ok ? 'Delivered to the push service' : 'Not delivered'}${ui.testResult.status !== null ? ` (HTTP ${ui.testResult.status})` : ''}${ui.testResult.message ? `: ${ui.testResult.message}` : ''}
                    </p>`
                  : nothing
              }
            </section>
            <div class="actions">
              <button type="button" class="danger" ?disabled=${busy} @click=${remove}>
                ${ui.confirm === 'remove' ? 'Really turn push off (keys are forgotten)' : 'Turn push off…'}
              </button>
              ${ui.confirm === 'remove' ? html`<button type="button" @click=${() => ((ui.confirm = null), requestRender())}>Cancel</button>` : nothing}
            </div>`
        : nothing
    }
  `;
}
