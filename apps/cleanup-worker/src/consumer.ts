import type { Bus, Consumer } from '@pulse/bus';
import type { CleanupDeps } from './deps';
import { cleanupRequestedHandler } from './handle-cleanup-requested';
import type { CleanupMetrics } from './metrics';

/** Replicas share this durable consumer, so each request is handled once. */
export const CLEANUP_DURABLE = 'cleanup-worker';

export function startCleanupConsumer(options: {
  bus: Bus;
  deps: CleanupDeps;
  metrics?: CleanupMetrics;
}): Promise<Consumer> {
  return options.bus.consume('cleanup.requested', cleanupRequestedHandler(options.deps, options), {
    durable: CLEANUP_DURABLE,
    // One run at a time per replica; the advisory lock serialises replicas.
    concurrency: 1,
  });
}
