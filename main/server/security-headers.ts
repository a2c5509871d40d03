// The headers every HTTP answer of the server carries: pages and files (http.ts) and refused WebSocket
// upgrades (admission.ts) alike.

/**
 * The web client's content policy: its own scripts and styles only, no framing by other sites (click-
 * jacking), no plugins; WebSockets to this server (or, for a page told so, another LAN server).
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every HTTP answer the server gives, files and errors alike. */
export const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
} as const;
