// Production S3 without keys in the environment: a real ui-api process started with no S3_ACCESS_KEY /
// S3_SECRET_KEY gets its credentials from the SDK's default chain, here the ECS container protocol
// (AWS_CONTAINER_CREDENTIALS_FULL_URI, served below with a short Expiration). Its RGW user may only use
// objects (bucket policy; no CreateBucket, CORS or lifecycle rights) and the app runs with
// S3_MANAGE_BUCKETS=false. Server-side PUTs, presigned GETs (followed with plain fetch) and presigned
// PUTs must work, and keep working after the key pair is rotated on RGW and the old one removed.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, s3Config } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { createStorage, isStorageError } from '@pulse/storage';
import { LogCapture, rgwAdmin, uniqueName, waitFor } from '@pulse/testing';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

interface KeyPair {
  id: string;
  secret: string;
}
const newKeyPair = (): KeyPair => ({
  id: `PULSEAPP${randomBytes(6).toString('hex').toUpperCase()}`,
  secret: randomBytes(24).toString('base64url'),
});

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const uid = uniqueName('objects-only').replace(/_/g, '-');
const first = newKeyPair();
const second = newKeyPair();

let app: TestApp;
let alice: LoggedIn;
let child: ChildProcess;
let childUrl: string;
const childLines: string[] = [];
let credentials: Server;
let serving: KeyPair = first;
let credentialFetches = 0;

const freePort = async (): Promise<number> => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
};

const call = (pathname: string, init: RequestInit & { json?: unknown } = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${alice.token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${childUrl}${pathname}`, {
    ...init,
    headers,
    body: init.json === undefined ? init.body : JSON.stringify(init.json),
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  });
};

/** Follows a download's 302 with plain fetch (no SDK): returns the bytes and the key id it was signed with. */
async function download(fileId: string): Promise<{ body: Buffer; keyId: string; url: string }> {
  const res = await call(`/api/v1/files/${fileId}/download`);
  expect(res.status).toBe(302);
  const url = res.headers.get('location')!;
  const got = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  expect(got.status).toBe(200);
  const keyId = new URL(url).searchParams.get('X-Amz-Credential')!.split('/')[0]!;
  return { body: Buffer.from(await got.arrayBuffer()), keyId, url };
}

/** Every storage path the API has: a server-side PUT, a browser upload by presigned PUT, downloads. */
async function exercise(keyId: string): Promise<{ downloadUrl: string }> {
  const stored = await call('/api/v1/debug/s3/put-test-pdf', { method: 'POST' });
  expect(stored.status).toBe(201);
  const { fileId: pdfId } = (await stored.json()) as { fileId: string };
  const pdf = await download(pdfId);
  expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.keyId).toBe(keyId);

  const bytes = Buffer.from(`device,value\nd1,${keyId}\n`);
  const started = await call('/api/v1/files/uploads', {
    method: 'POST',
    json: { filename: 'rotation.csv', contentType: 'text/csv', size: bytes.length },
  });
  expect(started.status).toBe(201);
  const upload = (await started.json()) as { fileId: string; uploadUrl: string; headers: Record<string, string> };
  expect(new URL(upload.uploadUrl).searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${keyId}/`));
  const put = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: bytes });
  expect(put.status).toBe(200);
  expect((await call(`/api/v1/files/${upload.fileId}/complete`, { method: 'POST' })).status).toBe(200);
  const back = await download(upload.fileId);
  expect(back.body.equals(bytes)).toBe(true);
  return { downloadUrl: pdf.url };
}

