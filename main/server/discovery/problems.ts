// mDNS socket errors turned into what a user should see, reported once each.
import type { ServerProblem } from '../surface.js';
import type { LinkSpec, SocketError } from './links.js';

const whatToDo = 'The signaling server keeps running; devices must then type its address.';

/** A user-facing message for an error on the mDNS socket of one interface. */
export function describeSocketError(err: SocketError, spec: LinkSpec): string {
  const on = `on ${spec.iface} (${spec.ipv4})`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `mDNS is off ${on}: UDP port 5353 is held by another program that does not share it. Quit that program (or let it share the port), or start with --no-mdns. ${whatToDo}`;
    case 'EACCES':
    case 'EPERM':
      return `mDNS is off ${on}: not allowed to use UDP port 5353 (${err.code}); a firewall or sandbox may block it. Allow UDP 5353, or start with --no-mdns. ${whatToDo}`;
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
    case 'ENODEV':
      return `mDNS cannot send ${on} (${err.code}: no multicast route, or the interface went away). Check the network connection, or choose an interface with --mdns-interface. ${whatToDo}`;
    default:
      return `mDNS error ${on}: ${err.message}. ${whatToDo}`;
  }
}

/** Reports each distinct problem once per discovery session, so a socket that keeps failing does not flood. */
export function onceReporter(report: (p: ServerProblem) => void): (message: string, key?: string) => void {
  const seen = new Set<string>();
  return (message, key = message) => {
    if (seen.has(key)) return;
    seen.add(key);
    try {
      report({ code: 'mdns-failed', message });
    } catch {
      // A throwing listener must not reach the socket's event loop.
    }
  };
}
