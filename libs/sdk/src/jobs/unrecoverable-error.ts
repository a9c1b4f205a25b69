/**
 * Thrown by an @OnJob handler when trying again cannot help: the job fails now, whatever
 * attempts remain. Carries the same `nonRetryable` flag as the messaging NonRetryableError, so
 * either error (and a payload that fails validation) fails a job at once.
 */
export class UnrecoverableError extends Error {
  readonly nonRetryable = true;

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnrecoverableError';
  }
}
