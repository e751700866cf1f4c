import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Config } from '@pulse/config';
import type { Logger } from '@pulse/logger';
import { abortedError, isStorageError, StorageError } from '../errors';
import { clampExpiry } from '../expiry';
import { elapsedMs, type Observer } from '../observe';
import { assertPulseKey } from '../prefixes';
import type {
  DeleteManyResult,
  HealthResult,
  ObjectInfo,
  PresignedUrl,
  PresignGetOptions,
  PresignPutOptions,
  PutOptions,
  PutResult,
  Storage,
} from '../types';
import { type LocalPaths, localPaths } from './paths';
import { parseByteRange } from './range';
import { LOCAL_STORAGE_ROUTE, type LocalSignedRequest, signLocalRequest } from './signing';

interface StoredMeta {
  contentType: string;
  contentDisposition?: string;
  metadata?: Record<string, string>;
  sha256: string;
}

export interface LocalStorageDeps {
  config: S3Config;
  logger: Logger;
  observer: Observer;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * The same Storage interface on a directory, for development and single-machine installs. Downloads
 * and uploads go through HMAC-signed, expiring ui-api URLs instead of S3 presigns.
 */
export function createLocalStorage({ config, logger, observer }: LocalStorageDeps): Storage {
  const paths = localPaths(config.localDir);
  const log = logger.child({ backend: 'local' });

  async function head(bucket: string, key: string): Promise<ObjectInfo | null> {
    const file = paths.object(bucket, key);
    try {
      const [st, meta] = await Promise.all([stat(file), readMeta(paths, bucket, key)]);
      if (!st.isFile()) return null;
      return {
        key,
        size: st.size,
        etag: meta ? `"${meta.sha256}"` : undefined,
        lastModified: st.mtime,
        contentType: meta?.contentType,
        metadata: meta?.metadata,
      };
    } catch (err) {
      if (isMissing(err)) return null;
      throw new StorageError('Unavailable', 'local head failed', { cause: err });
    }
  }

  async function put(bucket: string, key: string, body: Buffer | Readable, options: PutOptions): Promise<PutResult> {
    const target = paths.object(bucket, key);
    const started = performance.now();
    log.info(
      { event: 's3_upload_start', bucket, size: Buffer.isBuffer(body) ? body.length : options.contentLength },
      'upload',
    );
    try {
      const result = await observer.timed('put', () => writeObject(paths, { bucket, key, target, body, options }));
      log.info({ event: 's3_upload_ok', bucket, size: result.size, durationMs: elapsedMs(started) }, 'uploaded');
      return result;
    } catch (err) {
      const e = options.signal?.aborted
        ? abortedError(options.signal)
        : isStorageError(err)
          ? err
          : new StorageError('Unavailable', 'local write failed', { cause: err });
      log.error({ event: 's3_upload_error', bucket, code: e.code, durationMs: elapsedMs(started) }, 'upload failed');
      throw e;
    }
  }

  async function remove(bucket: string, key: string): Promise<void> {
    const started = performance.now();
    assertPulseKey(key);
    const file = paths.object(bucket, key);
    try {
      await Promise.all([rm(file, { force: true }), rm(paths.meta(bucket, key), { force: true })]);
      log.info({ event: 's3_delete_ok', bucket, count: 1, durationMs: elapsedMs(started) }, 'deleted');
    } catch (err) {
      log.error({ event: 's3_delete_error', bucket, count: 1, code: 'Unavailable' }, 'delete failed');
      throw new StorageError('Unavailable', 'local delete failed', { cause: err });
    }
  }

  function presign(req: Omit<LocalSignedRequest, 'exp' | 'sig'>, requested: number | undefined): PresignedUrl {
    const expiresIn = clampExpiry(requested, config.presignExpirySec);
    const expiresAt = new Date(Date.now() + expiresIn * 1000);
    const signed = { ...req, exp: Math.floor(expiresAt.getTime() / 1000) };
    const url = new URL(
      `${LOCAL_STORAGE_ROUTE}/${encodeURIComponent(req.bucket)}/${req.key.split('/').map(encodeURIComponent).join('/')}`,
      config.localPublicUrl,
    );
    const { exp, filename, disposition, contentType, contentLength } = signed;
    for (const [name, value] of Object.entries({ exp, filename, disposition, contentType, contentLength })) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    url.searchParams.set('sig', signLocalRequest(config, signed));
    log.info({ event: 's3_presign_ok', bucket: req.bucket, method: req.method, expiresIn }, 'presigned');
    return { url: url.toString(), expiresIn, expiresAt };
  }

  return {
    backend: 'local',
    put,
    head,
    async exists(bucket, key) {
      return (await head(bucket, key)) !== null;
    },
    async get(bucket, key, options = {}) {
      const info = await head(bucket, key);
      if (!info) throw new StorageError('NotFound', 'object not found');
      const range = options.range ? parseByteRange(options.range, info.size) : undefined;
      const body = createReadStream(paths.object(bucket, key), { ...range, signal: options.signal });
      return { body, info: range ? { ...info, size: range.end - range.start + 1 } : info };
    },
    async presignGet(bucket, key, options: PresignGetOptions = {}) {
      paths.object(bucket, key); // validates bucket and key
      const disposition = options.filename || options.disposition ? (options.disposition ?? 'attachment') : undefined;
      return presign(
        { method: 'GET', bucket, key, filename: options.filename, disposition, contentType: options.contentType },
        options.expiresIn,
      );
    },
    async presignPut(bucket, key, options: PresignPutOptions) {
      paths.object(bucket, key); // validates bucket and key
      const presigned = presign(
        { method: 'PUT', bucket, key, contentType: options.contentType, contentLength: options.contentLength },
        options.expiresIn,
      );
      return { ...presigned, headers: { 'content-type': options.contentType } };
    },
    async copy(bucket, fromKey, toKey) {
      const info = await head(bucket, fromKey);
      if (!info) throw new StorageError('NotFound', 'copy source not found');
      const meta = await readMeta(paths, bucket, fromKey);
      // Writes replace files by rename, so this stream reads one whole version of the source.
      await put(bucket, toKey, createReadStream(paths.object(bucket, fromKey)), {
        contentType: info.contentType ?? 'application/octet-stream',
        contentLength: info.size,
        contentDisposition: meta?.contentDisposition,
        metadata: meta?.metadata,
      });
      const copied = await head(bucket, toKey);
      if (!copied) throw new StorageError('NotFound', 'copy failed: the copied object is not there');
      return copied;
    },
    delete: remove,
    async deleteQuietly(bucket, key) {
      try {
        await remove(bucket, key);
        return 'DELETED';
      } catch {
        return 'ERROR';
      }
    },
    async deleteMany(bucket, keys) {
      const result: DeleteManyResult = { deleted: [], errors: [], unknown: [] };
      for (const key of keys) {
        try {
          await remove(bucket, key);
          result.deleted.push(key);
        } catch (err) {
          const code = isStorageError(err) ? err.code : 'Unavailable';
          result.errors.push({ key, code, message: isStorageError(err) ? err.message : 'delete failed' });
        }
      }
      return result;
    },
    list: (bucket, prefix = '', options = {}) => listFiles(paths, bucket, prefix, options.signal),
    // Local writes are atomic renames: there are never incomplete multipart uploads to find or abort.
    listMultipartUploads: async function* () {},
    abortMultipartUpload: async () => {},
    async ensureBucket(bucket) {
      await mkdir(paths.bucketDir(bucket), { recursive: true });
    },
    async putLifecycle(bucket) {
      log.warn({ event: 's3_lifecycle_unsupported', bucket }, 'local storage has no lifecycle rules');
      return { applied: false, unsupported: true };
    },
    getLifecycle: async () => null,
    // Local URLs point at the API's own origin: browsers need no CORS for them.
    browserOrigin: () => null,
    allowBrowserOrigins: async () => ({ applied: false, unsupported: true }),
    health: (buckets) => checkLocalHealth(paths, buckets ?? Object.values(config.buckets)),
    close: () => {},
  };
}

interface WriteRequest {
  bucket: string;
  key: string;
  target: string;
  body: Buffer | Readable;
  options: PutOptions;
}

/** Temp file + rename: readers see the old object or the new one, never half of one. */
async function writeObject(paths: LocalPaths, req: WriteRequest): Promise<PutResult> {
  const { body, options } = req;
  if (options.signal?.aborted) throw abortedError(options.signal);
  await mkdir(paths.tmpDir, { recursive: true });
  const tmp = path.join(paths.tmpDir, randomUUID());
  const hash = createHash('sha256');
  let size = 0;
  try {
    if (Buffer.isBuffer(body)) {
      hash.update(body);
      size = body.length;
      await writeFile(tmp, body, { signal: options.signal });
      options.onProgress?.(size);
    } else {
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          options.onProgress?.(size);
          done(null, chunk);
        },
      });
      await pipeline(body, meter, createWriteStream(tmp), { signal: options.signal });
    }
    const sha256 = hash.digest('hex');
    const meta: StoredMeta = {
      contentType: options.contentType,
      contentDisposition: options.contentDisposition,
      metadata: options.metadata,
      sha256,
    };
    // Metadata first: if we crash between the two renames, head() finds no object, not an object
    // with someone else's headers.
    await atomicWrite(paths, paths.meta(req.bucket, req.key), JSON.stringify(meta));
    await mkdir(path.dirname(req.target), { recursive: true });
    await rename(tmp, req.target);
    return { etag: `"${sha256}"`, size, sha256 };
  } finally {
    await rm(tmp, { force: true });
  }
}

