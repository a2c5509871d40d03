// rustysignal client library: signaling over WebSocket (docs/protocol.md, v1 and v2) and WebRTC links over it.
export { SignalClient, PROBE_ACTION } from './signal-client.js';
export type {
  SignalClientOptions,
  SignalEvents,
  SignalState,
  CloseInfo,
  ClosedReason,
  WebSocketLike,
  WebSocketConstructor,
} from './signal-client.js';
export { SignalError } from './ack-tracker.js';
export type { SendResult, SendStatus } from './ack-tracker.js';
export { PeerLink } from './peer-link.js';
export type {
  PeerLinkOptions,
  PeerLinkEvents,
  LinkCloseReason,
  RtcSignal,
  RTCPeerConnectionConstructor,
} from './peer-link.js';
export { RtcHub } from './rtc-hub.js';
export { selectedRoute, iceFacts, diagnose } from './ice-report.js';
export type { IceRoute, RouteKind, IceProblem, IceFacts, IceDiagnosis } from './ice-report.js';
export type { RtcHubOptions, RtcHubEvents } from './rtc-hub.js';
export { Emitter } from './emitter.js';
export { backoffDelay, defaultBackoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { buildSignalUrl, iceServersUrl, serverUrlFromPage } from './url.js';
export { CloseCode, isValidName, parseIncoming, parseIceServers, parseV1ErrorText } from './protocol.js';
export type * from './protocol.js';
