// Waiting for effects that arrive asynchronously after the action that causes them (a NOTIFY after a
// commit, a message after a publish, a job finishing in another process).

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error, so a failing test says what it was waiting for. */
  what?: string;
}

/**
 * Polls `probe` until it returns a value other than undefined/false and resolves with it; a probe that
 * throws is retried too. At the deadline it throws, naming `what` and the probe's last error.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 200, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}

/**
 * Retries `check` until it stops throwing (an `expect` that now holds) and does not return false:
 * `waitFor` for assertions. The last failed expectation is named in the timeout error.
 */
export async function eventually(
  check: () => unknown,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  await waitFor(async () => (await check()) !== false, {
    timeoutMs: options.timeoutMs ?? 5_000,
    intervalMs: options.intervalMs ?? 10,
    what: 'the expectation to hold',
  });
}
