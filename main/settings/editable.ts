// The settings the dashboard edits (SettingsValues, settings/values.ts), their validation and the
// per-field messages a form shows. Rules come from the server's option schemas.
import { z } from 'zod';
import { mdnsOptionsSchema, rateLimitSchema, relayPortRangeSchema, serverOptionsSchema } from '../server/options.js';
import type { FieldError, SettingsPatch, SettingsValues } from './values.js';

const server = serverOptionsSchema.shape;
const rate = rateLimitSchema.shape;
const mdns = mdnsOptionsSchema.shape;

export const settingsValuesSchema = z
  .object({
    host: server.host.unwrap(),
    port: server.port.unwrap(),
    accessKey: server.accessKey.unwrap(),
    maxConnections: server.maxConnections.unwrap(),
    maxPayloadBytes: server.maxPayloadBytes.unwrap(),
    // Every field required here: a stored value is complete, so the server's defaults are unwrapped.
    rateLimit: z.object({ perSecond: rate.perSecond.unwrap(), burst: rate.burst.unwrap() }).strict(),
    offlineTtlMs: server.offlineTtlMs.unwrap(),
    offlineQueueMax: server.offlineQueueMax.unwrap(),
    offlineQueueBytes: server.offlineQueueBytes.unwrap(),
    offlineQueueSenderBytes: server.offlineQueueSenderBytes.unwrap(),
    allowedOrigins: server.allowedOrigins.unwrap(),
    pingIntervalMs: server.pingIntervalMs.unwrap(),
    mdns: z
      .object({ enabled: mdns.enabled.unwrap(), name: mdns.name.unwrap(), interface: mdns.interface.unwrap() })
      .strict(),
    relay: z
      .object({
        port: server.relay.unwrap().shape.port.unwrap(),
        relayPortsMin: relayPortRangeSchema.shape.min.unwrap(),
        relayPortsMax: relayPortRangeSchema.shape.max.unwrap(),
      })
      .strict()
      .refine((r) => r.relayPortsMin <= r.relayPortsMax, {
        message: 'the first relay port must not be above the last',
        path: ['relayPortsMax'],
      }),
    serveWebClient: z.boolean(),
    startServerOnLaunch: z.boolean(),
    startAtLogin: z.boolean(),
    startHidden: z.boolean(),
  })
  .strict() satisfies z.ZodType<SettingsValues>;

/** A form-friendly message for one zod issue (no zod jargon). */
export function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : `must be at most ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'string' ? `must not be empty` : `must be at least ${issue.minimum}`;
    case 'invalid_type':
      return issue.expected === 'int'
        ? 'must be a whole number'
        : `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** One FieldError per zod issue, with dotted field paths (`rateLimit.burst`). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldError[] {
  return issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? [...i.path, i.keys[0] ?? ''] : i.path;
    const field = [prefix, ...keys.map(String)].filter(Boolean).join('.');
    return { field, message: issueMessage(i) };
  });
}

const patchSchema = settingsValuesSchema
  .extend({
    rateLimit: settingsValuesSchema.shape.rateLimit.partial(),
    mdns: settingsValuesSchema.shape.mdns.partial(),
    relay: z.object({ port: z.number(), relayPortsMin: z.number(), relayPortsMax: z.number() }).partial().strict(),
  })
  .partial()
  .strict();

/** Applies `patch` to `current`; returns the new values or every field error. Unknown fields are errors. */
export function applyPatch(
  current: SettingsValues,
  patch: unknown,
): { ok: true; values: SettingsValues } | { ok: false; errors: FieldError[] } {
  const shape = patchSchema.safeParse(patch ?? {});
  if (!shape.success) return { ok: false, errors: fieldErrors(shape.error.issues) };
  const p: SettingsPatch = shape.data;
  const merged = {
    ...current,
    ...p,
    rateLimit: { ...current.rateLimit, ...p.rateLimit },
    mdns: { ...current.mdns, ...p.mdns },
    relay: { ...current.relay, ...p.relay },
  };
  const full = settingsValuesSchema.safeParse(merged);
  if (!full.success) return { ok: false, errors: fieldErrors(full.error.issues) };
  return { ok: true, values: full.data };
}
