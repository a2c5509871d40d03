// The dashboard window's rules: its origin, CSP, trusted IPC senders, external URLs, and the app protocol
// that serves the built files (no path escapes, CSP on every response).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppPath, serveAppRequest } from '../../main/app/app-protocol.js';
import {
  CONTENT_SECURITY_POLICY,
  DASHBOARD_URL,
  isAppUrl,
  isOpenableExternal,
  isTrustedSender,
} from '../../main/app/security.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'rs-dash-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'nope');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('security rules', () => {
  it('has a CSP with no inline or remote code and no eval', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('recognises only our own pages and our own window as senders', () => {
    expect(isAppUrl(DASHBOARD_URL)).toBe(true);
    expect(isAppUrl('rustysignal://elsewhere/index.html')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
    const ok = { frameUrl: DASHBOARD_URL, isMainFrame: true, webContentsId: 3 };
    expect(isTrustedSender(ok, new Set([3]))).toBe(true);
    expect(isTrustedSender({ ...ok, webContentsId: 4 }, new Set([3]))).toBe(false);
    expect(isTrustedSender({ ...ok, isMainFrame: false }, new Set([3]))).toBe(false);
    expect(isTrustedSender({ ...ok, frameUrl: null }, new Set([3]))).toBe(false);
  });

  it('opens only http(s) URLs of the given origins', () => {
    const origins = ['http://192.168.1.20:3012'];
    expect(isOpenableExternal('http://192.168.1.20:3012/?room=a', origins)).toBe(true);
    expect(isOpenableExternal('http://192.168.1.20:3013/', origins)).toBe(false);
    expect(isOpenableExternal('javascript:alert(1)', origins)).toBe(false);
    expect(isOpenableExternal('file:///etc/passwd', origins)).toBe(false);
  });
});

describe('app protocol', () => {
  it('serves the files with the CSP and no-sniff headers', async () => {
    const r = await serveAppRequest(new Request('rustysignal://dashboard/index.html'), root);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toBe('<!doctype html><title>x</title>');
    const js = await serveAppRequest(new Request('rustysignal://dashboard/assets/app.js'), root);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await serveAppRequest(new Request('rustysignal://dashboard/'), root)).status).toBe(200);
  });

  it('never leaves the dashboard folder or serves another host', async () => {
    expect(resolveAppPath('rustysignal://dashboard/../secret.txt', root)).toBe(path.join(root, 'secret.txt'));
    expect(resolveAppPath('rustysignal://dashboard/%2e%2e/secret.txt', root)).toBe(path.join(root, 'secret.txt'));
    expect(resolveAppPath('rustysignal://dashboard/..%2f..%2fsecret.txt', root)).toBe(path.join(root, 'secret.txt'));
    expect(resolveAppPath('rustysignal://other/index.html', root)).toBeNull();
    expect(resolveAppPath('rustysignal://dashboard/a%00b', root)).toBeNull();
    expect((await serveAppRequest(new Request('rustysignal://dashboard/..%2fsecret.txt'), root)).status).toBe(404);
    expect(
      (await serveAppRequest(new Request('rustysignal://dashboard/index.html', { method: 'POST' }), root)).status,
    ).toBe(405);
  });
});
