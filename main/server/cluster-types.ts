// What the core sees of a cluster node (cluster/ implements it, loaded only with --redis). No Redis
// imports here: the single-server path never loads the client library.
import type { Connection } from './connection.js';
import type { Claim, Directory } from './registry.js';
import type { StoreLimits, SubscriptionStoreLike } from './push/subscription-store.js';

export type { StoreLimits };

export type RedisState = 'connected' | 'disconnected';

export interface ClusterStatus {
  nodeId: string;
  redis: RedisState;
  /** Live nodes (this one included) as last seen in Redis. */
  nodes: number;
  /** The other live nodes' ids, sorted. */
  otherNodes: string[];
  /** Names registered on other nodes that this node knows of. */
  remotePeers: number;
  /** Registrations waiting for Redis's answer. */
  pendingClaims: number;
}

export interface ClusterNode {
  /** Finds names on every node; routing uses it while the node runs. */
  readonly directory: Directory;
  /** Push subscriptions kept in Redis, shared by every node. */
  readonly pushStore: SubscriptionStoreLike;
  /** Claims `name` for `conn` in the whole cluster (atomically in Redis) and applies it to the local registry. */
  claim(conn: Connection, name: string, token: string | null, locked: boolean): Promise<Claim>;
  /** The operator changed `room`'s controls on this node (RoomPolicies already holds them): share them. */
  roomChanged(room: string): void;
  /** `conn` joined its room on this node (before any claim). */
  entered(conn: Connection): void;
  /** `conn` closed; `released`: it held a name that is now free. */
  exited(conn: Connection, released: boolean): void;
  status(): ClusterStatus;
  /** Withdraws this node from the cluster (after its connections are closed) and closes the Redis connections. */
  stop(): Promise<void>;
}
