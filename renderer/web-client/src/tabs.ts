// Other tabs of this browser on the same page: a tab that is refused a name asks whether one of them
// holds it, so it can say "you already use this name in another tab" instead of "taken".

type TabMessage = { t: 'who-has'; room: string; name: string; ask: string } | { t: 'i-have'; ask: string };

const ASK_MS = 400;

export class SiblingTabs {
  readonly #channel: BroadcastChannel | null =
    typeof BroadcastChannel === 'function' ? new BroadcastChannel('rustysignal.tabs') : null;

  /** `holds(room, name)`: whether this tab holds that name now. */
  constructor(holds: (room: string, name: string) => boolean) {
    this.#channel?.addEventListener('message', (ev: MessageEvent<TabMessage>) => {
      const m = ev.data;
      if (m?.t === 'who-has' && holds(m.room, m.name)) this.#channel!.postMessage({ t: 'i-have', ask: m.ask });
    });
  }

  /** Whether another tab of this browser holds `name` in `room` (answers within 400 ms, else false). */
  otherTabHolds(room: string, name: string): Promise<boolean> {
    const ch = this.#channel;
    if (!ch) return Promise.resolve(false);
    const ask = Math.random().toString(36).slice(2);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        ch.removeEventListener('message', onMessage);
        resolve(v);
      };
      const onMessage = (ev: MessageEvent<TabMessage>) => ev.data?.t === 'i-have' && ev.data.ask === ask && done(true);
      const timer = setTimeout(() => done(false), ASK_MS);
      ch.addEventListener('message', onMessage);
      ch.postMessage({ t: 'who-has', room, name, ask } satisfies TabMessage);
    });
  }
}
