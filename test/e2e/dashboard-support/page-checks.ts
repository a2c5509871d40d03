// Checks run inside the dashboard page: screenshots in both themes, basic accessibility rules and
// text contrast as computed by the browser.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** Saves `dashboard-NAME-light.png` and `-dark.png` under `dir`, then returns to the light theme. */
export async function screenshotBothThemes(page: Page, dir: string, name: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const file = path.join(dir, `dashboard-${name}-${colorScheme}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    files.push(file);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return files;
}

/** What `auditAccessibility` found wrong; empty lists mean the view passed. */
export interface AccessibilityReport {
  h1Count: number;
  mainCount: number;
  navLabelled: boolean;
  unlabelledControls: string[];
  unnamedButtons: string[];
  duplicateIds: string[];
}

/** Landmarks, one h1, a label for every control, a name for every button, unique ids. */
export function auditAccessibility(page: Page): Promise<AccessibilityReport> {
  return page.evaluate(() => {
    const describe = (el: Element) => `${el.tagName.toLowerCase()}#${el.id || '?'}`;
    const controls = Array.from(document.querySelectorAll<HTMLInputElement>('input, select, textarea'));
    const unlabelledControls = controls
      .filter((c) => !c.closest('dialog:not([open])'))
      .filter(
        (c) => (c.labels?.length ?? 0) === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'),
      )
      .map(describe);
    const unnamedButtons = Array.from(document.querySelectorAll('button, a[href]'))
      .filter((b) => !b.closest('dialog:not([open])'))
      .filter((b) => !(b.textContent ?? '').trim() && !b.getAttribute('aria-label'))
      .map(describe);
    const ids = Array.from(document.querySelectorAll('[id]')).map((e) => e.id);
    const duplicateIds = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    return {
      h1Count: document.querySelectorAll('main h1').length,
      mainCount: document.querySelectorAll('main').length,
      navLabelled: !!document.querySelector('nav[aria-label]'),
      unlabelledControls,
      unnamedButtons,
      duplicateIds,
    };
  });
}

/**
 * The lowest contrast ratio (WCAG 2) among visible text elements matching `selector`, against the first
 * opaque background up the tree; with the element that has it.
 */
export function lowestContrast(page: Page, selector: string): Promise<{ ratio: number; where: string } | null> {
  return page.evaluate((sel) => {
    const parse = (c: string): [number, number, number, number] | null => {
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
      return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c[3] >= 0.99) return c;
      }
      return parse(getComputedStyle(document.documentElement).backgroundColor) ?? [255, 255, 255, 1];
    };
    let worst: { ratio: number; where: string } | null = null;
    for (const el of Array.from(document.querySelectorAll(sel))) {
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height || !(el.textContent ?? '').trim()) continue;
      const fg = parse(getComputedStyle(el).color);
      if (!fg) continue;
      const a = lum(fg);
      const b = lum(background(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (!worst || ratio < worst.ratio)
        worst = {
          ratio: Math.round(ratio * 100) / 100,
          where: `${el.tagName.toLowerCase()}.${Array.from(el.classList).join('.')} "${(el.textContent ?? '').trim().slice(0, 30)}"`,
        };
    }
    return worst;
  }, selector);
}
