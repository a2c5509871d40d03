// One client connection: who it is (name, room, dialect) and what it costs (counters, rate bucket).
import type { WebSocket } from 'ws';
import type { Counters } from './counters.js';
import { RateLimiter } from './limits.js';
import type { LeaveReason } from './report-types.js';
import type { RateLimitOptions } from './options.js';
import { pingFrame, textFrame } from './frame.js';
import {
  beforeClosingBrace,
  control,
  errorMessage,
  fromSuffixFor,
  type ControlMessage,
  type Dialect,
  type ErrorCode,
} from './protocol.js';

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

/** The TCP socket and the frame parser under a ws connection (ws keeps both private). */
type RawSocket = { cork(): void; uncork(): void; write(b: Buffer): boolean; readonly writableLength: number };
type Internals = { _socket: RawSocket | null; _receiver: { _bufferedBytes: number } | null };
const socketOf = (ws: WebSocket) => (ws as unknown as Internals)._socket;

/**
 * The client's last read holds more bytes after the frame being handled: it is sending a burst, and more
 * frames (or part of one) follow in this same tick. ws emits each frame while it parses the read.
 */
export function sendingBurst(ws: WebSocket): boolean {
  return ((ws as unknown as Internals)._receiver?._bufferedBytes ?? 0) > 0;
}

/**
 * The frame a relayed message becomes for a recipient of `dialect`: the sender's exact bytes for v1, the
 * same stamped with `fromSuffix` for v2 (framed and stamped in one copy).
 */
export function relayFrame(dialect: Dialect, raw: Buffer, fromSuffix: Buffer): Buffer {
  return dialect === 1 ? textFrame(raw) : textFrame(beforeClosingBrace(raw), fromSuffix);
}

// Connections corked until the end of the current tick, and the one flush that uncorks them all.
const corked: Connection[] = [];
function uncorkAll(): void {
  for (const c of corked) {
    c.corked = false;
    socketOf(c.ws)?.uncork();
  }
  corked.length = 0;
}

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
   * Relays a sender's message: its exact bytes to a v1 connection, stamped with `fromSuffix` for v2.
   * `burst`: more frames are likely to follow for this connection in the same tick (see #write).
   */
  relay(raw: Buffer, fromSuffix: Buffer, burst = false): void {
    this.#write(relayFrame(this.dialect, raw, fromSuffix), burst);
  }

  /** Sends a frame's payload as it is (already stamped for a v2 connection, e.g. by another node). */
  deliver(payload: Buffer | string, burst = false): void {
    this.#write(textFrame(typeof payload === 'string' ? Buffer.from(payload) : payload), burst);
  }

  /** Writes a frame made by relayFrame (a broadcast builds it once for every recipient). */
  deliverFrame(frame: Buffer): void {
    this.#write(frame, false);
  }

  /**
   * Writes one whole frame to the socket, behind anything already sent. Safe beside ws's own sends because
   * permessage-deflate is off: ws never holds frames of its own back on these sockets. With `burst`, the
   * socket is corked until the end of the tick, so the frames that follow leave in one write instead of
   * one syscall each; a frame that comes alone is written at once (a cork would only add a scheduled
   * uncork per message).
   */
  #write(frame: Buffer, burst: boolean): void {
    if (this.ws.readyState !== 1) return;
    const socket = socketOf(this.ws);
    if (!socket || this.#tooSlow(socket)) return;
    this.messagesOut++;
    if (burst && !this.corked) {
      this.corked = true;
      socket.cork();
      if (corked.push(this) === 1) process.nextTick(uncorkAll);
    }
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

  /** A heartbeat ping; the client's pong sets `alive` again. */
  ping(): void {
    if (this.ws.readyState === 1) socketOf(this.ws)?.write(pingFrame);
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
