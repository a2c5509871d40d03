// Every server option with its default, in one table. The CLI, the desktop settings and the tests all
// resolve options through `resolveOptions`, so defaults cannot drift apart.
import { isIP } from 'node:net';
import { z } from 'zod';
import { isOriginPattern } from './origin-pattern.js';
import { parseIceUrl } from './ice-url.js';
import { numberLimits, textLimits, type NumberOption, type TextOption } from './option-limits.js';
import { isPem } from './pem.js';
import { vapidSubjectProblem } from './push/subject.js';
import { DAY_MS, KiB, MiB } from './units.js';

/** `host` or `host:port` (IPv6 in brackets), as `--push-allow-hosts` and `allowHosts` take them. */
export function isHostPort(s: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]@]+)(?::(\d{1,5}))?$/.exec(s);
  return m !== null && (m[2] === undefined || Number(m[2]) <= 65535);
}

// Any PEM block passes here; checkTls and the VAPID loader then say precisely what is wrong with it.
const pem = (what: string) =>
  z.string().refine((s) => isPem(s), { message: `${what} must be PEM text (-----BEGIN ...)` });

/** A number schema with the bounds of option-limits.ts. */
function bounded(option: NumberOption) {
  const l: { min: number; max?: number; integer: boolean } = numberLimits[option];
  const n = (l.integer ? z.number().int() : z.number()).min(l.min);
  return l.max === undefined ? n : n.max(l.max);
}
/** A string schema with the lengths of option-limits.ts. */
function text(option: TextOption) {
  const l: { minLength: number; maxLength?: number } = textLimits[option];
  const s = z.string().min(l.minLength);
  return l.maxLength === undefined ? s : s.max(l.maxLength);
}

export const tlsOptionsSchema = z
  .object({
    /** PEM certificate, optionally followed by its chain. */
    cert: pem('cert'),
    /** PEM private key matching `cert`. */
    key: pem('key'),
    /** Passphrase of an encrypted `key`. */
    passphrase: z.string().optional(),
  })
  .strict();

export const trustOptionsSchema = z
  .object({
    /** The local CA certificate (PEM) offered to devices at /trust (see docs/tls.md). */
    caCert: pem('trust.caCert'),
  })
  .strict();

export const rateLimitSchema = z
  .object({
    /** Sustained messages per second per connection; 0 turns the limit off. */
    perSecond: bounded('rateLimit.perSecond').default(200),
    /** Bucket size: messages a connection may send in a burst. */
    burst: bounded('rateLimit.burst').default(400),
  })
  .strict();

export const pushOptionsSchema = z
  .object({
    /** VAPID private key as PEM (EC P-256, SEC1 or PKCS#8). */
    vapidPrivateKeyPem: pem('vapidPrivateKeyPem'),
    /** Contact for the push service: a mailto: or https: URL. */
    subject: z.string().superRefine((s, ctx) => {
      const problem = vapidSubjectProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: `subject: ${problem}` });
    }),
    /** Content encoding of push messages; aesgcm only for old clients. */
    encoding: z.enum(['aes128gcm', 'aesgcm']).default('aes128gcm'),
    /** Upper bound on one send to a push service, in ms. */
    timeoutMs: bounded('push.timeoutMs').default(10_000),
    /**
     * Push services allowed although they are not public (`HOST` or `HOST:PORT`, e.g. a site's own push
     * service at `push.lan:8443`). Every other endpoint must be https on port 443 of a host that resolves
     * to public addresses only, checked when connecting.
     */
    allowHosts: z
      .array(z.string().refine(isHostPort, { message: 'allowHosts entries are HOST or HOST:PORT' }))
      .default([]),
    /** Most push requests in flight at once, server-wide; more are refused. */
    maxInFlight: bounded('push.maxInFlight').default(16),
    /** Most push requests in flight at once for one connection. */
    maxInFlightPerConnection: bounded('push.maxInFlightPerConnection').default(2),
    /** Most bytes read of a push service's answer; a longer one is cut and the send fails. */
    maxResponseBytes: bounded('push.maxResponseBytes').default(16 * KiB),
    /** Most stored subscriptions, over all users. */
    maxSubscriptions: bounded('push.maxSubscriptions').default(10_000),
    /** Most stored subscriptions made from one client address. */
    subscriptionsPerAddress: bounded('push.subscriptionsPerAddress').default(16),
    /** A subscription nobody used (subscribed again, or was woken through it) for this long is deleted, in ms. */
    subscriptionTtlMs: bounded('push.subscriptionTtlMs').default(30 * DAY_MS),
  })
  .strict();

/** The push table's defaults for everything but the key and subject (push itself is off by default). */
export const pushLimitsSchema = pushOptionsSchema.omit({ vapidPrivateKeyPem: true, subject: true });
export const defaultPushLimits = pushLimitsSchema.parse({});

export const mdnsOptionsSchema = z
  .object({
    /** Advertise `_rustysignal._tcp` and browse for other servers. */
    enabled: z.boolean().default(true),
    /** Instance name; null means `rustysignal on HOSTNAME`. */
    name: text('mdns.name').nullable().default(null),
    /** Advertise only on this interface (name such as `eth0`); null means every LAN interface. */
    interface: text('mdns.interface').nullable().default(null),
  })
  .strict();

