import { enqueueOutbox } from '@pulse/db';
import type { AppDeps } from '../deps';
import type { AuthUser } from '../http/context';
import { errors } from '../http/errors';
import { ACQUISITION_LIMITS, type AcquireRequest, samplesPerReceiver } from './request';

/**
 * Writes the task and its `acquisition.requested` outbox event in one transaction: the worker hears
 * of the task only if it exists, and a NATS outage delays the acquisition instead of losing it.
 */
export async function createAcquisition(
  deps: Pick<AppDeps, 'db' | 'config' | 'logger' | 'kickOutbox'>,
  user: Pick<AuthUser, 'id'>,
  request: AcquireRequest,
): Promise<{ taskId: string }> {
  const configured = deps.config.app.acquisition.receivers;
  const receivers = request.receivers ?? configured;
  const unknown = receivers.find((r) => !configured.includes(r));
  if (unknown !== undefined) {
    throw errors.badRequest('unknown_receiver', `unknown receiver "${unknown}"; known: ${configured.join(', ')}`);
  }

  const taskId = await deps.db.prisma.$transaction(async (tx) => {
    // Serialises this user's concurrent requests, so a burst can't overshoot the cap.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`acquisition:${user.id}`}))`;
    const active = await tx.acquisitionTask.count({ where: { userId: user.id, state: { in: ['queued', 'running'] } } });
    if (active >= ACQUISITION_LIMITS.maxActivePerUser) {
      throw errors.tooManyRequests(`you already have ${active} acquisitions in progress; wait for one to finish`);
    }
    const task = await tx.acquisitionTask.create({
      data: {
        userId: user.id,
        frequencyHz: BigInt(request.frequencyHz),
        durationMs: request.durationMs,
        sampleRate: request.sampleRate,
        receivers,
        total: receivers.length,
      },
      select: { id: true },
    });
    await enqueueOutbox(tx, {
      subject: 'acquisition.requested',
      payload: { taskId: task.id },
      msgId: `acquisition:${task.id}`,
    });
    return task.id;
  });
  deps.kickOutbox();
  deps.logger.info(
    { event: 'acquisition_requested', taskId, receivers: receivers.length, samples: samplesPerReceiver(request) },
    'acquisition queued',
  );
  return { taskId };
}
