/**
 * Polling for a condition a test waits on. Deadlines are generous (a loaded 2-core machine is
 * slow) and never asserted on: what a test checks is the condition, not how fast it came.
 */

/** Polls `check` every `intervalMs` until it holds or `timeoutMs` has passed; true when it held. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return check();
}

/**
 * Polls until `check` holds; throws naming `what` when it does not within `timeoutMs` (`what` may
 * be computed then, to show the state at the timeout).
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 30000): Promise<void> {
  if (!(await eventually(check, timeoutMs))) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
}
