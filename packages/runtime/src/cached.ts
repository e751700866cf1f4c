/**
 * Wraps an expensive read (readiness checks, a Postgres aggregate behind a gauge) so that a burst of
 * callers costs one call: callers while it runs share it, and its outcome is reused for `ms` after it
 * settled. Probes and scrapes arrive from load balancers, orchestrators and several Prometheus servers
 * at once; without this each one is a round trip to every dependency.
 */
export function cachedFor<T>(ms: number, load: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  let running = false;
  let freshUntil = 0;
  return () => {
    if (current && (running || performance.now() < freshUntil)) return current;
    running = true;
    current = load().finally(() => {
      running = false;
      freshUntil = performance.now() + ms;
    });
    return current;
  };
}
