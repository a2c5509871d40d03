// What `allowedOrigins` (--allow-origin, the app's settings) accepts. No imports: the dashboard checks its
// form with the same rule.

/**
 * An origin for `allowedOrigins`: `*`, or scheme://host[:port] as a browser sends it in `Origin`
 * (e.g. `https://app.example.org`); `null` for opaque origins.
 */
export function isOriginPattern(s: string): boolean {
  if (s === '*' || s === 'null') return true;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s.replace(/\/$/, '');
  } catch {
    return false;
  }
}
