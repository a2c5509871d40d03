// What ICE did on one connection, read from getStats: the path a connected link uses (direct or through a
// relay), and for a link that does not connect, the most likely reason (a code the app turns into words).

/** direct: peer to peer (host, srflx or prflx on both ends). relay: at least one end goes through a TURN relay. */
export type RouteKind = 'direct' | 'relay';

export interface IceRoute {
  kind: RouteKind;
  /** candidateType of this side's and the peer's end of the selected pair. */
  local: RTCIceCandidateType;
  remote: RTCIceCandidateType;
  /** Transport of this side's end (`udp`, or `tcp` for TURN over TCP). */
  protocol: string;
}

/**
 * no-network: this device gathered no address at all. relay-unreachable: a relay was offered but this device
 * got no relay address from it (firewall on the server). no-peer-addresses: the peer's addresses never came.
 * peer-hidden: the peer's addresses were hidden `.local` names this network cannot resolve (multicast blocked)
 * and nothing else was offered. unreachable: addresses known, but no path between the two devices (client
 * isolation) and no relay. relay-failed: even the relay pairs failed.
 */
export type IceProblem =
  'no-network' | 'relay-unreachable' | 'no-peer-addresses' | 'peer-hidden' | 'unreachable' | 'relay-failed';

export interface IceFacts {
  /** candidateType of every candidate this side gathered. */
  localTypes: RTCIceCandidateType[];
  /** candidateType of every peer candidate ICE kept. */
  remoteTypes: RTCIceCandidateType[];
  /** Candidate pairs formed, and whether one of them worked. */
  pairs: number;
  succeeded: boolean;
  /** Peer candidates received over signaling, and how many of them hid their address behind a `.local` name. */
  received: number;
  receivedHidden: number;
  /** Whether the configuration offered a TURN server. */
  relayOffered: boolean;
}

export interface IceDiagnosis extends IceFacts {
  problem: IceProblem;
  /** iceConnectionState when the diagnosis was made. */
  state: RTCIceConnectionState;
}

type Stat = Record<string, unknown> & { id: string; type: string };

function statsList(report: RTCStatsReport): Stat[] {
  const out: Stat[] = [];
  report.forEach((s: Stat) => out.push(s));
  return out;
}

/** The route of the selected candidate pair, or null while there is none. */
export async function selectedRoute(pc: RTCPeerConnection): Promise<IceRoute | null> {
  const stats = statsList(await pc.getStats());
  const byId = new Map(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const pair =
    (transport ? byId.get(transport.selectedCandidatePairId as string) : undefined) ??
    stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  if (!pair) return null;
  const local = byId.get(pair.localCandidateId as string);
  const remote = byId.get(pair.remoteCandidateId as string);
  if (!local || !remote) return null;
  const lt = local.candidateType as RTCIceCandidateType;
  const rt = remote.candidateType as RTCIceCandidateType;
  return {
    kind: lt === 'relay' || rt === 'relay' ? 'relay' : 'direct',
    local: lt,
    remote: rt,
    protocol:
      typeof local.relayProtocol === 'string'
        ? local.relayProtocol
        : typeof local.protocol === 'string'
          ? local.protocol
          : 'udp',
  };
}

/** Reads the facts of a connection that did not connect. */
export async function iceFacts(pc: RTCPeerConnection, received: { total: number; hidden: number }): Promise<IceFacts> {
  const stats = statsList(await pc.getStats());
  const types = (t: string) => stats.filter((s) => s.type === t).map((s) => s.candidateType as RTCIceCandidateType);
  const pairs = stats.filter((s) => s.type === 'candidate-pair');
  const servers = pc.getConfiguration().iceServers ?? [];
  const urls = servers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return {
    localTypes: types('local-candidate'),
    remoteTypes: types('remote-candidate'),
    pairs: pairs.length,
    succeeded: pairs.some((p) => p.state === 'succeeded'),
    received: received.total,
    receivedHidden: received.hidden,
    relayOffered: urls.some((u) => /^turns?:/i.test(u)),
  };
}

/** The most likely reason a connection with these facts does not connect. */
export function diagnose(f: IceFacts): IceProblem {
  if (f.localTypes.length === 0) return 'no-network';
  if (f.relayOffered && !f.localTypes.includes('relay')) return 'relay-unreachable';
  if (f.received === 0) return 'no-peer-addresses';
  if (f.pairs === 0) return f.receivedHidden > 0 ? 'peer-hidden' : 'no-peer-addresses';
  if (f.localTypes.includes('relay') || f.remoteTypes.includes('relay')) return 'relay-failed';
  return 'unreachable';
}

/** True for a candidate line whose address is an mDNS name (`<uuid>.local`), as browsers hide addresses. */
export function isHiddenCandidate(candidate: string): boolean {
  // candidate:FOUNDATION COMPONENT PROTOCOL PRIORITY ADDRESS PORT typ TYPE ...
  const address = candidate.split(' ')[4] ?? '';
  return address.toLowerCase().endsWith('.local');
}
