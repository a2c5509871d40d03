// Keeps a leaf certificate from the local CA current: issues one for this machine's names and addresses,
// checks every few seconds, and re-issues when an address comes or goes or the leaf nears expiry. The host
// applies each new leaf with the server's live TLS swap (the one SIGHUP uses), so no connection drops.
import { issueLeaf, leafNeedsRenewal, type CertAndKey, type LeafNames } from './ca.js';
import { lanCertificateNames } from './lan.js';

export interface LeafKeeperDeps {
  ca: CertAndKey;
  /** What the leaf must name now; default `NAME.local`, localhost and every interface address. */
  names?: () => LeafNames;
  now?: () => Date;
  /** How often addresses and expiry are checked, ms; default 10000. */
  checkEveryMs?: number;
}

/** The host's side: swap a re-issued leaf in; hear about a check that failed (the current leaf stays). */
export interface LeafHandlers {
  onRenewed: (leaf: CertAndKey) => void | Promise<void>;
  onError?: (err: Error) => void;
}

export class LeafKeeper {
  #leaf: CertAndKey | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<boolean> | null = null;
  #handlers: LeafHandlers | null = null;
  readonly #names: () => LeafNames;
  readonly #now: () => Date;

  constructor(private readonly deps: LeafKeeperDeps) {
    this.#names = deps.names ?? (() => lanCertificateNames());
    this.#now = deps.now ?? (() => new Date());
  }

  /** The current leaf, issued first if there is none or it no longer fits. */
  async current(): Promise<CertAndKey> {
    await this.#refresh(false);
    return this.#leaf!;
  }

  /** Re-issues when needed and hands the new leaf to onRenewed (once started); true when it did. */
  check(): Promise<boolean> {
    return this.#refresh(true);
  }

  #refresh(notify: boolean): Promise<boolean> {
    // One issue at a time; a call made while one runs waits for it, then looks again (the names it was
    // asked about may be newer than the ones the running check read).
    const run = (this.#running ?? Promise.resolve(false)).catch(() => false).then(() => this.#issueIfNeeded(notify));
    const settled = run.finally(() => {
      if (this.#running === settled) this.#running = null;
    });
    this.#running = settled;
    return settled;
  }

  async #issueIfNeeded(notify: boolean): Promise<boolean> {
    const names = this.#names();
    if (this.#leaf && !leafNeedsRenewal(this.#leaf.cert, names, this.#now())) return false;
    this.#leaf = await issueLeaf(this.deps.ca, names, { now: this.#now() });
    if (notify) await this.#handlers?.onRenewed(this.#leaf);
    return true;
  }

  /** Starts the periodic check; each re-issued leaf goes to `handlers.onRenewed`. */
  start(handlers: LeafHandlers): void {
    this.stop();
    this.#handlers = handlers;
    this.#timer = setInterval(() => {
      this.check().catch((err: Error) => this.#handlers?.onError?.(err));
    }, this.deps.checkEveryMs ?? 10_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
