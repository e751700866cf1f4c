// One table of storage failures: each code has its HTTP status and whether trying again can help,
// so callers map a StorageError to a response (or a job retry) without knowing which backend failed.
export const STORAGE_ERRORS = {
  NotFound: { httpStatus: 404, retryable: false },
  BucketNotFound: { httpStatus: 404, retryable: false },
  AccessDenied: { httpStatus: 403, retryable: false },
  InvalidKey: { httpStatus: 400, retryable: false },
  InvalidRange: { httpStatus: 416, retryable: false },
  InvalidArgument: { httpStatus: 400, retryable: false },
  Unsupported: { httpStatus: 501, retryable: false },
  Aborted: { httpStatus: 499, retryable: false },
  Timeout: { httpStatus: 504, retryable: true },
  Throttled: { httpStatus: 503, retryable: true },
  Unavailable: { httpStatus: 503, retryable: true },
  Internal: { httpStatus: 500, retryable: false },
} as const satisfies Record<string, { httpStatus: number; retryable: boolean }>;

export type StorageErrorCode = keyof typeof STORAGE_ERRORS;

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly httpStatus: number;
  readonly retryable: boolean;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.httpStatus = STORAGE_ERRORS[code].httpStatus;
    this.retryable = STORAGE_ERRORS[code].retryable;
  }
}

export const isStorageError = (err: unknown, code?: StorageErrorCode): err is StorageError =>
  err instanceof StorageError && (code === undefined || err.code === code);

export function isAbortError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'AbortError' || isStorageError(err, 'Aborted');
}

export function abortedError(signal?: AbortSignal): StorageError {
  return new StorageError('Aborted', 'operation aborted', { cause: signal?.reason });
}
