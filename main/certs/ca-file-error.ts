// Its own module so the CLI can recognise it without loading the certificate libraries.

/** A CA file that is missing, unreadable or does not open; the message says what to do. */
export class CaFileError extends Error {
  override name = 'CaFileError';
}
