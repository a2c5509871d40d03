// The window and web-contents hardening with the electron double: secure webPreferences, our own URL,
// close-to-tray, permissions denied, navigation and new windows refused, only our web client opened.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeContents, recorded, resetElectronDouble } from '../support/electron-double.js';

vi.mock('electron', async () => (await import('../support/electron-double.js')).electronModule());
const { createDashboardWindow, hardenContents, hardenSession } = await import('../../main/app/window.js');

beforeEach(() => resetElectronDouble());

describe('dashboard window', () => {
  it('is sandboxed and isolated, loads our own scheme, and hides instead of closing until quitting', () => {
    let quitting = false;
    createDashboardWindow({ preload: '/app/preload.cjs', externalOrigins: () => [], quitting: () => quitting });
    const w = recorded.windows[0]!;
    expect(w.options.show).toBe(false);
    expect(w.options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(w.loaded).toBe('rustysignal://dashboard/index.html');
    w.show();
    const close = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    w.emit('close', close);
    expect([close.prevented, w.visible]).toEqual([true, false]);
    quitting = true;
    const close2 = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    w.emit('close', close2);
    expect(close2.prevented).toBe(false);
  });

  it('denies every permission request and check', () => {
    hardenSession();
    const answers: boolean[] = [];
    recorded.session.permissionRequest!({}, 'media', (ok: boolean) => answers.push(ok));
    recorded.session.permissionRequest!({}, 'clipboard-sanitized-write', (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([false, false]);
    expect(recorded.session.permissionCheck!({}, 'notifications')).toBe(false);
    expect(recorded.session.devicePermission!({})).toBe(false);
  });

  it('refuses navigation, redirects and webviews, and opens only our web client outside', () => {
    const wc = new FakeContents();
    hardenContents(wc as never, () => ['http://192.168.1.20:3012']);
    for (const [event, arg] of [
      ['will-navigate', 'https://evil.example/'],
      ['will-navigate', 'rustysignal://dashboard/index.html'],
      ['will-redirect', 'x'],
      ['will-attach-webview', {}],
    ] as const) {
      const e = {
        prevented: false,
        preventDefault() {
          this.prevented = true;
        },
      };
      wc.emit(event, e, arg);
      expect(e.prevented, event).toBe(true);
    }
    expect(wc.windowOpenHandler!({ url: 'http://192.168.1.20:3012/?room=a' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(recorded.openedExternal).toEqual(['http://192.168.1.20:3012/?room=a']);
  });
});
