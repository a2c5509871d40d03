// Screenshots of a page at phone (390×844) and laptop (1280×800) size, under test-artifacts/screenshots/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test-artifacts/screenshots');
export const sizes = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
] as const;

/** Saves `web-NAME-390x844.png` and `web-NAME-1280x800.png`, then restores the page's viewport. */
export async function shootBothSizes(page: Page, name: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const before = page.viewportSize();
  for (const s of sizes) {
    await page.setViewportSize(s);
    await page.screenshot({ path: path.join(dir, `web-${name}-${s.width}x${s.height}.png`), animations: 'disabled' });
  }
  if (before) await page.setViewportSize(before);
}