beforeAll(async () => {
  app = await startTestApp();
  alice = await app.login('rotation@example.com');

  // An RGW user that does not own the buckets; the owner's bucket policy lets it use objects only.
  rgwAdmin([
    'user',
    'create',
    `--uid=${uid}`,
    '--display-name=Pulse app (objects only)',
    `--access-key=${first.id}`,
    `--secret-key=${first.secret}`,
  ]);
  const { config } = app;
  const owner = new S3Client({
    endpoint: config.s3.endpoint,
    region: config.s3.region,
    forcePathStyle: true,
    credentials: config.s3.credentials,
  });
  for (const bucket of Object.values(config.s3.buckets)) {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam:::user/${uid}`] },
          Action: [
            's3:GetObject',
            's3:PutObject',
            's3:DeleteObject',
            's3:AbortMultipartUpload',
            's3:ListMultipartUploadParts',
            's3:ListBucket',
            's3:ListBucketMultipartUploads',
          ],
          Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        },
      ],
    };
    await owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  }
  owner.destroy();

  // The ECS task-role endpoint: whatever key pair is current, valid for four minutes, which is inside
  // the SDK's five-minute refresh window, so every use of the credentials asks again.
  credentials = createServer((_req, res) => {
    credentialFetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        AccessKeyId: serving.id,
        SecretAccessKey: serving.secret,
        Token: '',
        Expiration: new Date(Date.now() + 4 * 60_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => credentials.listen(0, '127.0.0.1', resolve));
  const credentialsUrl = `http://127.0.0.1:${(credentials.address() as AddressInfo).port}/v2/credentials/task`;

  const port = await freePort();
  childUrl = `http://127.0.0.1:${port}`;
  const { S3_ACCESS_KEY: _key, S3_SECRET_KEY: _secret, ...withoutKeys } = app.env;
  child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH,
      // No shared config or credentials files, no instance metadata: only the container provider is left.
      HOME: mkdtempSync(path.join(tmpdir(), 'pulse-home-')),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...withoutKeys,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: credentialsUrl,
      S3_MANAGE_BUCKETS: 'false',
      DEBUG: '1',
      LOG_LEVEL: 'info',
      HTTP_PORT: String(port),
      PUBLIC_BASE_URL: childUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => childLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`ui-api exited early:\n${childLines.join('\n')}`);
      return (await fetch(`${childUrl}/health/ready`).catch(() => undefined))?.status === 200;
    },
    { timeoutMs: 60_000, what: 'ui-api ready' },
  );
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  credentials?.closeAllConnections();
  await new Promise((resolve) => credentials?.close(resolve));
  await app?.close();
  try {
    rgwAdmin(['user', 'rm', `--uid=${uid}`]);
  } catch {
    // already gone
  }
});

describe('ui-api on container credentials, objects-only rights, S3_MANAGE_BUCKETS=false', () => {
  it('the user really has no bucket-admin rights (so the app must not need them)', async () => {
    const config = loadConfig(
      { s3: s3Config },
      { ...app.env, S3_ACCESS_KEY: first.id, S3_SECRET_KEY: first.secret, S3_RETRY_ATTEMPTS: '1' },
    ).s3;
    const storage = createStorage({ config, logger: createLogger({ name: 't', destination: new LogCapture() }) });
    const denied = await storage
      .allowBrowserOrigins(config.buckets.artifacts, ['https://x.example'])
      .catch((e: unknown) => e);
    expect(isStorageError(denied, 'AccessDenied')).toBe(true);
    storage.close();
  });

  it('stores, presigns and serves with the first key pair, then with the second after rotation', async () => {
    const before = await exercise(first.id);
    expect(credentialFetches).toBeGreaterThan(0);

    // Rotation on RGW: a second key pair, the endpoint hands it out, the first one is removed.
    rgwAdmin([
      'key',
      'create',
      `--uid=${uid}`,
      '--key-type=s3',
      `--access-key=${second.id}`,
      `--secret-key=${second.secret}`,
    ]);
    serving = second;
    rgwAdmin(['key', 'rm', `--uid=${uid}`, '--key-type=s3', `--access-key=${first.id}`]);
    const fetchesAtRotation = credentialFetches;
    // A URL signed with the removed key is dead: the rotation is real.
    expect((await fetch(before.downloadUrl)).status).toBe(403);

    await exercise(second.id);
    expect(credentialFetches).toBeGreaterThan(fetchesAtRotation);
    // Nothing failed on the way, and no credential reached the log.
    const log = childLines.join('\n');
    expect(log).not.toContain(first.secret);
    expect(log).not.toContain(second.secret);
    expect(log).not.toMatch(/"event":"s3_(upload|presign)_error"/);
  }, 60_000);
});
