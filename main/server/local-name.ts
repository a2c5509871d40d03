// This machine's one `.local` name, used by the mDNS advertisement (SRV target, A/AAAA records), the
// certificates and the URLs shown to people. Derived here and nowhere else, so they cannot disagree.
//
// The rule: the first label of the OS host name, folded to plain ASCII (accents dropped: `Büro-PC` gives
// `buro-pc`), lower-case, every run of other characters turned into one `-`, no leading or trailing `-`,
// at most 63 bytes; `rustysignal` when nothing is left. No punycode: a person can type the result, every
// mDNS responder and TLS stack treats it the same, and it is what macOS does for its LocalHostName.
import { hostname } from 'node:os';

/** DNS labels hold at most 63 bytes. */
const MAX_LABEL = 63;

/** The ASCII-safe host label (`buro-pc` for `Büro-PC.example.org`). */
export function localLabel(osHostname: string = hostname()): string {
  const label = (osHostname.split('.')[0] ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // combining marks: ü → u, é → e
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_LABEL)
    .replace(/-+$/, '');
  return label || 'rustysignal';
}

/** `NAME.local`, this machine's mDNS host name. */
export function localHostName(osHostname?: string): string {
  return `${localLabel(osHostname)}.local`;
}
