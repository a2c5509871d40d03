// The embeddable server: `import { createSignalServer } from 'rustysignal/server'`. Everything a host
// needs to create, run, watch and embed a signaling server (docs/embedding.md), and nothing of the app.
export { createSignalServer, defaultNodeId, ServerError, type ServerDeps } from './signal-server.js';
export {
  OptionsError,
  defaultOptions,
  type ServerOptions,
  type ServerOptionsInput,
  type LiveOptions,
} from './options.js';
export { CloseCode } from './connection.js';
export type {
  ClusterStatus,
  DiscoveredServer,
  ListenUrl,
  PeerInfo,
  PeerLeft,
  PeerStats,
  ProblemCode,
  PushResult,
  ServerEventMap,
  ServerProblem,
  ServerState,
  ServerStatus,
  SignalServer,
} from './surface.js';
export type { Logger } from './logger.js';
