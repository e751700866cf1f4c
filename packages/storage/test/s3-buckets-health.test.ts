import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isStorageError } from '../src/index';
import { makeStorage, rawClient, removeBucket, testBucket } from './support';

const { storage, config } = makeStorage();
const bucket = testBucket('lc');

beforeAll(() => storage.ensureBucket(bucket));
afterAll(async () => {
  await removeBucket(storage, config, bucket);
  storage.close();
});

describe('s3 buckets and lifecycle', () => {
  it('ensureBucket is idempotent', async () => {
    await expect(storage.ensureBucket(bucket)).resolves.toBeUndefined();
    const err = await storage.ensureBucket('Not_A_Bucket').catch((e: unknown) => e);
    expect(isStorageError(err, 'InvalidArgument')).toBe(true);
  });

  it('puts lifecycle rules once: the second identical put changes nothing', async () => {
    expect(await storage.getLifecycle(bucket)).toBeNull();
    const rules = [
      { id: 'pulse-expire-exports', prefix: 'exports/', expirationDays: 7, abortIncompleteMultipartDays: 1 },
      { id: 'pulse-expire-sessions', prefix: 'sessions/', expirationDays: 30 },
    ];
    expect(await storage.putLifecycle(bucket, rules)).toEqual({ applied: true, changed: true });
    expect(await storage.putLifecycle(bucket, rules)).toEqual({ applied: true, changed: false });
    const got = await storage.getLifecycle(bucket);
    expect(got?.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'pulse-expire-exports', prefix: 'exports/', expirationDays: 7, abortIncompleteMultipartDays: 1 },
      { id: 'pulse-expire-sessions', prefix: 'sessions/', expirationDays: 30, abortIncompleteMultipartDays: undefined },
    ]);
    const changed = [{ ...rules[0]!, expirationDays: 14 }];
    expect(await storage.putLifecycle(bucket, changed)).toEqual({ applied: true, changed: true });
    expect((await storage.getLifecycle(bucket))?.map((r) => r.expirationDays)).toEqual([14]);
  });

  it("keeps lifecycle rules Pulse did not write (a shared bucket's own), and refuses ids outside pulse-", async () => {
    const raw = rawClient(config);
    const foreign = {
      ID: 'owner-archive',
      Status: 'Enabled' as const,
      Filter: { Prefix: 'archive/' },
      Expiration: { Days: 365 },
    };
    const current = await storage.getLifecycle(bucket);
    await raw.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            foreign,
            ...(current ?? []).map((r) => ({
              ID: r.id,
              Status: 'Enabled' as const,
              Filter: { Prefix: r.prefix },
              Expiration: { Days: r.expirationDays },
            })),
          ],
        },
      }),
    );
    const ours = [{ id: 'pulse-expire-reports', prefix: 'reports/', expirationDays: 3 }];
    expect(await storage.putLifecycle(bucket, ours)).toEqual({ applied: true, changed: true });
    const ids = (await storage.getLifecycle(bucket))?.map((r) => r.id).sort();
    expect(ids).toEqual(['owner-archive', 'pulse-expire-reports']);
    // Removing all of Pulse's rules still leaves the owner's.
    expect(await storage.putLifecycle(bucket, [])).toEqual({ applied: true, changed: true });
    expect((await storage.getLifecycle(bucket))?.map((r) => r.id)).toEqual(['owner-archive']);
    await expect(
      storage.putLifecycle(bucket, [{ id: 'owner-archive', prefix: 'archive/', expirationDays: 1 }]),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    raw.destroy();
  });
});

describe('s3 health', () => {
  it('is ok with latency and per-bucket results', async () => {
    const h = await storage.health([bucket]);
    expect(h).toMatchObject({ ok: true, backend: 's3', buckets: { [bucket]: true } });
    expect(h.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('names a missing bucket', async () => {
    const missing = testBucket('nope');
    const h = await storage.health([bucket, missing]);
    expect(h).toMatchObject({ ok: false, buckets: { [bucket]: true, [missing]: false } });
    expect(h.error).toContain(missing);
  });

  it('answers ok:false without throwing when the server is unreachable', async () => {
    const { storage: down } = makeStorage({ S3_ENDPOINT: 'http://127.0.0.1:1', S3_HEALTH_TIMEOUT_MS: '1000' });
    try {
      const h = await down.health([bucket]);
      expect(h).toMatchObject({ ok: false, backend: 's3', buckets: { [bucket]: false } });
      expect(h.error).toMatch(/Unavailable|Timeout/);
    } finally {
      down.close();
    }
  }, 10_000);
});

describe('alerts', () => {
  const received: Record<string, unknown>[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.end('ok');
    });
  });
  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts one scrubbed alert per failure kind and window, and logs alert_sent', async () => {
    const { port } = server.address() as AddressInfo;
    const { storage: alerting, logs } = makeStorage({
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hook?token=sekret`,
    });
    const missing = testBucket('gone');
    const key = 'exports/secret-export-id.csv';
    try {
      for (let i = 0; i < 3; i++) {
        const err = await alerting
          .put(missing, key, Buffer.from('x'), { contentType: 'text/csv' })
          .catch((e: unknown) => e);
        expect(isStorageError(err, 'BucketNotFound')).toBe(true);
      }
      for (let i = 0; i < 50 && logs.events('alert_sent').length === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        service: 'storage-test',
        event: 's3_upload_error',
        bucket: missing,
        code: 'BucketNotFound',
      });
      expect(typeof received[0]!.at).toBe('string');
      const text = JSON.stringify(received[0]);
      expect(text).not.toContain(key);
      expect(text).not.toContain(config.credentials!.secretAccessKey);
      expect(text).not.toContain('http');
      expect(logs.events('alert_sent')).toHaveLength(1);
      expect(logs.text).not.toContain('sekret');
    } finally {
      alerting.close();
    }
  });
});
