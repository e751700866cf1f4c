import { StorageError, type StorageErrorCode } from '../errors';

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);
const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequests',
]);
const BY_NAME: Record<string, StorageErrorCode> = {
  NoSuchKey: 'NotFound',
  NotFound: 'NotFound',
  NoSuchUpload: 'NotFound',
  NoSuchBucket: 'BucketNotFound',
  AccessDenied: 'AccessDenied',
  Forbidden: 'AccessDenied',
  SignatureDoesNotMatch: 'AccessDenied',
  InvalidAccessKeyId: 'AccessDenied',
  InvalidRange: 'InvalidRange',
  InvalidArgument: 'InvalidArgument',
  InvalidBucketName: 'InvalidArgument',
  NotImplemented: 'Unsupported',
  TimeoutError: 'Timeout',
  RequestTimeout: 'Timeout',
  RequestTimeTooSkewed: 'Unavailable',
};

/** Turns whatever the SDK (or the socket under it) threw into a StorageError that keeps it as `cause`. */
export function toStorageError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const code = classify(e);
  const detail = e.name && e.name !== 'Error' ? e.name : (networkCode(e) ?? 'error');
  return new StorageError(code, `${what} failed: ${detail}`, { cause: err });
}

function classify(e: SdkErrorShape): StorageErrorCode {
  const name = e.name ?? e.Code ?? '';
  if (name === 'AbortError') return 'Aborted';
  const byName = BY_NAME[name];
  if (byName) return byName;
  if (THROTTLING.has(name) || e.$retryable?.throttling) return 'Throttled';
  if (networkCode(e)) return 'Unavailable';
  const status = e.$metadata?.httpStatusCode;
  if (status === 404) return 'NotFound';
  if (status === 403 || status === 401) return 'AccessDenied';
  if (status === 429) return 'Throttled';
  if (status === 501) return 'Unsupported';
  if (status !== undefined && status >= 500) return 'Unavailable';
  return 'Internal';
}

const NETWORK_IN_MESSAGE = new RegExp(`\\b(${[...NETWORK_CODES].join('|')})\\b`);

function networkCode(e: SdkErrorShape): string | undefined {
  for (let cur: SdkErrorShape | undefined = e, depth = 0; cur && depth < 4; depth++) {
    if (cur.code && NETWORK_CODES.has(cur.code)) return cur.code;
    // The SDK re-wraps errors from another realm (e.g. a vm context) as a bare message:
    // "AWS SDK error wrapper for Error: connect ECONNREFUSED …".
    const inMessage = cur.message && NETWORK_IN_MESSAGE.exec(cur.message)?.[1];
    if (inMessage) return inMessage;
    cur = cur.cause as SdkErrorShape | undefined;
  }
  return undefined;
}

/** For alerts: the SDK's own message adds the useful detail ("The specified bucket does not exist"). */
export function causeMessage(err: StorageError): string {
  const cause = err.cause as { message?: string } | undefined;
  return cause?.message ? `${err.message}: ${cause.message}` : err.message;
}

/** The S3 error name behind a StorageError (e.g. `BucketAlreadyOwnedByYou`), for the few cases that care. */
export function sdkErrorName(err: unknown): string | undefined {
  const source = err instanceof StorageError ? err.cause : err;
  return (source as SdkErrorShape | undefined)?.name;
}
