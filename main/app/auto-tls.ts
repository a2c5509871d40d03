// TLS mode `auto` for the desktop app: once the local CA exists (and no imported or linked certificate
// wins over it), the server gets a leaf from the CA, and the onboarding pages offer the CA. The leaf keeper
// re-issues the leaf when addresses change or expiry nears; the host then applies it live (no restart).
// Plain Node (no electron).
import { LeafKeeper, type LeafKeeperDeps } from '../certs/leaf-keeper.js';
import type { ServerOptions } from '../server/options.js';
import type { HostPaths, Settings } from '../settings/settings.js';

export interface AutoTls {
  /** The server options, with the CA's current leaf and the trust offer when TLS is auto. */
  options(): Promise<ServerOptions>;
  /** Stops the periodic leaf check. */
  stop(): void;
}

/** `renewed` is called when a periodic check re-issued the leaf: call the host's apply() there. */
export function createAutoTls(
  settings: Settings,
  paths: HostPaths,
  renewed: () => void,
  keeperDeps: Omit<LeafKeeperDeps, 'ca'> = {},
): AutoTls {
  let current: { caCert: string; keeper: LeafKeeper } | null = null;
  const stop = () => {
    current?.keeper.stop();
    current = null;
  };
  return {
    async options() {
      const base = settings.serverOptions(paths);
      const ca = settings.autoTlsCa();
      if (!ca) {
        stop();
        return base;
      }
      if (current?.caCert !== ca.cert) {
        stop();
        current = { caCert: ca.cert, keeper: new LeafKeeper({ ca, ...keeperDeps }) };
        current.keeper.start({ onRenewed: () => renewed() });
      }
      const leaf = await current.keeper.current();
      return { ...base, tls: { cert: leaf.cert, key: leaf.key }, trust: { caCert: ca.cert } };
    },
    stop,
  };
}
