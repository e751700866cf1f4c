export type DeadLetterErrorCode =
  | 'not_found'
  | 'already_handled'
  | 'not_replayable'
  | 'invalid_payload'
  | 'job_not_failed';

/** Why an operator's action on a dead letter was refused; the CLI prints it, the API maps it to 404/409. */
export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';
  constructor(
    readonly code: DeadLetterErrorCode,
    message: string,
  ) {
    super(message);
  }
}