async function atomicWrite(paths: LocalPaths, file: string, data: string): Promise<void> {
  const tmp = path.join(paths.tmpDir, randomUUID());
  await writeFile(tmp, data);
  await mkdir(path.dirname(file), { recursive: true });
  await rename(tmp, file);
}

async function readMeta(paths: LocalPaths, bucket: string, key: string): Promise<StoredMeta | null> {
  try {
    return JSON.parse(await readFile(paths.meta(bucket, key), 'utf8')) as StoredMeta;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Walks only the directory the prefix points into; one directory listing in memory at a time. */
async function* listFiles(
  paths: LocalPaths,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): AsyncIterable<ObjectInfo> {
  const root = paths.bucketDir(bucket);
  const startDir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
  async function* walk(relDir: string): AsyncIterable<ObjectInfo> {
    if (signal?.aborted) throw abortedError(signal);
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(root, relDir), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${rel}/`) || `${rel}/`.startsWith(prefix)) yield* walk(rel);
      } else if (entry.isFile() && rel.startsWith(prefix)) {
        const st = await stat(path.join(root, rel));
        yield { key: rel, size: st.size, lastModified: st.mtime };
      }
    }
  }
  if (startDir.split('/').includes('..')) throw new StorageError('InvalidKey', 'prefix escapes the bucket');
  yield* walk(startDir);
}

async function checkLocalHealth(paths: LocalPaths, buckets: string[]): Promise<HealthResult> {
  const started = performance.now();
  const problems: string[] = [];
  try {
    await mkdir(paths.tmpDir, { recursive: true });
    const probe = path.join(paths.tmpDir, `health-${randomUUID()}`);
    await writeFile(probe, 'ok');
    await rm(probe);
  } catch {
    problems.push('storage directory is not writable');
  }
  const entries = await Promise.all(
    buckets.map(async (bucket) => {
      const ok = await isAccessible(() => paths.bucketDir(bucket));
      if (!ok) problems.push(`${bucket}: missing`);
      return [bucket, ok] as const;
    }),
  );
  return {
    ok: problems.length === 0,
    backend: 'local',
    latencyMs: elapsedMs(started),
    buckets: Object.fromEntries(entries),
    ...(problems.length ? { error: problems.join('; ') } : {}),
  };
}

async function isAccessible(dir: () => string): Promise<boolean> {
  try {
    await access(dir());
    return true;
  } catch {
    return false;
  }
}
