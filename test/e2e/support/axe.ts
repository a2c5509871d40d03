// axe-core in the browser tests: loaded into every page of a context before the page's own scripts (an
// init script, which a Content-Security-Policy does not block), then run on whatever the page shows.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Makes `axe` available in every page `ctx` opens from now on. */
export async function installAxe(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript({ content: axeSource });
}

/** Runs axe on the page as it is; returns the serious and critical findings as "rule: target (summary)". */
export async function seriousFindings(page: Page): Promise<string[]> {
  const found = await page.evaluate(async () => {
    type Violation = { id: string; impact: string; nodes: Array<{ target: string[]; failureSummary: string }> };
    type Axe = { run(ctx: Document, o: object): Promise<{ violations: Violation[] }> };
    const r = await (globalThis as unknown as { axe: Axe }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary.replace(/\s+/g, ' ')})`));
  });
  return found;
}

/** Fails with the findings when axe reports anything serious or critical, in light and in dark mode. */
export async function expectNoSeriousFindings(page: Page, where: string): Promise<void> {
  const out: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const f of await seriousFindings(page)) out.push(`${where} (${colorScheme}): ${f}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (out.length) throw new Error(`axe found ${out.length} serious or critical problem(s):\n${out.join('\n')}`);
}
