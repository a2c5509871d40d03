// Idle registered clients: open many, then check a sample of them is really reachable by name.
import type WebSocket from 'ws';
import { delivered, frameMaker, type SentFrame, type WireAdapter } from '../wire.js';
import { openClient } from './connect.js';
import type { IdleConnectResult, ProbeResult } from './messages.js';

const PROBE_TIMEOUT_MS = 5000;
/** Stop opening after this many failures: the server (or a limit) is refusing. */
const MAX_FAILURES = 50;

/** Clients `i0`, `i1`, … that stay connected and silent. */
export class IdleClients {
  private clients: WebSocket[] = [];
  private waiting = new Map<number, { frame: SentFrame; resolve: () => void }>();
  /** WebSocket pings received by all clients (ws answers each with a pong by itself). */
  pings = 0;

  constructor(
    private readonly adapter: WireAdapter,
    private readonly port: number,
  ) {}

  /** Opens clients until `upTo` are connected, `concurrency` handshakes at a time. */
  async connectUpTo(upTo: number, concurrency: number): Promise<IdleConnectResult> {
    const start = performance.now();
    const before = this.clients.length;
    let next = before;
    let failed = 0;
    let firstProblem: string | null = null;
    const worker = async () => {
      while (next < upTo && failed < MAX_FAILURES) {
        const i = next++;
        try {
          const ws = await openClient(this.adapter, this.port, `i${i}`, (text) => this.onMessage(i, text));
          ws.on('ping', () => this.pings++);
          this.clients[i] = ws;
        } catch (err) {
          failed++;
          firstProblem ??= (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const connected = this.clients.filter(Boolean).length;
    return { connected, ms: performance.now() - start, failed, firstProblem };
  }

  /** Client i0 sends one message to each of `samples` clients spread over all; counts the ones that arrive intact. */
  async probe(samples: number, frameBytes: number): Promise<ProbeResult> {
    const n = this.clients.length;
    const sender = this.clients[0];
    if (!sender || n < 2) return { tried: 0, reached: 0 };
    const targets = new Set<number>();
    for (let k = 0; k < samples; k++) targets.add(1 + Math.floor((k * (n - 2)) / Math.max(1, samples - 1)));
    const arrivals = [...targets].map((i) => {
      const frame = frameMaker(
        this.adapter,
        (body) => this.adapter.oneToOne('i0', `i${i}`, body),
        'i0',
        `i${i}`,
        frameBytes,
      )(i);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.waiting.delete(i);
          resolve(false);
        }, PROBE_TIMEOUT_MS);
        this.waiting.set(i, {
          frame,
          resolve: () => {
            clearTimeout(timer);
            resolve(true);
          },
        });
        sender.send(frame.text);
      });
    });
    const reached = (await Promise.all(arrivals)).filter(Boolean).length;
    return { tried: targets.size, reached };
  }

  close(): void {
    for (const c of this.clients) c?.terminate();
  }

  private onMessage(i: number, text: string): void {
    const w = this.waiting.get(i);
    if (w && delivered(this.adapter, text, w.frame)) {
      this.waiting.delete(i);
      w.resolve();
    }
  }
}
