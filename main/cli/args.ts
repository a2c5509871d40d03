// The command line, compatible with rustysignal 2.0.2's positional forms, parsed with commander.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseIceUrl } from '../server/ice-url.js';
import { defaultOptions, defaultPushLimits, isHostPort } from '../server/options.js';
import { isOriginPattern } from '../server/origin-pattern.js';
import { parseAddr, parseCount, parseDuration, parseList, parsePortRange, parseSize } from './units.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface ServeCommand {
  kind: 'serve';
  host: string;
  port: number;
  certFile: string | null;
  keyFile: string | null;
  keyPassphrase: string | null;
  /** `--tls auto`: serve a leaf from the local CA in the data dir (created on first use). */
  tlsAuto: boolean;
  vapidKeyFile: string | null;
  vapidSubject: string | null;
  pushEncoding: 'aes128gcm' | 'aesgcm';
  accessKey: string | null;
  dataDir: string | null;
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  pingIntervalMs: number;
  offlineTtlMs: number;
  offlineQueueMax: number;
  offlineQueueBytes: number;
  offlineQueueSenderBytes: number;
  allowedOrigins: string[];
  requestTimeoutMs: number;
  pushAllowHosts: string[];
  pushMaxInFlight: number;
  pushMaxInFlightPerConnection: number;
  pushMaxResponseBytes: number;
  pushMaxSubscriptions: number;
  pushSubscriptionsPerAddress: number;
  pushSubscriptionTtlMs: number;
  rateLimit: number;
  rateBurst: number;
  maxConnections: number;
  /** A directory, `true` for the bundled one, or false for none. */
  webClient: string | boolean;
  mdns: boolean;
  mdnsName: string | null;
  mdnsInterface: string | null;
  /** External stun:/turn:/turns: URLs, in the order given. */
  iceServers: string[];
  turnPort: number;
  turnRelayPorts: { min: number; max: number };
  turnAllowPeers: string[];
  /** null: the one kept in the data directory. */
  turnSecret: string | null;
  logLevel: LogLevel;
  jsonLogs: boolean;
  redis: string | null;
  nodeId: string | null;
  metricsToken: string | null;
}
export type CliCommand =
  | ServeCommand
  | { kind: 'vapid-generate'; out: string; force: boolean }
  | { kind: 'discover'; timeoutMs: number; json: boolean; interface: string | null }
  | { kind: 'ca-show'; dataDir: string | null; json: boolean }
  | { kind: 'ca-export'; dataDir: string | null; out: string; force: boolean }
  | { kind: 'done' };

/** A command line that cannot run: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const d = defaultOptions;
const dp = defaultPushLimits;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
function hostList(value: string, previous: string[] | undefined): string[] {
  const hosts = value
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (const h of hosts)
    if (!isHostPort(h)) throw new InvalidArgumentError(`"${h}" is not HOST or HOST:PORT (e.g. push.lan:8443)`);
  return [...(previous ?? []), ...hosts];
}
function origin(value: string, previous: string[] | undefined): string[] {
  if (!isOriginPattern(value))
    throw new InvalidArgumentError(
      `"${value}" is not an origin: give * or scheme://host[:port], e.g. https://app.example.org`,
    );
  return collect(value, previous);
}

/** The serve command's options as commander hands them over (absent unless given, except where a default is set). */
interface ServeFlags {
  host?: string;
  port?: number;
  cert?: string;
  key?: string;
  keyPassphrase?: string;
  /** `auto` from --tls auto (the only mode). */
  tls?: 'auto';
  accessKey?: string;
  dataDir?: string;
  maxPayload?: number;
  maxBuffered?: number;
  pingInterval?: number;
  offlineTtl?: number;
  offlineQueue?: number;
  offlineQueueBytes?: number;
  offlineQueueSenderBytes?: number;
  allowOrigin?: string[];
  requestTimeout?: number;
  pushAllowHosts?: string[];
  pushMaxInFlight?: number;
  pushMaxInFlightPerConnection?: number;
  pushMaxResponse?: number;
  pushMaxSubscriptions?: number;
  pushSubscriptionsPerAddress?: number;
  pushSubscriptionTtl?: number;
  rateLimit?: number;
  rateBurst?: number;
  maxConnections?: number;
  /** A directory or false (--no-web-client); absent when neither is given: with both, commander sets no default. */
  webClient?: string | boolean;
  vapidKey?: string;
  vapidSubject?: string;
  pushEncoding: ServeCommand['pushEncoding'];
  /** False from --no-mdns (commander's default for a lone --no- option is true). */
  mdns: boolean;
  mdnsName?: string;
  mdnsInterface?: string;
  iceServer?: string[];
  turnPort?: number;
  turnRelayPorts?: { min: number; max: number };
  turnAllowPeers?: string[];
  turnSecret?: string;
  logLevel: LogLevel;
  jsonLogs?: boolean;
  redis?: string;
  nodeId?: string;
  metricsToken?: string;
}

