// Headless Chromium for browser tests (Debian's /usr/bin/chromium driven by playwright-core), set up so
// WebRTC works offline: probes.md section 2. Generic: any browser test may use it.
//
// Chromium is started through a small wrapper script that (1) merges every --disable-features switch into
// one, because Chromium honours only the last and Playwright passes its own list, and (2) optionally runs
// Chromium inside a named network namespace (`ip netns exec NS`), so one test can put browsers on
// different hosts of a test LAN.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Switches every WebRTC test needs on a LAN without internet. */
export const webRtcArgs: readonly string[] = [
  // Loopback candidates are filtered out otherwise; a loopback-only namespace has nothing else.
  '--allow-loopback-in-peer-connection',
  // A fake camera and microphone, and no permission prompt, for video calls.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export interface ChromiumOptions {
  /** Run Chromium inside this named network namespace (`ip netns exec`). Default: the caller's namespace. */
  netns?: string;
  /** Extra command-line switches (webRtcArgs are always added). */
  args?: string[];
  /** Features to disable, merged with Playwright's own --disable-features list. */
  disableFeatures?: string[];
  /** Environment of the browser process (e.g. HOME with an NSS database). */
  env?: Record<string, string>;
  /** Launch timeout, ms. Default 30000. */
  timeoutMs?: number;
  /**
   * false: no fake media UI, so pages get camera/microphone only if a context grants it, and a page without
   * it hides its addresses behind mDNS names, as a student who only chats does. Default true.
   */
  mediaPermission?: boolean;
}

export interface LaunchedChromium {
  browser: Browser;
  /** Closes the browser and removes the wrapper. */
  close(): Promise<void>;
}

// Chromium aborts (SIGABRT) when a D-Bus it connected to goes away, and other tests start and stop a
// system bus (avahi needs one). Pointing it at no bus at all costs nothing headless.
const noDbus = {
  DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/rustysignal-tests-no-dbus',
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/rustysignal-tests-no-dbus',
};

const wrapperScript = (netns: string | undefined) => `#!/bin/sh
# Written by test/e2e/support/chromium.ts. Merges --disable-features switches, then runs Chromium.
features=""
first=1
for a in "$@"; do
  if [ "$first" = 1 ]; then set --; first=0; fi
  case "$a" in
    --disable-features=*) features="\${features:+$features,}\${a#--disable-features=}" ;;
    *) set -- "$@" "$a" ;;
  esac
done
if [ -n "$features" ]; then set -- "$@" "--disable-features=$features"; fi
exec ${netns ? `ip netns exec '${netns.replace(/'/g, '')}' ` : ''}${CHROMIUM_PATH} "$@"
`;

/** Launches headless Chromium for WebRTC tests. One per test file: contexts are cheap, browsers are not. */
export async function launchChromium(options: ChromiumOptions = {}): Promise<LaunchedChromium> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rs-chromium-'));
  const wrapper = path.join(dir, 'chromium');
  writeFileSync(wrapper, wrapperScript(options.netns));
  chmodSync(wrapper, 0o755);
  const base =
    options.mediaPermission === false ? webRtcArgs.filter((a) => a !== '--use-fake-ui-for-media-stream') : webRtcArgs;
  const args = [...base, ...(options.args ?? [])];
  if (options.disableFeatures?.length) args.push(`--disable-features=${options.disableFeatures.join(',')}`);
  try {
    const browser = await chromium.launch({
      executablePath: wrapper,
      headless: true,
      args,
      timeout: options.timeoutMs ?? 30_000,
      env: { ...process.env, ...noDbus, ...options.env },
    });
    return {
      browser,
      async close() {
        await browser.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A browser context allowed to use camera and microphone. Chromium only gathers host ICE candidates
 * for pages with that permission (otherwise it hides them or gathers none without a default route).
 */
export function webRtcContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ ...options, permissions: ['camera', 'microphone', ...(options.permissions ?? [])] });
}
