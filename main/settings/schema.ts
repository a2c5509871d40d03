// The persisted settings file, validated with zod. Server fields reuse the server's own option schemas
// (main/server/options.ts), so the settings UI, the CLI and the server share one set of rules and defaults.
import { z } from 'zod';
import {
  defaultOptions,
  mdnsOptionsSchema,
  rateLimitSchema,
  relayOptionsSchema,
  serverOptionsSchema,
} from '../server/options.js';
import { isPem } from '../server/pem.js';

/** Current version of the settings file layout; migrations.ts lifts older files to it. */
export const SETTINGS_VERSION = 1;

/** A secret at rest: encrypted by the host's encryptor (`safe`) or, where none exists, plain text. */
export const secretSchema = z.object({ scheme: z.enum(['safe', 'plain']), data: z.string() }).strict();
export type StoredSecret = z.infer<typeof secretSchema>;

const server = serverOptionsSchema.shape;

export const storedServerSchema = z
  .object({
    host: server.host,
    port: server.port,
    accessKey: secretSchema.nullable().default(null),
    maxConnections: server.maxConnections,
    maxPayloadBytes: server.maxPayloadBytes,
    rateLimit: rateLimitSchema.default(defaultOptions.rateLimit),
    offlineTtlMs: server.offlineTtlMs,
    offlineQueueMax: server.offlineQueueMax,
    offlineQueueBytes: server.offlineQueueBytes,
    offlineQueueSenderBytes: server.offlineQueueSenderBytes,
    allowedOrigins: server.allowedOrigins,
    pingIntervalMs: server.pingIntervalMs,
    mdns: mdnsOptionsSchema.default(defaultOptions.mdns),
    relay: relayOptionsSchema.default(defaultOptions.relay),
    /** The TURN REST secret, made once on first use and kept encrypted like the other secrets. */
    turnSecret: secretSchema.nullable().default(null),
  })
  .strict();

const pemText = z.string().refine((s) => isPem(s), { message: 'must be PEM text' });

export const storedTlsSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('pem'),
      origin: z.enum(['generated', 'imported']),
      cert: pemText,
      key: secretSchema,
      passphrase: secretSchema.nullable().default(null),
    })
    .strict(),
  // Paths are re-read at each start, so a certificate renewed by another tool is picked up.
  z.object({ kind: z.literal('files'), certPath: z.string().min(1), keyPath: z.string().min(1) }).strict(),
]);

/** The local CA (docs/tls.md): certificate in clear, key sealed like every other secret. */
export const storedCaSchema = z.object({ cert: pemText, key: secretSchema }).strict();

export const storedPushSchema = z
  .object({
    privateKey: secretSchema,
    /** mailto: or https: contact; push stays off until one is set. */
    subject: z.string().nullable().default(null),
    encoding: z.enum(['aes128gcm', 'aesgcm']).default('aes128gcm'),
  })
  .strict();
export type StoredPush = z.infer<typeof storedPushSchema>;

export const storedSettingsSchema = z
  .object({
    // migrate() has already brought the object to SETTINGS_VERSION.
    version: z.number().int().min(1),
    server: storedServerSchema.default(() => storedServerSchema.parse({})),
    serveWebClient: z.boolean().default(true),
    tls: storedTlsSchema.nullable().default(null),
    /** Once set, TLS is `auto` (leaves from this CA) unless an imported or linked certificate is set. */
    ca: storedCaSchema.nullable().default(null),
    push: storedPushSchema.nullable().default(null),
    app: z
      .object({
        startServerOnLaunch: z.boolean().default(true),
        /** Last value the user chose; the OS login item is the truth and is read fresh. */
        startAtLogin: z.boolean().default(false),
        startHidden: z.boolean().default(false),
      })
      .strict()
      .default({ startServerOnLaunch: true, startAtLogin: false, startHidden: false }),
  })
  .strict();

export type StoredSettings = z.infer<typeof storedSettingsSchema>;

/** A fresh settings object with every default. */
export function defaultStoredSettings(): StoredSettings {
  return storedSettingsSchema.parse({ version: SETTINGS_VERSION });
}
