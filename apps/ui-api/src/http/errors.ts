/**
 * Every failure the API reports, in one table: code, HTTP status and a message a user can read.
 * Handlers throw `errors.x(...)`; the error middleware turns it into `{error: {code, message}}`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export const errors = {
  validation: (message: string, details?: unknown) => new HttpError(400, 'validation_error', message, details),
  badRequest: (code: string, message: string) => new HttpError(400, code, message),
  unauthorized: (message = 'sign in first') => new HttpError(401, 'unauthorized', message),
  forbidden: (code: string, message: string) => new HttpError(403, code, message),
  /** Also for someone else's resource: existence is not disclosed. */
  notFound: (what = 'resource') => new HttpError(404, 'not_found', `${what} not found`),
  conflict: (code: string, message: string) => new HttpError(409, code, message),
  gone: (code: string, message: string) => new HttpError(410, code, message),
  payloadTooLarge: (message: string) => new HttpError(413, 'payload_too_large', message),
  unsupportedMediaType: (message: string) => new HttpError(415, 'unsupported_media_type', message),
  /** A per-user quota (settings in @pulse/config quotaSettings) would be exceeded. */
  quotaExceeded: (message: string) => new HttpError(429, 'quota_exceeded', message),
  tooManyRequests: (message: string, retryAfterSec?: number) =>
    new HttpError(429, 'rate_limited', message, retryAfterSec ? { retryAfterSec } : undefined),
  unavailable: (code: string, message: string, cause?: unknown) =>
    new HttpError(503, code, message, undefined, { cause }),
  internal: (cause?: unknown) =>
    new HttpError(500, 'internal_error', 'something went wrong on our side', undefined, { cause }),
};
