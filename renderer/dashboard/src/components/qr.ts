// QR codes drawn as SVG by the `qrcode` package and shown as data: images (allowed by the CSP).
// Always dark on white, in either theme: that is what phone cameras read best.
import { html, type TemplateResult } from 'lit';
import { until } from 'lit/directives/until.js';
import QRCode from 'qrcode';

const cache = new Map<string, { src: string | null; pending: Promise<TemplateResult> }>();

/** The options every code is drawn with (the e2e test re-draws with them to check the encoding). */
export const qrOptions = {
  type: 'svg',
  errorCorrectionLevel: 'M',
  margin: 2,
  color: { dark: '#000000', light: '#ffffff' },
} as const;

function image(text: string, src: string, alt: string): TemplateResult {
  return html`<img class="qr" src=${src} alt=${alt} width="132" height="132" data-qr-text=${text} />`;
}

/** Renders `text` (a URL) as a QR image; `alt` says what it encodes. */
export function qrCode(text: string, alt: string): TemplateResult {
  let entry = cache.get(text);
  if (!entry) {
    const e: { src: string | null; pending: Promise<TemplateResult> } = { src: null, pending: Promise.resolve(html``) };
    e.pending = QRCode.toString(text, { ...qrOptions, color: { ...qrOptions.color } })
      .then((svg) => {
        e.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
        return image(text, e.src, alt);
      })
      .catch(() => html`<span class="note">No QR code: the URL is too long.</span>`);
    cache.set(text, e);
    entry = e;
  }
  if (entry.src) return image(text, entry.src, alt);
  return html`${until(entry.pending, html`<span class="qr" aria-hidden="true"></span>`)}`;
}
