import { Counter, Histogram, type Registry } from '@pulse/runtime';
import type { FinalState } from '@pulse/acquisitions';

/** What the handler reports to Prometheus; tests leave it out. */
export interface AcquisitionMetrics {
  receiver(outcome: 'stored' | 'failed', npyBytes: number): void;
  task(status: FinalState, seconds: number): void;
  /** One receiver's connection setup and wall-clock capture, by receiver kind. */
  capture(kind: string, setupSeconds: number, captureSeconds: number): void;
}

export function acquisitionMetrics(registry: Registry): AcquisitionMetrics {
  const receivers = new Counter({
    name: 'pulse_acquisition_receivers_total',
    help: 'Receivers captured, by outcome (a rising failed share means receivers or storage are in trouble)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'pulse_acquisition_npy_bytes_total',
    help: 'Bytes of .npy files stored',
    registers: [registry],
  });
  const tasks = new Histogram({
    name: 'pulse_acquisition_task_duration_seconds',
    help: 'Time from claim to final state, by final state',
    labelNames: ['status'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const setup = new Histogram({
    name: 'pulse_acquisition_receiver_setup_seconds',
    help: 'Connecting to a receiver and agreeing the stream, until samples flow, by kind',
    labelNames: ['kind'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const capture = new Histogram({
    name: 'pulse_acquisition_receiver_capture_seconds',
    help: 'Wall-clock capture time per receiver, by kind',
    labelNames: ['kind'],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  return {
    capture(kind, setupSeconds, captureSeconds) {
      setup.observe({ kind }, setupSeconds);
      capture.observe({ kind }, captureSeconds);
    },
    receiver(outcome, npyBytes) {
      receivers.inc({ outcome });
      if (npyBytes > 0) bytes.inc(npyBytes);
    },
    task(status, seconds) {
      tasks.observe({ status }, seconds);
    },
  };
}
