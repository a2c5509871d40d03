// Launches Debian's headless Chromium through playwright-core. Only inside npm test's loopback-only
// network namespace (the caller checks), so the browser can send nothing off the machine.
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** Starts headless Chromium; about 0.3-0.5 s here. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 20_000,
    // Nothing to reach: no sync, no component updates, no crash uploads.
    args: ['--no-first-run', '--disable-sync', '--disable-component-update', '--disable-breakpad', '--disable-gpu'],
    // Chromium joins the system D-Bus when /run/dbus/system_bus_socket exists and aborts (SIGABRT,
    // "D-Bus connection was disconnected") when that daemon goes away, which other suites (avahi) do.
    // An unreachable bus address makes it carry on without D-Bus.
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/rustysignal-no-bus', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/rustysignal-no-bus' },
  });
}
