// The push message the original rustysignal sent for a connection request; service workers written
// for it read these exact members.

/** The JSON text of a connection request from `sender`. */
export function connectionRequestPayload(sender: string): string {
  return JSON.stringify({
    body: `${sender}\nwants to connect with you`,
    sender,
    actions: [
      { action: 'allowConnection', title: '\u2714\uFE0F Allow' },
      { action: 'denyConnection', title: '\u2716\uFE0F Deny' },
    ],
  });
}

/** Time a push service keeps an undelivered message, in seconds (the original's value). */
export const pushTtlSeconds = 3600;
