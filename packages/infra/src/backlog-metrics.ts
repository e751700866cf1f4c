import type { Bus } from '@pulse/bus';
import { type Db, outboxBacklog } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { cachedFor, GAUGE_CACHE_MS, Gauge, type Registry } from '@pulse/runtime';

/**
 * Work waiting to move, read from Postgres and JetStream at scrape time (at most once per
 * GAUGE_CACHE_MS): outbox rows due and the age of the oldest (the relay is stuck when it grows), and
 * dead letters waiting per subject (someone must look). Every process reports the same values;
 * dashboards and alerts take the max over services.
 */
export function registerBacklogMetrics(registry: Registry, deps: { db: Db; bus: Bus; logger: Logger }): void {
  // Both outbox gauges come from one query.
  const backlog = cachedFor(GAUGE_CACHE_MS, () => outboxBacklog(deps.db));
  const dlqDepth = cachedFor(GAUGE_CACHE_MS, () => deps.bus.deadLetters.depth());
  const warn = (what: string) => (err: unknown) =>
    deps.logger.warn({ event: 'metrics_collect_error', what, err }, 'could not read a backlog metric');

  new Gauge({
    name: 'pulse_outbox_due_rows',
    help: 'Outbox rows due for publishing and not yet published',
    registers: [registry],
    async collect() {
      await backlog().then((b) => this.set(b.due), warn('outbox'));
    },
  });
  new Gauge({
    name: 'pulse_outbox_oldest_due_age_seconds',
    help: 'Age of the oldest outbox row due for publishing (0 when none)',
    registers: [registry],
    async collect() {
      await backlog().then((b) => this.set(b.oldestAgeSeconds), warn('outbox'));
    },
  });
  new Gauge({
    name: 'pulse_dlq_messages',
    help: 'Dead letters waiting in the stream, by subject',
    labelNames: ['subject'],
    registers: [registry],
    async collect() {
      await dlqDepth().then((depth) => {
        this.reset();
        for (const [subject, count] of Object.entries(depth)) this.set({ subject }, count);
      }, warn('dlq'));
    },
  });
}
