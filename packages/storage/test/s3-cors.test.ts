import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { makeStorage, rawClient, removeBucket, testBucket } from './support';

const { storage, config, logs } = makeStorage();
const bucket = testBucket('cors');
const UI = 'http://127.0.0.1:8080';

/** The preflight a browser sends before a cross-origin PUT with a Content-Type header. */
const preflight = (origin: string, method = 'PUT') =>
  fetch(`${config.endpoint}/${bucket}/uploads/x.csv`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
    signal: AbortSignal.timeout(10_000),
  });

beforeAll(async () => {
  await storage.ensureBucket(bucket);
});
afterAll(async () => {
  await removeBucket(storage, config, bucket);
  storage.close();
});

describe('bucket CORS for browser uploads (RGW)', () => {
  it('lets the UI origin preflight a PUT, and no other origin', async () => {
    expect((await preflight(UI)).headers.get('access-control-allow-origin')).toBeNull();
    await expect(storage.allowBrowserOrigins(bucket, [UI])).resolves.toEqual({ applied: true, changed: true });

    const ok = await preflight(UI);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-methods')).toContain('PUT');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(logs.events('s3_cors_applied')).toHaveLength(1);
  });

  it('leaves an identical rule alone, and replaces a different one', async () => {
    await expect(storage.allowBrowserOrigins(bucket, [UI, UI])).resolves.toEqual({ applied: true, changed: false });
    const moved = 'https://pulse.example.com';
    await expect(storage.allowBrowserOrigins(bucket, [moved])).resolves.toEqual({ applied: true, changed: true });
    expect((await preflight(moved)).headers.get('access-control-allow-origin')).toBe(moved);
    expect((await preflight(UI)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it("keeps CORS rules Pulse did not write (a shared bucket's own)", async () => {
    const raw = rawClient(config);
    const other = 'https://other-app.example';
    const current = await raw.send(new GetBucketCorsCommand({ Bucket: bucket }));
    await raw.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            { ID: 'other-app', AllowedOrigins: [other], AllowedMethods: ['PUT'], AllowedHeaders: ['*'] },
            ...(current.CORSRules ?? []),
          ],
        },
      }),
    );
    await expect(storage.allowBrowserOrigins(bucket, [UI])).resolves.toEqual({ applied: true, changed: true });
    await expect(storage.allowBrowserOrigins(bucket, [UI])).resolves.toEqual({ applied: true, changed: false });
    expect((await preflight(other)).headers.get('access-control-allow-origin')).toBe(other);
    expect((await preflight(UI)).headers.get('access-control-allow-origin')).toBe(UI);
    const ids = (await raw.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.map((r) => r.ID);
    expect(ids?.sort()).toEqual(['other-app', 'pulse-browser-uploads']);
    raw.destroy();
  });
});
