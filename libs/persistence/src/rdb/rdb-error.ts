/** A malformed RDB file or DUMP payload; the message says what was wrong and where it was found. */
export class RdbFormatError extends Error {
  override readonly name = 'RdbFormatError';
}
