/** A payload that doesn't match its subject's schema (or an unknown subject): a caller bug, never retried. */
export class InvalidPayloadError extends Error {
  readonly code = 'invalid_payload';
  /** Retrying the same payload cannot succeed (the outbox relay backs off instead of retrying each pass). */
  readonly permanent = true;
  constructor(
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`invalid payload for ${subject}: ${reason}`);
    this.name = 'InvalidPayloadError';
  }
}
