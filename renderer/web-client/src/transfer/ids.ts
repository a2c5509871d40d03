// Random ids without crypto.randomUUID, which browsers only offer in secure contexts.

/** 16 random bytes as hex. */
export function randomId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
