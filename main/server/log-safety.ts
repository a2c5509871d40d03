// What every log sink does to text before writing it: secrets (access key, tokens, TURN secrets,
// passphrases) replaced by a marker, and control characters escaped so remote text (a push service's
// answer, a client's name) cannot forge log lines or drive the terminal.

const hidden = '<redacted>';

/** Query parameters and `name=value` pairs whose values are secrets. */
const secretParams = /([?&;\s](?:key|access[_-]?key|token|secret|password|passphrase|credential|auth)=)[^&\s#"',;]*/gi;
/** Object members whose values are secrets (case-insensitive, any nesting). */
const secretKeys =
  /^(?:key|accesskey|access_key|token|resumetoken|secret|turnsecret|password|passphrase|credential|privatekey|privatekeypem|vapidprivatekeypem|auth)$/i;

/** Replaces secret values in URLs and `key=value` text with `<redacted>`. */
export function redactSecrets(text: string): string {
  return text.replace(secretParams, `$1${hidden}`);
}

/** A copy of `value` with secret members replaced and every string passed through redactSecrets. */
export function redactFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return redactSecrets(value.message);
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = secretKeys.test(k) && v !== null && v !== undefined ? hidden : redactFields(v, depth + 1);
  return out;
}

/**
 * Escapes C0/C1 controls, DEL and Unicode format characters (bidi overrides, zero-width) as `\xHH` or
 * `\u{H}`, so one log record stays one line and reads as what it is.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => {
    const cp = c.codePointAt(0)!;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
  });
}

/** Both at once, for a text log line's parts. */
export function safeLogText(text: string): string {
  return escapeControls(redactSecrets(text));
}
