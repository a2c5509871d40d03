// Drives the served web client the way a person does: through labels, roles and visible states.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';

export const CHANNEL_OPEN_MARK = 'rustysignal:datachannel-open';

/** Opens the page at `url` and joins with `name` by typing it, then waits until the server accepted it. */
export async function joinViaUi(ctx: BrowserContext, url: string, name: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.locator('#server-status[data-state="open"]').waitFor({ timeout: 10_000 });
  return page;
}

/** The button of `peer` in the people list. */
export function peerButton(page: Page, peer: string) {
  return page.getByRole('list', { name: 'People in this room' }).locator(`button[data-peer="${peer}"]`);
}

/** Waits until the page shows the conversation with `peer` in `state`. */
export async function conversationState(
  page: Page,
  peer: string,
  state: 'connecting' | 'open' | 'interrupted' | 'closed',
  timeoutMs = 15_000,
): Promise<void> {
  await page.locator(`#conversation[data-peer="${peer}"][data-state="${state}"]`).waitFor({ timeout: timeoutMs });
}

/** Picks a file in the "Send files…" input. */
export async function sendFile(page: Page, name: string, data: Uint8Array): Promise<void> {
  await page
    .getByLabel('Send files…')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(data) });
}

/** Waits for the transfer of `name` in `direction` to reach `state`; returns its checksum attribute. */
export async function transferState(
  page: Page,
  name: string,
  direction: 'in' | 'out',
  state: string,
  timeoutMs = 30_000,
): Promise<string | null> {
  const item = page.locator(`#transfer-list li[data-direction="${direction}"][data-state="${state}"]`, {
    hasText: name,
  });
  await item.waitFor({ timeout: timeoutMs });
  return item.getAttribute('data-checksum');
}

/** Clicks "Save NAME" and returns the downloaded bytes. */
export async function saveReceived(page: Page, name: string): Promise<Buffer> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: `Save ${name}` }).click(),
  ]);
  const file = await download.path();
  return readFileSync(file);
}

/** ms from the page's navigation start to its first open DataChannel (the page's performance mark). */
export async function loadToOpenMs(page: Page): Promise<number> {
  const ms = await page.evaluate((mark) => performance.getEntriesByName(mark)[0]?.startTime ?? null, CHANNEL_OPEN_MARK);
  if (ms === null) throw new Error('the page never marked an open DataChannel');
  return Math.round(ms);
}

/** Remembers `name` in the page's origin before any page loads, as a returning visitor has it. */
export async function rememberName(ctx: BrowserContext, name: string): Promise<void> {
  await ctx.addInitScript((n) => {
    if (!localStorage.getItem('rustysignal.name')) localStorage.setItem('rustysignal.name', n);
  }, name);
}
