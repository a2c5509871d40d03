// Turning handler outcomes into the contract's Result: validated arguments in, typed errors out, never a
// thrown trace across the IPC boundary.
import type { z } from 'zod';
import { fieldErrors } from '../settings/editable.js';
import type { IpcError, IpcErrorCode, Result } from './contract.js';

/** Thrown inside a handler to answer with a typed error. */
export class IpcFailure extends Error {
  override name = 'IpcFailure';
  constructor(readonly error: IpcError) {
    super(error.message);
  }
}

/** Shorthand for `throw new IpcFailure(...)`. */
export function fail(code: IpcErrorCode, message: string, field?: string): never {
  throw new IpcFailure(field === undefined ? { code, message } : { code, message, field });
}

// Errors raised by the modules the handlers call, by class name, and the code and field they mean.
const known: Record<string, (e: Error & { field?: string }) => IpcError> = {
  CertificateError: (e) => ({ code: 'tls-invalid', message: e.message, ...(e.field ? { field: e.field } : {}) }),
  TlsFileError: (e) => ({ code: 'tls-invalid', message: e.message }),
  VapidError: (e) => ({
    code: 'push-invalid',
    message: e.message,
    field: /subject/i.test(e.message) ? 'subject' : 'pem',
  }),
  SecretUnavailableError: (e) => ({ code: 'io-failed', message: e.message }),
  OptionsError: (e) => ({ code: 'invalid-argument', message: e.message }),
};

/** The IpcError for anything a handler threw; unknown errors keep their message but no stack. */
export function toIpcError(err: unknown): IpcError {
  if (err instanceof IpcFailure) return err.error;
  const e = err instanceof Error ? err : new Error(String(err));
  const map = known[e.name];
  if (map) return map(e);
  const code = (e as NodeJS.ErrnoException).code;
  if (code && /^E[A-Z]+$/.test(code)) return { code: 'io-failed', message: e.message };
  return { code: 'internal', message: `Unexpected error: ${e.message}` };
}

/**
 * Wraps a handler: validates `arg` with `schema` (invalid-argument with the field on failure), runs `fn`,
 * and turns a throw into `{ ok: false }`.
 */
export function handler<S extends z.ZodType, T>(
  schema: S,
  fn: (arg: z.output<S>) => T | Promise<T>,
): (arg: unknown) => Promise<Result<T>> {
  return async (arg) => {
    const parsed = schema.safeParse(arg);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error.issues);
      const first = fields[0];
      const message = first
        ? first.field
          ? `${first.field} ${first.message}`
          : `argument ${first.message}`
        : 'invalid argument';
      return {
        ok: false,
        error: { code: 'invalid-argument', message, ...(first?.field ? { field: first.field } : {}), fields },
      };
    }
    try {
      return { ok: true, value: await fn(parsed.data) };
    } catch (err) {
      return { ok: false, error: toIpcError(err) };
    }
  };
}
