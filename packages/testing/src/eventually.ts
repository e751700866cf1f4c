/**
 * Retries `check` until it stops throwing (or returns true), for effects that arrive asynchronously
 * after the action that causes them (a NOTIFY after a commit, a message after a publish). The last
 * failure is rethrown at the deadline, so the test reports what was wrong, not just "timed out".
 */
export async function eventually(
  check: () => unknown,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  for (;;) {
    try {
      if ((await check()) !== false) return;
      if (Date.now() > deadline) throw new Error('eventually: condition still false at the deadline');
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 10));
  }
}
