/**
 * Thrown by a durable handler (or by the SDK, for a payload that fails validation) when
 * retrying cannot help: the entry goes to the dead-letter stream at once instead of being
 * redelivered up to maxDeliveries times.
 */
export class NonRetryableError extends Error {
  /** Recognised by flag as well as by class, so a copy of the SDK in another package still counts. */
  readonly nonRetryable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

export function isNonRetryable(error: unknown): boolean {
  return (
    error instanceof NonRetryableError ||
    (typeof error === 'object' && error !== null && 'nonRetryable' in error && error.nonRetryable === true)
  );
}

/** The text recorded for a failure: the message of an Error, or the thrown value itself. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  // JSON.stringify gives undefined for undefined, functions and symbols.
  const json = JSON.stringify(error) as string | undefined;
  return json ?? String(error);
}
