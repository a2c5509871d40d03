// One client connection: who it is (name, room, dialect) and what it costs (counters, rate bucket).
import * as wsModule from 'ws';
import type { WebSocket } from 'ws';
import type { Counters } from './counters.js';
import { RateLimiter } from './limits.js';
import type { LeaveReason } from './report-types.js';
import type { RateLimitOptions } from './options.js';
import { control, errorMessage, fromSuffixFor, type ControlMessage, type Dialect, type ErrorCode } from './protocol.js';

/** Close codes the server uses. */
export const CloseCode = {
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  kicked: 4000,
  takenOver: 4001,
  /** Clustered: the name was also registered on another node during a Redis outage, and that claim won. */
  nameConflict: 4002,
  /** The room's access code was missing or wrong (v2 addition). */
  roomCode: 4003,
} as const;

export type { LeaveReason } from './report-types.js';

const textFrame = { binary: false } as const;

/** The TCP socket under a ws connection (ws keeps it private). */
type RawSocket = { cork(): void; uncork(): void; write(b: Buffer): boolean; readonly writableLength: number };
const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: RawSocket | null })._socket;
function uncork(c: Connection): void {
  c.corked = false;
  socketOf(c.ws)?.uncork();
}

/**
 * One unmasked, final text frame (header and payload in one buffer), built once for a broadcast and
 * written to every recipient's socket as is: ws would frame the same bytes again for each of them.
 * Safe because permessage-deflate is off, so ws never queues frames of its own on these sockets.
 */
export function textFrameOf(payload: Buffer): Buffer {
  return Buffer.concat(Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }));
}
// ws exports its frame encoder, but @types/ws does not declare it.
const { Sender } = wsModule as unknown as {
  Sender: {
    frame(data: Buffer, o: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }): Buffer[];
  };
};

export class Connection {
  name: string | null = null;
  /** Resume token of the current registration (v2 only learns it). */
  token: string | null = null;
  // Built on first use: a connection that never reaches a v2 recipient never pays for it.
  #fromSuffix: Buffer | null = null;
  messagesIn = 0;
  messagesOut = 0;
  /** Answered the last ping. */
  alive = true;
  /** Its name was handed to a resuming connection: its close is not a leave. */
  superseded = false;
  /** The control surface was told of it (peer-joined), so it must hear of its leaving too. */
  announced = false;
  /** What the last peer-stats event said about it (messagesIn + messagesOut, push subscribed). */
  reported = { traffic: 0, push: false };
  /** Its socket is corked until the end of this tick (see deliver). */
  corked = false;
  /** Why the server closed it, for the peer-left event. */
  closeReason: LeaveReason = 'closed';
  readonly limiter: RateLimiter;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    readonly dialect: Dialect,
    readonly room: string,
    readonly remoteAddress: string,
    readonly connectedAt: number,
    rateLimit: RateLimitOptions,
    /** The send-buffer bound (ServerOptions.maxBufferedBytes), read at each delivery. */
    private readonly maxBuffered: () => number,
    private readonly counters: Counters,
  ) {
    this.limiter = new RateLimiter(rateLimit, connectedAt);
  }

  setName(name: string | null, token: string | null): void {
    this.name = name;
    this.token = token;
    this.#fromSuffix = null;
  }

  /** `,"from":NAME}`: appended to what this connection sends to v2 recipients. */
  get fromSuffix(): Buffer {
    return (this.#fromSuffix ??= fromSuffixFor(this.name));
  }

  /**
   * Sends a relayed frame (bytes or text) as a text frame. Frames delivered to one connection in the same
   * tick (a burst read from one socket, a broadcast) leave in one write instead of one syscall each.
   */
  deliver(frame: Buffer | string): void {
    if (this.ws.readyState !== 1) return;
    const socket = socketOf(this.ws);
    if (socket && this.#tooSlow(socket)) return;
    this.messagesOut++;
    if (socket && !this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(uncork, this);
    }
    this.ws.send(frame, textFrame);
  }

  /** Writes a frame made by textFrameOf, unchanged, behind anything already sent. */
  deliverFrame(frame: Buffer): void {
    if (this.ws.readyState !== 1) return;
    const socket = socketOf(this.ws);
    if (!socket || this.#tooSlow(socket)) return;
    this.messagesOut++;
    socket.write(frame);
  }

  // A client that does not read would make the server buffer everything sent to it. Cut it instead: a
  // close frame would only queue behind the backlog, so the socket is terminated (the client sees 1006;
  // its name is freed and it can register again when it reconnects).
  #tooSlow(socket: RawSocket): boolean {
    if (socket.writableLength <= this.maxBuffered()) return false;
    this.closeReason = 'slow';
    this.ws.terminate();
    return true;
  }

  /** Sends a v2 control message; v1 connections never get one. */
  control(msg: ControlMessage): void {
    if (this.dialect === 2 && this.ws.readyState === 1) this.ws.send(control(msg));
  }

  /** Reports an error in the connection's dialect: v1 plain text, v2 an `error` control message. */
  fail(code: ErrorCode, v1: string | null, ref: string | number | null = null, message?: string): void {
    if (this.ws.readyState !== 1) return;
    this.counters.error(code);
    if (this.dialect === 2) this.ws.send(errorMessage(code, ref, message));
    else if (v1 !== null) this.ws.send(v1);
  }

  /** Starts the close handshake; the first reason given wins (a kicked client is not 'stopped' later). */
  close(code: number, reason: string, why: LeaveReason = 'closed'): void {
    if (this.ws.readyState > 1) return;
    this.closeReason = why;
    this.ws.close(code, reason);
  }
}