const iceServerUrl = z.string().superRefine((url, ctx) => {
  const parsed = parseIceUrl(url);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `${JSON.stringify(url)}: ${parsed}` });
});

const cidr = z.string().refine(
  (c) => {
    const [addr, bits, extra] = c.split('/');
    const fam = isIP(addr ?? '');
    if (fam === 0 || extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    return Number(bits) <= (fam === 4 ? 32 : 128);
  },
  { message: 'must be CIDRs such as 10.0.0.0/8 or fc00::/7' },
);

export const relayPortRangeSchema = z
  .object({
    /** Lowest UDP port a relayed address may use. */
    min: bounded('relay.relayPorts').default(49160),
    /** Highest UDP port a relayed address may use. */
    max: bounded('relay.relayPorts').default(49300),
  })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'min must not be above max' });

/** The peers a relay may reach by default: private, link-local and unique-local addresses (never the internet). */
export const defaultRelayPeers = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  'fe80::/10',
  'fc00::/7',
];

export const relayOptionsSchema = z
  .object({
    /** UDP and TCP port of the embedded STUN/TURN server; 0 turns the relay off. */
    port: bounded('relay.port').default(3478),
    relayPorts: relayPortRangeSchema.default({ min: 49160, max: 49300 }),
    /** Peers a client may relay to (CIDRs); loopback and the server's own ports are refused regardless. */
    allowPeers: z.array(cidr).max(256).default(defaultRelayPeers),
    /** Live allocations on the whole server (each holds one relay port). */
    maxAllocations: z.number().int().min(1).max(65535).default(128),
    /** Live allocations per user (the NAME of the credentials). */
    maxAllocationsPerUser: z.number().int().min(1).max(65535).default(16),
    /** Relayed bytes per second per allocation and direction; more is dropped. 0 means no limit. */
    allocationBytesPerSecond: z
      .number()
      .int()
      .min(0)
      .default(2 * MiB),
  })
  .strict();

export const serverOptionsSchema = z
  .object({
    /** Address to bind: an IPv4/IPv6 literal or `localhost`. */
    host: z
      .string()
      .refine((h) => h === 'localhost' || isIP(h) !== 0, { message: 'host must be an IP address or localhost' })
      .default('0.0.0.0'),
    /** TCP port; 0 picks a free one. */
    port: bounded('port').default(3012),
    /** TLS material; null serves plain ws/http. */
    tls: tlsOptionsSchema.nullable().default(null),
    /**
     * The local CA whose onboarding pages plain HTTP on the TLS port serves (/trust); null: plain HTTP on
     * the TLS port is only redirected to https. Ignored without `tls`.
     */
    trust: trustOptionsSchema.nullable().default(null),
    /** When set, clients must present `?key=` or the upgrade is refused with 401. */
    accessKey: text('accessKey').nullable().default(null),
    /** Interval between WebSocket pings, in ms. */
    pingIntervalMs: bounded('pingIntervalMs').default(30_000),
    /** Largest accepted frame, in bytes; larger frames close the connection with 1009. */
    maxPayloadBytes: bounded('maxPayloadBytes').default(64 * KiB),
    /**
     * Bytes that may wait in one connection's send buffer; a client that stops reading while more piles up
     * is disconnected, so it cannot make the server hold unbounded memory for it.
     */
    maxBufferedBytes: bounded('maxBufferedBytes').default(4 * MiB),
    /** How long a one-to-one message for an offline user is held, in ms; 0 disables the queue. */
    offlineTtlMs: bounded('offlineTtlMs').default(15_000),
    /** Most messages held for one offline target. */
    offlineQueueMax: bounded('offlineQueueMax').default(32),
    /**
     * Most bytes the offline queue holds over all targets (payloads plus bookkeeping); a sender whose
     * message would go over it gets `queue-full`.
     */
    offlineQueueBytes: bounded('offlineQueueBytes').default(32 * MiB),
    /** Most bytes the offline queue holds for messages from one client address. */
    offlineQueueSenderBytes: bounded('offlineQueueSenderBytes').default(2 * MiB),
    /**
     * Web origins allowed to open a WebSocket besides the defaults (no Origin header, this server's own
     * pages, localhost, *.local and private, loopback or link-local IP hosts); `*` allows any.
     */
    allowedOrigins: z
      .array(z.string().refine(isOriginPattern, { message: 'allowedOrigins entries are * or scheme://host[:port]' }))
      .default([]),
    /** Time a client has to send a complete HTTP request or upgrade (headers and body), in ms. */
    requestTimeoutMs: bounded('requestTimeoutMs').default(5000),
    rateLimit: rateLimitSchema.default({ perSecond: 200, burst: 400 }),
    /** Server-wide cap on open connections (WebSockets, and sockets that have not upgraded yet); 0 means no cap. */
    maxConnections: bounded('maxConnections').default(10_000),
    /** Directory for state that survives a restart (push subscriptions); null keeps nothing on disk. */
    dataDir: text('dataDir').nullable().default(null),
    /** Directory of the bundled web client served at `/`; null serves no files. */
    webClientDir: text('webClientDir').nullable().default(null),
    /**
     * External ICE servers handed to clients after the embedded relay: `stun:`, `turn:` and `turns:` URLs.
     * TURN servers get time-limited credentials minted with `turnSecret` (their static-auth-secret).
     */
    iceServers: z.array(iceServerUrl).max(32).default([]),
    /** Web Push; null turns push off. */
    push: pushOptionsSchema.nullable().default(null),
    mdns: mdnsOptionsSchema.default({ enabled: true, name: null, interface: null }),
    /** Redis URL (redis:// or rediss://, password in the URL) that makes this server a node of a cluster; null: one server. */
    redis: z
      .string()
      .refine(isRedisUrl, {
        message: 'redis must be a redis:// or rediss:// URL, e.g. redis://:PASSWORD@10.0.0.5:6379/0',
      })
      .nullable()
      .default(null),
    /** This node's name in the cluster; null: host name and process id. */
    nodeId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, {
        message: 'nodeId must be 1 to 64 letters, digits, dots, dashes or underscores',
      })
      .nullable()
      .default(null),
    /** When set, GET /metrics needs `Authorization: Bearer TOKEN` and is served to any address; null: loopback only. */
    metricsToken: z
      .string()
      .min(16, { message: 'metricsToken must be at least 16 characters' })
      .max(256)
      .nullable()
      .default(null),
    /** The embedded STUN/TURN relay. */
    relay: relayOptionsSchema.default({
      port: 3478,
      relayPorts: { min: 49160, max: 49300 },
      allowPeers: defaultRelayPeers,
      maxAllocations: 128,
      maxAllocationsPerUser: 16,
      allocationBytesPerSecond: 2 * MiB,
    }),
    /** Secret for TURN REST credentials; null: a random one for this run (the CLI and app keep one instead). */
    turnSecret: z.string().min(8).max(512).nullable().default(null),
  })
  .strict();

function isRedisUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export type ServerOptionsInput = z.input<typeof serverOptionsSchema>;
export type ServerOptions = z.output<typeof serverOptionsSchema>;
export type TlsOptions = z.output<typeof tlsOptionsSchema>;
export type RateLimitOptions = z.output<typeof rateLimitSchema>;
export type PushOptions = z.output<typeof pushOptionsSchema>;
export type MdnsOptions = z.output<typeof mdnsOptionsSchema>;
export type RelayOptions = z.output<typeof relayOptionsSchema>;

/** Options that `reconfigure` applies to a running server without dropping connections. */
export const liveKeys = [
  'tls',
  'trust',
  'accessKey',
  'pingIntervalMs',
  'maxPayloadBytes',
  'maxBufferedBytes',
  'offlineTtlMs',
  'offlineQueueMax',
  'offlineQueueBytes',
  'offlineQueueSenderBytes',
  'allowedOrigins',
  'rateLimit',
  'maxConnections',
  'iceServers',
  'push',
  'mdns',
  'relay',
  'turnSecret',
] as const;
type LiveKey = (typeof liveKeys)[number];
const shape = serverOptionsSchema.shape;
/** Every other option: changing one means binding again (stop, then start). Turning TLS on or off does too. */
export const restartKeys = (Object.keys(shape) as Array<keyof ServerOptions>).filter(
  (k): k is Exclude<keyof ServerOptions, LiveKey> => !(liveKeys as readonly string[]).includes(k),
);
// A patch has no defaults: a key left out keeps its current value.
export const liveOptionsSchema = z
  .object(
    Object.fromEntries(liveKeys.map((k) => [k, shape[k].unwrap().optional()])) as {
      [K in LiveKey]: z.ZodOptional<ReturnType<(typeof shape)[K]['unwrap']>>;
    },
  )
  .strict();
export type LiveOptions = z.input<typeof liveOptionsSchema>;

/** Thrown for options that fail validation; the message names the option. */
export class OptionsError extends Error {
  override name = 'OptionsError';
}

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.join('.');
      if (i.code === 'unrecognized_keys')
        return `unknown option${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => (where ? `${where}.${k}` : k)).join(', ')}`;
      return where ? `option ${where}: ${i.message}` : i.message;
    })
    .join('; ');
}

/** Validates user options once and fills in every default. Throws OptionsError naming the option. */
export function resolveOptions(input: ServerOptionsInput = {}): ServerOptions {
  const r = serverOptionsSchema.safeParse(input);
  if (!r.success) throw new OptionsError(describe(r.error.issues));
  return r.data;
}

/** Validates a live patch; throws OptionsError naming the option. */
export function resolveLiveOptions(input: LiveOptions): z.output<typeof liveOptionsSchema> {
  const r = liveOptionsSchema.safeParse(input);
  if (!r.success) throw new OptionsError(describe(r.error.issues));
  return r.data;
}

/** The defaults alone, for help texts and settings forms. */
export const defaultOptions: ServerOptions = resolveOptions({});
