import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, type S3Config, s3Config } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { LogCapture } from '@pulse/testing';
import { createStorage, isStorageError, LOCAL_STORAGE_ROUTE, type Storage, verifyLocalSignature } from '../src/index';

let dir: string;
let config: S3Config;
let storage: Storage;
const logs = new LogCapture();
const bucket = 'pulse-exports';

/** What ui-api's local-storage route receives: path params plus the query string. */
function requestFrom(url: string, method: 'GET' | 'PUT') {
  const u = new URL(url);
  const [, encodedBucket, ...rest] = u.pathname.slice(LOCAL_STORAGE_ROUTE.length).split('/');
  return {
    method,
    bucket: decodeURIComponent(encodedBucket!),
    key: rest.map(decodeURIComponent).join('/'),
    ...Object.fromEntries(u.searchParams),
  } as Parameters<typeof verifyLocalSignature>[1];
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pulse-local-storage-'));
  config = loadConfig(
    { s3: s3Config },
    {
      STORAGE_BACKEND: 'local',
      LOCAL_STORAGE_DIR: dir,
      LOCAL_STORAGE_SIGNING_KEY: 'local-test-signing-key-0123456789',
      LOCAL_STORAGE_PUBLIC_URL: 'http://127.0.0.1:8080',
    },
  ).s3;
  storage = createStorage({ config, logger: createLogger({ name: 'local-test', destination: logs }) });
  await storage.ensureBucket(bucket);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('local storage backend', () => {
  it('round-trips buffers and streams with metadata, sha256 and ranges', async () => {
    expect(storage.backend).toBe('local');
    const put = await storage.put(bucket, 'exports/e-1.csv', Buffer.from('id,value\n1,2\n'), {
      contentType: 'text/csv',
      metadata: { exportid: 'e-1' },
    });
    expect(put.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await storage.head(bucket, 'exports/e-1.csv')).toMatchObject({
      size: 13,
      contentType: 'text/csv',
      metadata: { exportid: 'e-1' },
      etag: put.etag,
    });
    const got = await storage.get(bucket, 'exports/e-1.csv', { range: 'bytes=3-7' });
    expect(Buffer.concat(await got.body.toArray()).toString()).toBe('value');

    const streamed = await storage.put(bucket, 'exports/e-2.ndjson', Readable.from([Buffer.from('{"a":1}\n')]), {
      contentType: 'application/x-ndjson',
    });
    expect(streamed.size).toBe(8);
    const keys: string[] = [];
    for await (const o of storage.list(bucket, 'exports/')) keys.push(o.key);
    expect(keys).toEqual(['exports/e-1.csv', 'exports/e-2.ndjson']);
    // Atomic writes leave no temp files behind.
    expect(await readdir(path.join(dir, '.tmp'))).toEqual([]);
  });

  it('copies within a bucket; a later write to the source leaves the copy alone', async () => {
    await storage.put(bucket, 'uploads/a/f.csv', Buffer.from('v1'), { contentType: 'text/csv' });
    expect(await storage.copy(bucket, 'uploads/a/f.csv', 'artifacts/a/f.csv')).toMatchObject({
      size: 2,
      contentType: 'text/csv',
    });
    await storage.put(bucket, 'uploads/a/f.csv', Buffer.from('v2'), { contentType: 'text/csv' });
    const kept = await storage.get(bucket, 'artifacts/a/f.csv');
    expect(Buffer.concat(await kept.body.toArray()).toString()).toBe('v1');
  });

  it('refuses traversal and absolute keys', async () => {
    for (const key of ['../escape.txt', 'a/../../escape.txt', '/etc/passwd', 'a\\..\\b', '']) {
      const err = await storage
        .put(bucket, key, Buffer.from('x'), { contentType: 'text/plain' })
        .catch((e: unknown) => e);
      expect(isStorageError(err, 'InvalidKey')).toBe(true);
    }
    const err = await storage
      .put('../up', 'a.txt', Buffer.from('x'), { contentType: 'text/plain' })
      .catch((e: unknown) => e);
    expect(isStorageError(err, 'InvalidArgument')).toBe(true);
    expect((await readdir(path.dirname(dir))).filter((n) => n === 'escape.txt')).toEqual([]);
  });

  it('deletes, quietly and in bulk', async () => {
    await storage.put(bucket, 'artifacts/x.txt', Buffer.from('x'), { contentType: 'text/plain' });
    expect(await storage.deleteQuietly(bucket, 'artifacts/x.txt')).toBe('DELETED');
    expect(await storage.exists(bucket, 'artifacts/x.txt')).toBe(false);
    // Outside Pulse's prefixes nothing is deleted, as on S3.
    await storage.put(bucket, 'tmp/x.txt', Buffer.from('x'), { contentType: 'text/plain' });
    const res = await storage.deleteMany(bucket, ['exports/e-2.ndjson', '../bad', 'tmp/x.txt']);
    expect(res.deleted).toEqual(['exports/e-2.ndjson']);
    expect(res.errors.map((e) => e.code)).toEqual(['InvalidKey', 'InvalidKey']);
    expect(await storage.exists(bucket, 'tmp/x.txt')).toBe(true);
  });

  it('signs download URLs that verify, and rejects tampered or expired ones', async () => {
    const { url, expiresIn } = await storage.presignGet(bucket, 'exports/e-1.csv', {
      filename: 'Ünïcødé 東京.csv',
      expiresIn: 60,
    });
    expect(url.startsWith(`http://127.0.0.1:8080${LOCAL_STORAGE_ROUTE}/${bucket}/exports/e-1.csv?`)).toBe(true);
    expect(expiresIn).toBe(60);
    const req = requestFrom(url, 'GET');
    expect(req.filename).toBe('Ünïcødé 東京.csv');
    expect(verifyLocalSignature(config, req)).toEqual({ ok: true });

    expect(verifyLocalSignature(config, { ...req, key: 'exports/other.csv' })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(verifyLocalSignature(config, { ...req, filename: 'evil.html' })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyLocalSignature(config, { ...req, method: 'PUT' })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyLocalSignature(config, { ...req, exp: Number(req.exp) + 3600 })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(verifyLocalSignature(config, { ...req, sig: `${req.sig}x` })).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyLocalSignature({ localSigningKey: 'another-key-0123456789' }, req)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const later = new Date(Date.now() + 61_000);
    expect(verifyLocalSignature(config, req, later)).toEqual({ ok: false, reason: 'expired' });
  });

  it('signs upload URLs bound to content type and length', async () => {
    const { url, headers } = await storage.presignPut(bucket, 'artifacts/a/f.bin', {
      contentType: 'application/pdf',
      contentLength: 10,
    });
    expect(headers).toEqual({ 'content-type': 'application/pdf' });
    const req = requestFrom(url, 'PUT');
    expect(verifyLocalSignature(config, req)).toEqual({ ok: true });
    expect(verifyLocalSignature(config, { ...req, contentType: 'text/html' })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(verifyLocalSignature(config, { ...req, contentLength: '11' })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('reports health and that lifecycle rules are unsupported', async () => {
    expect(await storage.health([bucket])).toMatchObject({ ok: true, backend: 'local', buckets: { [bucket]: true } });
    expect(await storage.health(['pulse-missing'])).toMatchObject({ ok: false, buckets: { 'pulse-missing': false } });
    expect(await storage.putLifecycle(bucket, [{ id: 'r', prefix: 'exports/', expirationDays: 1 }])).toEqual({
      applied: false,
      unsupported: true,
    });
    expect(logs.text).not.toContain('exports/e-1.csv');
    expect(logs.text).not.toMatch(/sig=/);
  });
});
