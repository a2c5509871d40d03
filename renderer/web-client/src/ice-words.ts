// How a conversation travels and why it does not connect, from the catalogue of the page's language.
import type { IceProblem, IceRoute } from '../../client/index.js';
import { t } from './i18n/index.js';

/** `directly` or `through the relay on the server`, for the status line. */
export function routeText(route: IceRoute): string {
  if (route.kind === 'direct') return t.routeDirect;
  return route.protocol === 'tcp' ? t.routeRelayTcp : t.routeRelay;
}

/** Why the devices cannot connect, and what to ask for, in words for a teacher or a student. */
export function problemText(problem: IceProblem, peer: string): string {
  switch (problem) {
    case 'no-network':
      return t.iceNoNetwork(peer);
    case 'relay-unreachable':
      return t.iceRelayUnreachable();
    case 'no-peer-addresses':
      return t.iceNoPeerAddresses(peer);
    case 'peer-hidden':
      return t.icePeerHidden(peer);
    case 'unreachable':
      return t.iceUnreachable();
    case 'relay-failed':
      return t.iceRelayFailed();
  }
}
