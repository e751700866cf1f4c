import { InvalidPayloadError } from './errors';
import { type Payload, SUBJECTS, type Subject } from './subjects';

export function isSubject(subject: string): subject is Subject {
  return Object.hasOwn(SUBJECTS, subject);
}

/** The schema's output (unknown keys stripped), or InvalidPayloadError naming the first problems. */
export function validatePayload<S extends Subject>(subject: S, payload: unknown): Payload<S> {
  if (!isSubject(subject)) throw new InvalidPayloadError(subject, 'unknown subject');
  const parsed = SUBJECTS[subject].safeParse(payload);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new InvalidPayloadError(subject, reason);
  }
  return parsed.data as Payload<S>;
}
