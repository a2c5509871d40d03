// The rules the dashboard window lives by, as plain functions (no electron import) so they are tested
// directly: where the app's own pages come from, its CSP, which IPC senders are trusted, which URLs may
// open in the browser.

/** The privileged scheme the dashboard is served from (never file://: it gets headers and an origin). */
export const APP_SCHEME = 'rustysignal';
export const APP_HOST = 'dashboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const DASHBOARD_URL = `${APP_ORIGIN}/index.html`;

/**
 * The window's Content Security Policy, sent as a response header by the app protocol (the page also
 * carries it in a meta tag). Only the bundled files run; data: images are for QR codes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** True for a URL of the app's own pages. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** What the IPC adapter knows about who sent a message. */
export interface SenderInfo {
  /** The sending frame's URL; null when the frame is gone (navigated or destroyed). */
  frameUrl: string | null;
  /** The frame is the top frame of its page (not an iframe). */
  isMainFrame: boolean;
  /** webContents id of the sender. */
  webContentsId: number;
}

/** Only the top frame of our own window, showing our own page, may call the main process. */
export function isTrustedSender(sender: SenderInfo, trustedWebContentsIds: ReadonlySet<number>): boolean {
  return (
    sender.frameUrl !== null &&
    sender.isMainFrame &&
    trustedWebContentsIds.has(sender.webContentsId) &&
    isAppUrl(sender.frameUrl)
  );
}

/** Only http(s) URLs whose origin is one of `origins` (the server's own web client) go to the browser. */
export function isOpenableExternal(url: string, origins: readonly string[]): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && origins.includes(u.origin);
  } catch {
    return false;
  }
}
