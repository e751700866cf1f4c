import { type Bus, type DeadLetter, SUBJECTS } from '@pulse/bus';
import type { Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { markFailed } from '@pulse/exports';

export interface DeadLetterDeps {
  db: Db;
  bus: Pick<Bus, 'emit'>;
  logger: Logger;
}

/** The bus gave up on an export: the job becomes `failed` with a reason its owner can read. */
export async function failExport(deps: DeadLetterDeps, dead: DeadLetter<'export.requested'>): Promise<void> {
  const parsed = SUBJECTS['export.requested'].safeParse(dead.payload);
  if (!parsed.success) return;
  const { exportId } = parsed.data;
  const failed = await markFailed(deps.db, exportId, `the export could not be completed (${dead.reason})`);
  if (!failed) return;
  deps.bus.emit('export.completed', { exportId, userId: failed.userId, status: 'failed' });
  deps.logger.warn(
    { event: 'export_failed', exportId, deliveryCount: dead.deliveryCount, reason: dead.reason },
    'export given up',
  );
}
