// What the connection path and ICE problems mean, in words for a teacher or a student (no jargon).
import type { IceProblem, IceRoute } from '../../client/index.js';

const RELAY_HINT =
  'The relay on the computer running rustysignal solves this: ask whoever runs it to turn the relay on (UDP and TCP port 3478).';

/** How the conversation travels, for the status line. */
export function routeText(route: IceRoute | null): string {
  if (!route) return '';
  return route.kind === 'relay'
    ? `through the relay on the server${route.protocol === 'tcp' ? ' (over TCP)' : ''}`
    : 'directly';
}

/** Why the devices cannot connect, and what to do about it. */
export function problemText(problem: IceProblem, peer: string): string {
  switch (problem) {
    case 'no-network':
      return `This device has no network connection it may use for ${peer}. Check that it is on the Wi-Fi, then reload the page.`;
    case 'relay-unreachable':
      return `This device cannot reach the relay on the computer running rustysignal. A firewall there probably blocks it: ask whoever runs it to allow UDP and TCP port 3478 and UDP ports 49160–49300.`;
    case 'no-peer-addresses':
      return `${peer}'s device sent no network address. It may have lost its network connection: ask ${peer} to reload the page.`;
    case 'peer-hidden':
      return `${peer}'s device cannot be found on this network: the Wi-Fi blocks devices from discovering each other (common on school and guest networks). ${RELAY_HINT}`;
    case 'unreachable':
      return `The two devices reach the server but not each other: the Wi-Fi keeps devices apart ("client isolation"). ${RELAY_HINT}`;
    case 'relay-failed':
      return `Even the relay on the server could not connect the two devices. A firewall on that computer may block the relay ports (UDP 49160–49300): ask whoever runs rustysignal to allow them.`;
  }
}
