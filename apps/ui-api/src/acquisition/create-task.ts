import { listEnabledReceivers, type ReceiverSummary } from '@pulse/acquisitions';
import { enqueueOutbox } from '@pulse/db';
import type { AppDeps } from '../deps';
import type { AuthUser } from '../http/context';
import { errors } from '../http/errors';
import { ACQUISITION_LIMITS, type AcquireRequest, samplesPerReceiver } from './request';

/** The request must be something the receiver can do: its tuning range, and its rate where it takes ours. */
function checkFits(r: ReceiverSummary, request: AcquireRequest): void {
  if (request.frequencyHz < r.minFrequencyHz || request.frequencyHz > r.maxFrequencyHz) {
    throw errors.badRequest(
      'frequency_out_of_range',
      `receiver "${r.id}" tunes ${r.minFrequencyHz} … ${r.maxFrequencyHz} Hz, not ${request.frequencyHz} Hz`,
    );
  }
  // A KiwiSDR streams at its own rate whatever is asked (the metadata says which); the others take ours.
  if (r.kind !== 'kiwisdr' && request.sampleRate > r.maxSampleRate) {
    throw errors.badRequest(
      'sample_rate_unsupported',
      `receiver "${r.id}" samples at most ${r.maxSampleRate} S/s, not ${request.sampleRate}`,
    );
  }
}

/**
 * Writes the task and its `acquisition.requested` outbox event in one transaction: the worker hears
 * of the task only if it exists, and a NATS outage delays the acquisition instead of losing it.
 */
export async function createAcquisition(
  deps: Pick<AppDeps, 'db' | 'config' | 'logger' | 'kickOutbox'>,
  user: Pick<AuthUser, 'id'>,
  request: AcquireRequest,
): Promise<{ taskId: string }> {
  const enabled = new Map((await listEnabledReceivers(deps.db)).map((r) => [r.id, r]));
  const receivers = request.receivers ?? [...enabled.keys()];
  if (receivers.length === 0) throw errors.badRequest('no_receivers', 'no receiver is enabled; ask an administrator');
  for (const id of receivers) {
    const receiver = enabled.get(id);
    if (!receiver) {
      throw errors.badRequest(
        'unknown_receiver',
        `unknown receiver "${id}"; enabled: ${[...enabled.keys()].join(', ')}`,
      );
    }
    checkFits(receiver, request);
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
