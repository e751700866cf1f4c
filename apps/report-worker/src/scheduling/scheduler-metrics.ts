import { Counter, Gauge, type Registry } from '@pulse/runtime';

export interface SchedulerMetrics {
  /** A pass finished (fired here or held by another replica). */
  passed(at: Date): void;
  /** A slot fired `lateMs` after it was due; later than on-time means the slot was missed and caught up. */
  fired(timing: 'on_time' | 'late'): void;
  failed(): void;
}

/**
 * What says a report slot was missed: no pass for minutes (every replica down or stuck), a pass failing,
 * or a slot fired late (caught up after downtime).
 */
export function schedulerMetrics(registry: Registry): SchedulerMetrics {
  const lastPass = new Gauge({
    name: 'pulse_report_scheduler_last_pass_timestamp_seconds',
    help: 'When the report scheduler last finished a pass (Unix time)',
    registers: [registry],
  });
  const fired = new Counter({
    name: 'pulse_report_slots_fired_total',
    help: 'Report slots fired, on time or late (missed at their time and caught up)',
    labelNames: ['timing'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'pulse_report_scheduler_errors_total',
    help: 'Report scheduler passes that failed',
    registers: [registry],
  });
  return {
    passed: (at) => lastPass.set(at.getTime() / 1000),
    fired: (timing) => fired.inc({ timing }),
    failed: () => errors.inc(),
  };
}
