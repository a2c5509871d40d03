// The message catalogue: one module per language, picked from the browser's languages. To add one, copy
// en.ts to xx.ts, translate it (the Messages type checks that nothing is missing) and add it below.
import { de } from './de.js';
import { en, type Messages } from './en.js';

export type { Messages } from './en.js';

/** Every language the page speaks, by its primary language subtag. */
export const catalogues: Readonly<Record<string, Messages>> = { en, de };

/** The first of `languages` (as navigator.languages gives them) that has a catalogue; English otherwise. */
export function pickMessages(languages: readonly string[]): Messages {
  for (const tag of languages) {
    const m = catalogues[tag.toLowerCase().split('-')[0]!];
    if (m) return m;
  }
  return en;
}

// Only a page picks from the browser's languages; under Node (tests, a werift peer) it is always English,
// whatever the machine's locale says.
const nav =
  typeof document === 'undefined'
    ? undefined
    : (globalThis as { navigator?: { languages?: readonly string[]; language?: string } }).navigator;

/** The messages of this page (English under Node). */
export const t: Messages = pickMessages(nav?.languages?.length ? nav.languages : nav?.language ? [nav.language] : []);

/** Fills the page's static texts: data-i18n (text), data-i18n-label (aria-label), data-i18n-placeholder. */
export function applyStaticTexts(root: Document): void {
  root.documentElement.lang = t.lang;
  const s = t.static as Record<string, string>;
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n]')))
    el.textContent = s[el.dataset.i18n!] ?? '';
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n-label]')))
    el.setAttribute('aria-label', s[el.dataset.i18nLabel!] ?? '');
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n-placeholder]')))
    el.setAttribute('placeholder', s[el.dataset.i18nPlaceholder!] ?? '');
}
