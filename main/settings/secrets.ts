// Secrets at rest (TLS private key, VAPID private key, access key). The encryptor is injected: Electron's
// safeStorage in the app, none in plain Node. Without one, secrets are stored as plain text and the user
// is told so, instead of pretending.
import type { StoredSecret } from './schema.js';

export interface Encryptor {
  /** False when the OS offers no keychain (then secrets are stored as plain text). */
  readonly available: boolean;
  /** Shown to the user when `available` is false: why, and what it means. */
  readonly unavailableMessage: string | null;
  /** Returns base64 ciphertext. Only called when `available`. */
  encrypt(plain: string): string;
  /** Reverses `encrypt`; throws when the ciphertext cannot be decrypted (other user, other machine). */
  decrypt(cipher: string): string;
}

/** The encryptor for hosts without a keychain (plain Node, tests). */
export function noEncryptor(
  message = 'Secrets are stored unencrypted: no system keychain is available to this process.',
): Encryptor {
  return {
    available: false,
    unavailableMessage: message,
    encrypt: () => {
      throw new Error('no encryptor available');
    },
    decrypt: () => {
      throw new Error('no encryptor available');
    },
  };
}

/** Thrown when a stored secret cannot be decrypted; says what to do. */
export class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
}

/** Wraps a secret for storage with the best protection the encryptor offers. */
export function sealSecret(plain: string, enc: Encryptor): StoredSecret {
  return enc.available ? { scheme: 'safe', data: enc.encrypt(plain) } : { scheme: 'plain', data: plain };
}

/** Reads a stored secret back. `what` names it in the error (e.g. "the TLS private key"). */
export function openSecret(secret: StoredSecret, enc: Encryptor, what: string): string {
  if (secret.scheme === 'plain') return secret.data;
  if (!enc.available) {
    throw new SecretUnavailableError(
      `${what} is encrypted with the system keychain, which is not available now: unlock the keychain or set it again`,
    );
  }
  try {
    return enc.decrypt(secret.data);
  } catch {
    throw new SecretUnavailableError(
      `${what} could not be decrypted (was it saved by another user or machine?): set it again`,
    );
  }
}
