import type { Prisma } from '@pulse/db';
import { requeueForReplay } from '@pulse/exports';
import type { Payload, Subject } from '@pulse/messages';
import { DeadLetterError } from './errors';

type Revive<S extends Subject> = (tx: Prisma.TransactionClient, payload: Payload<S>) => Promise<void>;

/**
 * What a replay must undo besides re-publishing: the dead-letter hook marked the job failed, and the
 * worker only takes jobs that are not. Subjects missing here are not replayable (an acquisition is
 * started again by its owner instead: its receivers' time has passed).
 */
const REVIVE: { [S in Subject]?: Revive<S> } = {
  'export.requested': async (tx, { exportId }) => {
    if (!(await requeueForReplay(tx, exportId))) {
      throw new DeadLetterError(
        'job_not_failed',
        `export ${exportId} is not failed (gone, done or running): nothing to replay`,
      );
    }
  },
  // A failed delivery is claimable again as it is (the worker takes `pending` and `failed`).
  'report.requested': async () => undefined,
};

export function reviverFor<S extends Subject>(subject: S): Revive<S> | undefined {
  return REVIVE[subject] as Revive<S> | undefined;
}

export const REPLAYABLE_SUBJECTS = Object.keys(REVIVE) as Subject[];
