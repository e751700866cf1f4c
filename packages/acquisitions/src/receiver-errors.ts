/** Why a registry change was refused; the API maps `code` to its status (400, 404, 409). */
export type ReceiverErrorCode = 'invalid_receiver' | 'receiver_not_found' | 'duplicate_receiver' | 'duplicate_address';

export class ReceiverError extends Error {
  constructor(
    readonly code: ReceiverErrorCode,
    message: string,
    /** For `invalid_receiver`: the failing fields, as `{path, message}`. */
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ReceiverError';
  }
}

export const isReceiverError = (err: unknown): err is ReceiverError => err instanceof ReceiverError;
