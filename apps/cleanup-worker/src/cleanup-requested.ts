import type { Bus, Consumer, Payload } from '@pulse/bus';
import type { CleanupDeps } from './deps';
import type { CleanupMetrics } from './metrics';
import { runCleanup } from './run-cleanup';

/** Replicas share this durable consumer, so each request is handled once. */
export const CLEANUP_DURABLE = 'cleanup-worker';

/**
 * Handles `cleanup.requested`: one run with the requested mode. If another instance is already
 * running, the message is acknowledged anyway; that run covers the request's purpose, and a queue
 * of identical requests would only repeat it. A run that throws (database gone) is redelivered.
 */
export function cleanupRequestedHandler(deps: CleanupDeps, options: { metrics?: CleanupMetrics }) {
  return async (payload: Payload<'cleanup.requested'>): Promise<void> => {
    await runCleanup(
      { ...deps, dryRun: payload.dryRun ?? false },
      { reason: `requested: ${payload.reason}`, metrics: options.metrics },
    );
  };
}

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
