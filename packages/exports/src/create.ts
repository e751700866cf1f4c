import { type Db, type ExportFormat, enqueueOutbox, lockedTransaction } from '@pulse/db';

export interface NewExport {
  userId: string;
  format: ExportFormat;
  deviceIds: string[];
  metrics: string[];
  from: Date;
  to: Date;
}

export type CreateExportResult = { created: true; id: string } | { created: false; running: number };

/**
 * Writes the job and its `export.requested` outbox row in one transaction: the relay publishes only if
 * the job exists, and a NATS outage delays the export instead of losing it. A user with `maxRunning`
 * jobs queued or running gets `created: false` and nothing is written.
 */
export function createExportJob(db: Db, job: NewExport, limits: { maxRunning: number }): Promise<CreateExportResult> {
  // One user's requests run one at a time (on every replica), so the cap can't be overshot by a burst.
  return lockedTransaction(db, `exports:${job.userId}`, async (tx) => {
    const running = await tx.exportJob.count({ where: { userId: job.userId, status: { in: ['queued', 'running'] } } });
    if (running >= limits.maxRunning) return { created: false, running } as const;
    const { id } = await tx.exportJob.create({
      data: {
        userId: job.userId,
        format: job.format,
        deviceIds: job.deviceIds,
        metrics: job.metrics,
        fromTs: job.from,
        toTs: job.to,
      },
      select: { id: true },
    });
    await enqueueOutbox(tx, { subject: 'export.requested', payload: { exportId: id }, msgId: `export:${id}` });
    return { created: true, id } as const;
  });
}
