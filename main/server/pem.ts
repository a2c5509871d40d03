// What counts as PEM text of each kind, checked by its BEGIN line only (parsing is node:crypto's job).
// Import-free: the server, the settings, the IPC handlers and the dashboard all use this one rule.

const beginLine = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/** The labels of the PEM blocks in `text` ("CERTIFICATE", "EC PRIVATE KEY", ...), in order. */
export function pemLabels(text: string): string[] {
  return [...text.matchAll(beginLine)].map((m) => m[1]!);
}

export type PemKind = 'certificate' | 'private key';

/**
 * True when `text` holds a PEM block of that kind: CERTIFICATE, or any "... PRIVATE KEY" (PKCS#8, SEC1, RSA,
 * encrypted). Without a kind, any block: a schema then lets the parser say precisely what is wrong.
 */
export function isPem(text: string, kind?: PemKind): boolean {
  return pemLabels(text).some(
    (l) => kind === undefined || (kind === 'certificate' ? l === 'CERTIFICATE' : /^([A-Z0-9]+ )*PRIVATE KEY$/.test(l)),
  );
}

/** The BEGIN line a user should look for, for messages. */
export const pemBeginLine: Record<PemKind, string> = {
  certificate: '-----BEGIN CERTIFICATE-----',
  'private key': '-----BEGIN PRIVATE KEY----- (or EC/RSA PRIVATE KEY)',
};
