// Secrets encrypted with the OS keychain through Electron's safeStorage (Keychain on macOS, DPAPI on
// Windows, libsecret/KWallet on Linux). Linux without a keyring falls back to a fixed key ("basic_text"),
// which protects nothing: that case counts as unavailable, and the user is told.
import { safeStorage } from 'electron';
import type { Encryptor } from '../settings/secrets.js';

/** The app's Encryptor; call after `app.whenReady()`. `settingsPath` is named in the fallback message. */
export function safeStorageEncryptor(settingsPath: string): Encryptor {
  const basicText = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  const available = safeStorage.isEncryptionAvailable() && !basicText;
  return {
    available,
    unavailableMessage: available
      ? null
      : `No system keychain is available${process.platform === 'linux' ? ' (install and unlock GNOME Keyring or KWallet)' : ''}, so the TLS key, push key and access key are stored unencrypted in ${settingsPath}, readable by your user account only.`,
    // The synchronous forms keep the settings service synchronous; the data is a few small strings.
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (cipher) => safeStorage.decryptString(Buffer.from(cipher, 'base64')),
  };
}
