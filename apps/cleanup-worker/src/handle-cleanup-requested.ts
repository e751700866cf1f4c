import type { Payload } from '@pulse/bus';
import type { CleanupDeps } from './deps';
import type { CleanupMetrics } from './metrics';
import { runCleanup } from './run-cleanup';

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
