import path from 'node:path';
import { StorageError } from '../errors';
import { assertValidBucket, assertValidKey } from '../keys';

/**
 * Layout under the root: `{bucket}/{key}` holds the bytes, `.meta/{bucket}/{key}.json` the object's
 * headers, `.tmp/` files being written. Bucket names can't start with a dot, so nothing collides.
 */
export interface LocalPaths {
  root: string;
  tmpDir: string;
  bucketDir(bucket: string): string;
  object(bucket: string, key: string): string;
  meta(bucket: string, key: string): string;
}

export function localPaths(rootDir: string): LocalPaths {
  const root = path.resolve(rootDir);
  const inside = (base: string, key: string, suffix = '') => {
    assertValidKey(key);
    const full = path.resolve(base, ...key.split('/')) + suffix;
    // assertValidKey already refuses `..`; this is the last line of defence for whatever it missed.
    if (!full.startsWith(base + path.sep)) throw new StorageError('InvalidKey', 'object key escapes the storage root');
    return full;
  };
  const bucketDir = (bucket: string) => {
    assertValidBucket(bucket);
    return path.join(root, bucket);
  };
  return {
    root,
    tmpDir: path.join(root, '.tmp'),
    bucketDir,
    object: (bucket, key) => inside(bucketDir(bucket), key),
    meta: (bucket, key) => {
      assertValidBucket(bucket);
      return inside(path.join(root, '.meta', bucket), key, '.json');
    },
  };
}
