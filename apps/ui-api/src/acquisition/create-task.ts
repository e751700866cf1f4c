import { createTask, listEnabledReceivers, type ReceiverSummary } from '@pulse/acquisitions';
import { fileUsage } from '@pulse/files';
import type { AppDeps } from '../deps';
import type { AuthUser } from '../http/context';
import { errors } from '../http/errors';
import { ACQUISITION_LIMITS, type AcquireRequest, samplesPerReceiver } from './request';

/** complex64 (.npy `<c8`): what one receiver's sample takes in storage. */
const IQ_BYTES_PER_SAMPLE = 8;

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
 * Checks the request against the enabled receivers, then has @pulse/acquisitions write the task with
 * its outbox event (one transaction, capped per user).
 */
export async function createAcquisition(
  deps: Pick<AppDeps, 'db' | 'config' | 'logger' | 'kickOutbox' | 'now'>,
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

  // Sequential acquisitions are not limited by the in-progress cap: the raw IQ a user keeps is.
  const quota = deps.config.app.quotas.acquisitionBytes;
  const estimate = samplesPerReceiver(request) * receivers.length * IQ_BYTES_PER_SAMPLE;
  const stored = await fileUsage(deps.db.prisma, { ownerId: user.id, kind: 'acquisition', now: deps.now() });
  if (stored.bytes + estimate > quota) {
    throw errors.quotaExceeded(
      `your acquisitions keep ${stored.bytes} bytes of raw IQ and this one needs about ${estimate}; ` +
        `the limit is ${quota} bytes: delete older acquisitions or wait for their retention to end`,
    );
  }

  const created = await createTask(
    deps.db,
    {
      userId: user.id,
      frequencyHz: request.frequencyHz,
      durationMs: request.durationMs,
      sampleRate: request.sampleRate,
      receivers,
    },
    { maxActive: ACQUISITION_LIMITS.maxActivePerUser },
  );
  if (!created.created) {
    throw errors.tooManyRequests(`you already have ${created.active} acquisitions in progress; wait for one to finish`);
  }
  const { taskId } = created;
  deps.kickOutbox();
  deps.logger.info(
    { event: 'acquisition_requested', taskId, receivers: receivers.length, samples: samplesPerReceiver(request) },
    'acquisition queued',
  );
  return { taskId };
}
