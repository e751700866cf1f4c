import { StorageError } from './errors';

const MAX_KEY_BYTES = 1024; // the S3 limit

/**
 * Object keys here are always built by our own code (object-keys.ts), so anything
 * that looks like a path trick is a bug or an attack: refused the same way on both backends.
 */
export function assertValidKey(key: string): void {
  if (!key) throw new StorageError('InvalidKey', 'object key is empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new StorageError('InvalidKey', 'object key is too long');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw new StorageError('InvalidKey', 'object key has forbidden characters');
  if (key.startsWith('/')) throw new StorageError('InvalidKey', 'object key must be relative');
  if (key.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')) {
    throw new StorageError('InvalidKey', 'object key has an empty, "." or ".." segment');
  }
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function assertValidBucket(bucket: string): void {
  if (!BUCKET.test(bucket)) throw new StorageError('InvalidArgument', 'bucket name is not a valid S3 bucket name');
}
