import { InvalidPayloadError, isSubject } from '@pulse/messages';
import type { Bus, PublishOptions } from './types';

export type DynamicPublish = (
  subject: string,
  payload: unknown,
  options?: PublishOptions,
) => Promise<{ duplicate: boolean; seq: number }>;

/**
 * `bus.publish` for callers that hold the subject as data, such as the outbox relay reading rows
 * (`startOutboxRelay({ publish: dynamicPublisher(bus) })`). Checked at run time exactly like `publish`:
 * an unknown subject or a payload that fails its schema throws InvalidPayloadError.
 */
export function dynamicPublisher(bus: Pick<Bus, 'publish'>): DynamicPublish {
  return (subject, payload, options) => {
    if (!isSubject(subject)) return Promise.reject(new InvalidPayloadError(subject, 'unknown subject'));
    // The payload's type follows from the subject only at run time; publish validates it there.
    return bus.publish(subject, payload as never, options);
  };
}
