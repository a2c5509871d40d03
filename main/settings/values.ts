// The settings the dashboard edits and the errors their validation reports (settings/editable.ts). Types
// only and no imports: the IPC contract (and through it the dashboard) shares them.

/** The settings the dashboard edits. Server fields carry the server option names. */
export interface SettingsValues {
  /** Bind address: IPv4/IPv6 literal or `localhost`. */
  host: string;
  /** TCP port, 0 = pick a free one. */
  port: number;
  /** Clients must present `?key=`; null = open. */
  accessKey: string | null;
  /** Server-wide cap on connections; 0 = no cap. */
  maxConnections: number;
  /** Largest accepted frame, bytes. */
  maxPayloadBytes: number;
  rateLimit: { perSecond: number; burst: number };
  /** ms a one-to-one message for an offline user is held; 0 = off. */
  offlineTtlMs: number;
  offlineQueueMax: number;
  /** Most bytes the offline queue holds in all. */
  offlineQueueBytes: number;
  /** Most bytes the offline queue holds from one client address. */
  offlineQueueSenderBytes: number;
  /** Web origins allowed to connect besides this server's own pages and LAN hosts; `*` = any. */
  allowedOrigins: string[];
  /** ms between WebSocket pings. */
  pingIntervalMs: number;
  mdns: { enabled: boolean; name: string | null; interface: string | null };
  /** The connection relay (STUN/TURN): UDP/TCP port (0 = off) and the UDP ports relayed addresses use. */
  relay: { port: number; relayPortsMin: number; relayPortsMax: number };
  /** Serve the bundled web client over http(s) on the same port. */
  serveWebClient: boolean;
  startServerOnLaunch: boolean;
  startAtLogin: boolean;
  /** Start with the window closed (tray only). */
  startHidden: boolean;
}

/** A change to settings: any subset of fields; `rateLimit` and `mdns` may be partial too. */
export type SettingsPatch = Partial<Omit<SettingsValues, 'rateLimit' | 'mdns' | 'relay'>> & {
  rateLimit?: Partial<SettingsValues['rateLimit']>;
  mdns?: Partial<SettingsValues['mdns']>;
  relay?: Partial<SettingsValues['relay']>;
};

/** One invalid field and why, as a form shows it next to the field. */
export interface FieldError {
  /** Dotted path of the field, e.g. `port` or `rateLimit.burst`. */
  field: string;
  message: string;
}