/** Adapts a value parser to commander, which then names the option in the error. */
function wrap<T>(parse: (s: string) => T): (s: string) => T {
  return (s) => {
    try {
      return parse(s);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

function iceUrl(url: string): string {
  const parsed = parseIceUrl(url);
  if (typeof parsed === 'string') throw new Error(parsed);
  return url;
}

function build(version: string, out: (s: string) => void, result: { value: CliCommand }): Command {
  const program = new Command('rustysignal')
    .description('WebRTC signaling server for the local network (v1 protocol compatible with rustysignal 2.0.2)')
    .usage(
      '[ADDR] [CERT KEY] [VAPIDKEY] [options]\n       rustysignal vapid generate --out FILE\n       rustysignal discover\n       rustysignal ca show|export [--data-dir DIR]',
    )
    .argument(
      '[ADDR]',
      `HOST:PORT to listen on (default ${d.host}:${d.port}); then CERT KEY (PEM) for wss, and/or VAPIDKEY (PEM) for push`,
    )
    .argument('[FILES...]', 'CERT KEY, VAPIDKEY, or CERT KEY VAPIDKEY, as the original rustysignal took them')
    .version(version, '-V, --version')
    .option('--host <host>', 'address to bind (instead of ADDR)')
    .option('--port <port>', 'port to listen on (instead of ADDR)', wrap(parseCount))
    .option('--cert <file>', 'PEM certificate (chain) for wss')
    .option('--key <file>', 'PEM private key for --cert')
    .addOption(
      new Option(
        '--tls <mode>',
        "auto: https/wss with a certificate from this installation's local CA (in --data-dir; devices trust it once at http://HOST:PORT/trust)",
      ).choices(['auto']),
    )
    .option('--key-passphrase <passphrase>', 'passphrase of an encrypted --key (or env RUSTYSIGNAL_KEY_PASSPHRASE)')
    .option('--access-key <key>', 'require ?key=KEY from clients (or env RUSTYSIGNAL_ACCESS_KEY)')
    .option('--data-dir <dir>', 'where state that survives a restart is kept (push subscriptions)')
    .option(
      '--max-payload <size>',
      `largest frame in bytes, e.g. 65536 or 64KiB (default ${d.maxPayloadBytes})`,
      wrap(parseSize),
    )
    .option(
      '--max-buffered <size>',
      `bytes that may wait for one slow client before it is cut, e.g. 4MiB (default ${d.maxBufferedBytes})`,
      wrap(parseSize),
    )
    .option(
      '--ping-interval <duration>',
      `heartbeat interval in ms, e.g. 30000 or 30s (default ${d.pingIntervalMs})`,
      wrap(parseDuration),
    )
    .option(
      '--offline-ttl <duration>',
      `how long messages for an offline user are held, ms; 0 turns the queue off (default ${d.offlineTtlMs})`,
      wrap(parseDuration),
    )
    .option(
      '--offline-queue <count>',
      `most messages held per offline user (default ${d.offlineQueueMax})`,
      wrap(parseCount),
    )
    .option(
      '--offline-queue-bytes <size>',
      `most bytes the offline queue holds in all, e.g. 32MiB (default ${d.offlineQueueBytes})`,
      wrap(parseSize),
    )
    .option(
      '--offline-queue-sender-bytes <size>',
      `most bytes the offline queue holds from one client address (default ${d.offlineQueueSenderBytes})`,
      wrap(parseSize),
    )
    .option(
      '--allow-origin <origin>',
      'also accept WebSocket upgrades from pages of this origin (repeatable; * for any); by default only pages of this server, localhost, *.local and private addresses',
      origin,
    )
    .option(
      '--request-timeout <duration>',
      `time a client has to send a complete HTTP request or WebSocket upgrade, ms (default ${d.requestTimeoutMs})`,
      wrap(parseDuration),
    )
    .option(
      '--rate-limit <perSecond>',
      `messages per second per connection; 0 turns the limit off (default ${d.rateLimit.perSecond})`,
      wrap(parseCount),
    )
    .option('--rate-burst <count>', `burst allowance per connection (default ${d.rateLimit.burst})`, wrap(parseCount))
    .option(
      '--max-connections <count>',
      `server-wide connection cap; 0 for none (default ${d.maxConnections})`,
      wrap(parseCount),
    )
    .option('--web-client <dir>', 'serve this directory at / instead of the bundled web client')
    .option('--no-web-client', 'do not serve the web client (HTTP then answers only /healthz and /push/public-key)')
    .option('--vapid-key <file>', 'PEM EC P-256 private key: enables push (needs --vapid-subject)')
    .option('--vapid-subject <subject>', 'contact for push services: mailto:you@example.org or https://...')
    .addOption(
      new Option('--push-encoding <encoding>', 'push content encoding')
        .choices(['aes128gcm', 'aesgcm'])
        .default('aes128gcm'),
    )
    .option(
      '--ice-server <url>',
      'also hand clients this STUN/TURN server (repeatable): stun:HOST[:PORT], turn:HOST[:PORT][?transport=udp|tcp], turns:HOST[:PORT]',
      (url: string, previous: string[] | undefined) => [...(previous ?? []), wrap(iceUrl)(url)],
    )
    .option(
      '--push-allow-hosts <hosts>',
      'HOST[:PORT],... push services allowed although not public (a private push service); others must be https on 443 of a public address',
      hostList,
    )
    .option(
      '--push-max-in-flight <count>',
      `push requests in flight at once, server-wide (default ${dp.maxInFlight})`,
      wrap(parseCount),
    )
    .option(
      '--push-max-in-flight-per-connection <count>',
      `push requests in flight at once per connection (default ${dp.maxInFlightPerConnection})`,
      wrap(parseCount),
    )
    .option(
      '--push-max-response <size>',
      `most bytes read of a push service's answer (default ${dp.maxResponseBytes})`,
      wrap(parseSize),
    )
    .option(
      '--push-max-subscriptions <count>',
      `most push subscriptions stored (default ${dp.maxSubscriptions})`,
      wrap(parseCount),
    )
    .option(
      '--push-subscriptions-per-address <count>',
      `most push subscriptions made from one client address (default ${dp.subscriptionsPerAddress})`,
      wrap(parseCount),
    )
    .option(
      '--push-subscription-ttl <duration>',
      `delete push subscriptions unused for this long, ms, e.g. 30d (default ${dp.subscriptionTtlMs})`,
      wrap(parseDuration),
    )
    .option('--no-mdns', 'do not advertise on the LAN over mDNS / DNS-SD')
    .option('--mdns-name <name>', 'mDNS instance name (default "rustysignal on HOSTNAME")')
    .option('--mdns-interface <iface>', 'advertise on this network interface only (default: every LAN interface)')
    .option(
      '--turn-port <port>',
      `UDP and TCP port of the built-in STUN/TURN relay; 0 turns it off (default ${d.relay.port})`,
      wrap(parseCount),
    )
    .option(
      '--turn-relay-ports <range>',
      `UDP ports relayed addresses use (default ${d.relay.relayPorts.min}-${d.relay.relayPorts.max})`,
      wrap(parsePortRange),
    )
    .option(
      '--turn-allow-peers <cidrs>',
      'comma-separated CIDRs the relay may reach (default: private, link-local and unique-local ranges)',
      wrap(parseList),
    )
    .option(
      '--turn-secret <secret>',
      'secret for TURN REST credentials (or env RUSTYSIGNAL_TURN_SECRET; default: one generated and kept in --data-dir)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .option(
      '--redis <url>',
      'join a cluster through this Redis: redis://[:PASSWORD@]HOST:PORT[/DB] or rediss:// (or env RUSTYSIGNAL_REDIS)',
    )
    .option('--node-id <id>', "this node's name in the cluster (default HOSTNAME-PID)")
    .option(
      '--metrics-token <token>',
      'serve GET /metrics to any address with Authorization: Bearer TOKEN (or env RUSTYSIGNAL_METRICS_TOKEN); without it /metrics answers loopback only',
    )
    .option('--json-logs', 'structured JSON logs (one object per line) instead of text')
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .action((addr: string | undefined, files: string[], o: ServeFlags) => {
      result.value = serveCommand(addr, files, o);
    });

  program
    .command('vapid')
    .description('manage VAPID keys for push')
    .command('generate')
    .description('generate a VAPID key pair (PEM, EC P-256) into a file and print its public key')
    .requiredOption('--out <file>', 'where to write the private key (PEM)')
    .option('--force', 'overwrite an existing file')
    .action((o: { out: string; force?: boolean }) => {
      result.value = { kind: 'vapid-generate', out: o.out, force: o.force === true };
    });

  program
    .command('discover')
    .description('list rustysignal servers on this network (mDNS), for diagnosing "I can\'t see the server"')
    .option('--timeout <duration>', 'how long to listen, e.g. 3000 or 3s', wrap(parseDuration), 3000)
    .option('--json', 'one JSON object per server')
    .option('--interface <iface>', 'listen on this network interface only (default: every LAN interface)')
    .action((o: { timeout: number; json?: boolean; interface?: string }) => {
      result.value = { kind: 'discover', timeoutMs: o.timeout, json: o.json === true, interface: o.interface ?? null };
    });

  const ca = program.command('ca').description('the local certificate authority that --tls auto uses');
  ca.command('show')
    .description('print the local CA: SHA-256 fingerprint, what it may certify, expiry')
    .option('--data-dir <dir>', 'the data dir the server ran with')
    .option('--json', 'one JSON object')
    .action((o: { dataDir?: string; json?: boolean }) => {
      result.value = { kind: 'ca-show', dataDir: o.dataDir ?? null, json: o.json === true };
    });
  ca.command('export')
    .description('write the local CA certificate to a file (PEM; DER when FILE ends in .crt, .cer or .der)')
    .option('--data-dir <dir>', 'the data dir the server ran with')
    .requiredOption('--out <file>', 'where to write the certificate')
    .option('--force', 'overwrite an existing file')
    .action((o: { dataDir?: string; out: string; force?: boolean }) => {
      result.value = { kind: 'ca-export', dataDir: o.dataDir ?? null, out: o.out, force: o.force === true };
    });

  for (const c of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    c.exitOverride().configureOutput({ writeOut: out, writeErr: () => {}, outputError: () => {} });
  }
  return program;
}

function serveCommand(addr: string | undefined, files: string[], o: ServeFlags): ServeCommand {
  // One extra file is VAPIDKEY, two are CERT KEY, three are CERT KEY VAPIDKEY.
  const [cert, key, vapid]: Array<string | undefined> = files.length === 1 ? [undefined, undefined, files[0]] : files;
  if (files.length > 3)
    throw new UsageError(`too many arguments: expected ADDR [CERT KEY] [VAPIDKEY], got ${files.length + 1}`);
  let host: string = d.host;
  let port: number = d.port;
  if (addr !== undefined) {
    try {
      ({ host, port } = parseAddr(addr));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (addr !== undefined && (o.host !== undefined || o.port !== undefined))
    throw new UsageError('give the address either as ADDR or with --host/--port, not both');
  if (o.host !== undefined) host = o.host;
  if (o.port !== undefined) {
    if (o.port > 65535) throw new UsageError(`--port ${o.port} is not a port (0-65535)`);
    port = o.port;
  }
  if (cert !== undefined && (o.cert !== undefined || o.key !== undefined))
    throw new UsageError('give CERT KEY either as arguments or with --cert/--key, not both');
  if (vapid !== undefined && o.vapidKey !== undefined)
    throw new UsageError('give the VAPID key either as an argument or with --vapid-key, not both');
  const certFile = cert ?? o.cert ?? null;
  const keyFile = key ?? o.key ?? null;
  if ((certFile === null) !== (keyFile === null))
    throw new UsageError(
      `${certFile === null ? '--key' : '--cert'} needs ${certFile === null ? '--cert' : '--key'} too`,
    );
  const tlsAuto = o.tls === 'auto';
  if (tlsAuto && certFile !== null)
    throw new UsageError('give either a certificate (CERT KEY or --cert/--key) or --tls auto, not both');
  const vapidKeyFile = vapid ?? o.vapidKey ?? null;
  const vapidSubject = o.vapidSubject ?? null;
  if (vapidKeyFile !== null && vapidSubject === null)
    throw new UsageError('a VAPID key needs a contact subject: add --vapid-subject mailto:you@example.org');
  if (o.turnPort !== undefined && o.turnPort > 65535)
    throw new UsageError(`--turn-port ${o.turnPort} is not a port (0-65535)`);
  if (vapidSubject !== null && vapidKeyFile === null)
    throw new UsageError(
      '--vapid-subject needs a VAPID key: add --vapid-key FILE (make one with: rustysignal vapid generate --out FILE)',
    );
  return {
    kind: 'serve',
    host,
    port,
    certFile,
    keyFile,
    keyPassphrase: o.keyPassphrase ?? process.env.RUSTYSIGNAL_KEY_PASSPHRASE ?? null,
    tlsAuto,
    vapidKeyFile,
    vapidSubject,
    pushEncoding: o.pushEncoding,
    accessKey: o.accessKey ?? process.env.RUSTYSIGNAL_ACCESS_KEY ?? null,
    dataDir: o.dataDir ?? null,
    maxPayloadBytes: o.maxPayload ?? d.maxPayloadBytes,
    maxBufferedBytes: o.maxBuffered ?? d.maxBufferedBytes,
    pingIntervalMs: o.pingInterval ?? d.pingIntervalMs,
    offlineTtlMs: o.offlineTtl ?? d.offlineTtlMs,
    offlineQueueMax: o.offlineQueue ?? d.offlineQueueMax,
    offlineQueueBytes: o.offlineQueueBytes ?? d.offlineQueueBytes,
    offlineQueueSenderBytes: o.offlineQueueSenderBytes ?? d.offlineQueueSenderBytes,
    allowedOrigins: o.allowOrigin ?? d.allowedOrigins,
    requestTimeoutMs: o.requestTimeout ?? d.requestTimeoutMs,
    pushAllowHosts: o.pushAllowHosts ?? dp.allowHosts,
    pushMaxInFlight: o.pushMaxInFlight ?? dp.maxInFlight,
    pushMaxInFlightPerConnection: o.pushMaxInFlightPerConnection ?? dp.maxInFlightPerConnection,
    pushMaxResponseBytes: o.pushMaxResponse ?? dp.maxResponseBytes,
    pushMaxSubscriptions: o.pushMaxSubscriptions ?? dp.maxSubscriptions,
    pushSubscriptionsPerAddress: o.pushSubscriptionsPerAddress ?? dp.subscriptionsPerAddress,
    pushSubscriptionTtlMs: o.pushSubscriptionTtl ?? dp.subscriptionTtlMs,
    rateLimit: o.rateLimit ?? d.rateLimit.perSecond,
    rateBurst: o.rateBurst ?? d.rateLimit.burst,
    maxConnections: o.maxConnections ?? d.maxConnections,
    webClient: o.webClient ?? true,
    mdns: o.mdns,
    mdnsName: o.mdnsName ?? null,
    mdnsInterface: o.mdnsInterface ?? null,
    iceServers: o.iceServer ?? [],
    turnPort: o.turnPort ?? d.relay.port,
    turnRelayPorts: o.turnRelayPorts ?? d.relay.relayPorts,
    turnAllowPeers: o.turnAllowPeers ?? d.relay.allowPeers,
    turnSecret: o.turnSecret ?? process.env.RUSTYSIGNAL_TURN_SECRET ?? null,
    logLevel: o.logLevel,
    jsonLogs: o.jsonLogs === true,
    redis: o.redis ?? process.env.RUSTYSIGNAL_REDIS ?? null,
    nodeId: o.nodeId ?? null,
    metricsToken: o.metricsToken ?? process.env.RUSTYSIGNAL_METRICS_TOKEN ?? null,
  };
}

/** Parses argv (without node and script). Throws UsageError (one line) for a command line that cannot run. */
export function parseCommandLine(
  argv: string[],
  version: string,
  out: (s: string) => void = (s) => process.stdout.write(s),
): CliCommand {
  const result: { value: CliCommand } = { value: { kind: 'done' } };
  try {
    build(version, out, result).parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return { kind: 'done' }; // --help, --version
      throw new UsageError(err.message.replace(/^error: /, '').split('\n')[0]);
    }
    throw err;
  }
  return result.value;
}
