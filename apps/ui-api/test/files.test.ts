import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@pulse/testing';
import { type LoggedIn, startTestApp, type TestApp } from './harness';

let app: TestApp;
let alice: LoggedIn;
let bob: LoggedIn;

beforeAll(async () => {
  app = await startTestApp();
  [alice, bob] = await Promise.all([app.login('alice@example.com'), app.login('bob@example.com')]);
});
afterAll(async () => {
  await app?.close();
});

interface FileItem {
  id: string;
  kind: string;
  filename: string;
  size: number;
  downloadUrl: string;
}

async function upload(who: LoggedIn, filename: string, contentType: string, bytes: Buffer) {
  const started = await app.request('/api/v1/files/uploads', {
    method: 'POST',
    token: who.token,
    json: { filename, contentType, size: bytes.length },
  });
  expect(started.status).toBe(201);
  const body = (await started.json()) as {
    fileId: string;
    uploadUrl: string;
    method: string;
    headers: Record<string, string>;
  };
  expect(body.method).toBe('PUT');
  const put = await fetch(body.uploadUrl, { method: 'PUT', headers: body.headers, body: bytes });
  expect(put.status).toBe(200);
  return body;
}

describe('upload → list → download', () => {
  const name = 'Überblick – résumé 2026.csv';
  const bytes = Buffer.from('device,ts,value\nd1,2026-10-01T00:00:00Z,1.5\n');
  let fileId: string;

  it('uploads through a presigned PUT and lists the file only after complete', async () => {
    ({ fileId } = await upload(alice, name, 'text/csv', bytes));
    const before = (await (await app.request('/api/v1/me/files', { token: alice.token })).json()) as {
      items: FileItem[];
    };
    expect(before.items.map((f) => f.id)).not.toContain(fileId);

    const done = await app.request(`/api/v1/files/${fileId}/complete`, { method: 'POST', token: alice.token });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ id: fileId, status: 'ready', size: bytes.length, filename: name });

    const list = await app.request('/api/v1/me/files', { token: alice.token });
    const { items } = (await list.json()) as { items: FileItem[] };
    const item = items.find((f) => f.id === fileId)!;
    expect(item).toMatchObject({ kind: 'upload', filename: name, downloadUrl: `/api/v1/files/${fileId}/download` });
    expect(JSON.stringify(items)).not.toMatch(/X-Amz-/);

    const row = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: fileId } });
    expect(row.objectKey).toMatch(new RegExp(`^artifacts/${row.artifactId}/${fileId}\\.csv$`));
    expect(row.originalFilename).toBe(name);
  });

  it('redirects the download to a presigned GET that serves the same bytes and a non-ASCII filename', async () => {
    const res = await app.request(`/api/v1/files/${fileId}/download`, { token: alice.token });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = res.headers.get('location')!;
    expect(location).toContain('X-Amz-Signature=');
    const object = await fetch(location);
    expect(object.status).toBe(200);
    expect(Buffer.from(await object.arrayBuffer()).equals(bytes)).toBe(true);
    const disposition = object.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe(name);
    expect(object.headers.get('content-type')).toBe('text/csv');
  });

  it('also works with the session cookie, as a browser follows it', async () => {
    const res = await app.request(`/api/v1/files/${fileId}/download`, { cookie: alice.cookie });
    expect(res.status).toBe(302);
  });

  it('hands scripts a URL with the asked expiry', async () => {
    const res = await app.request(`/api/v1/files/${fileId}/download-url?expiry_sec=120`, { token: alice.token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { file_id: string; url: string; expiry_sec: number; backend: string };
    expect(body).toMatchObject({ file_id: fileId, expiry_sec: 120, backend: 's3' });
    expect(new URL(body.url).searchParams.get('X-Amz-Expires')).toBe('120');
    expect(Buffer.from(await (await fetch(body.url)).arrayBuffer()).equals(bytes)).toBe(true);
    expect(app.logs.events('file_presigned').at(-1)).toMatchObject({ fileId, expirySec: 120 });
  });

  it('rejects expiry_sec outside 1..86400 with 400', async () => {
    for (const bad of ['0', '86401', '-5', 'abc', '1.5']) {
      const res = await app.request(`/api/v1/files/${fileId}/download-url?expiry_sec=${bad}`, { token: alice.token });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'validation_error' } });
    }
  });

  it('is refused by S3 when the presign is tampered with or expired', async () => {
    const res = await app.request(`/api/v1/files/${fileId}/download-url?expiry_sec=1`, { token: alice.token });
    const { url } = (await res.json()) as { url: string };
    const u = new URL(url);
    const sig = u.searchParams.get('X-Amz-Signature')!;
    u.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    expect((await fetch(u)).status).toBe(403);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await fetch(url)).status).toBe(403);
  });

  it("gives Bob 404 for every route on Alice's file", async () => {
    const calls: [string, string][] = [
      ['GET', `/api/v1/files/${fileId}/download`],
      ['GET', `/api/v1/files/${fileId}/download-url`],
      ['POST', `/api/v1/files/${fileId}/complete`],
      ['DELETE', `/api/v1/files/${fileId}`],
    ];
    for (const [method, path] of calls) {
      const res = await app.request(path, { method, token: bob.token });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'file not found' } });
    }
    const { items } = (await (await app.request('/api/v1/me/files', { token: bob.token })).json()) as {
      items: FileItem[];
    };
    expect(items).toEqual([]);
  });

  it('deletes: row marked deleted, object gone, download 410', async () => {
    const row = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: fileId } });
    expect((await app.request(`/api/v1/files/${fileId}`, { method: 'DELETE', token: alice.token })).status).toBe(204);
    expect(await app.storage.exists(row.bucket, row.objectKey)).toBe(false);
    expect(await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: fileId } })).toMatchObject({
      status: 'deleted',
    });
    const res = await app.request(`/api/v1/files/${fileId}/download`, { token: alice.token });
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ error: { code: 'file_deleted' } });
    expect((await app.request(`/api/v1/files/${fileId}`, { method: 'DELETE', token: alice.token })).status).toBe(204);
  });
});

describe('downloads served from the file cache', () => {
  it('answer 410 as soon as the row changes elsewhere, 410 when the expiry passes, 404 for others', async () => {
    const file = await app.seed.file({
      ownerId: alice.user.id,
      filename: 'cached.txt',
      contentType: 'text/plain',
      expiresAt: new Date(Date.now() + 3600_000),
    });
    const download = (who: LoggedIn) => app.request(`/api/v1/files/${file.id}/download`, { token: who.token });
    expect((await download(alice)).status).toBe(302);
    expect((await download(alice)).status).toBe(302);
    // Cached for alice, still nobody else's.
    expect((await download(bob)).status).toBe(404);

    // Time alone ends it: the expiry is checked on every request, cached row or not.
    app.clock.advance(2 * 3600_000);
    try {
      expect((await download(alice)).status).toBe(410);
    } finally {
      app.clock.reset();
    }
    expect((await download(alice)).status).toBe(302);

    // cleanup-worker (another process) finds the object gone: Postgres tells this one.
    await app.db.pool.query(`UPDATE artifact_files SET status = 'missing' WHERE id = $1`, [file.id]);
    await eventually(async () => {
      const res = await download(alice);
      expect(res.status).toBe(410);
      expect(await res.json()).toMatchObject({ error: { code: 'file_missing' } });
    });
  });
});

describe('upload rules', () => {
  it('refuses too large (413) and unlisted types (415)', async () => {
    const big = await app.request('/api/v1/files/uploads', {
      method: 'POST',
      token: alice.token,
      json: { filename: 'big.bin', contentType: 'application/octet-stream', size: app.config.app.uploads.maxBytes + 1 },
    });
    expect(big.status).toBe(413);
    const exe = await app.request('/api/v1/files/uploads', {
      method: 'POST',
      token: alice.token,
      json: { filename: 'x.exe', contentType: 'application/x-msdownload', size: 10 },
    });
    expect(exe.status).toBe(415);
    expect(await exe.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('answers 409 before the object exists and 400 when its size differs', async () => {
    const started = await app.request('/api/v1/files/uploads', {
      method: 'POST',
      token: alice.token,
      json: { filename: 'later.json', contentType: 'application/json', size: 10 },
    });
    const { fileId } = (await started.json()) as { fileId: string };
    const early = await app.request(`/api/v1/files/${fileId}/complete`, { method: 'POST', token: alice.token });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: { code: 'upload_missing' } });
    expect((await app.request(`/api/v1/files/${fileId}/download`, { token: alice.token })).status).toBe(409);

    const row = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: fileId } });
    await app.storage.put(row.bucket, row.objectKey, Buffer.from('{"a":1}'), { contentType: 'application/json' });
    const wrong = await app.request(`/api/v1/files/${fileId}/complete`, { method: 'POST', token: alice.token });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: { code: 'size_mismatch' } });
  });

  it('stores a path-traversal name as sent (minus its control character) but keeps it out of the key and the offered filename', async () => {
    const nasty = '../../etc/passwd\u0007.pdf';
    const { fileId } = await upload(alice, nasty, 'application/pdf', Buffer.from('%PDF-1.4 fake'));
    expect((await app.request(`/api/v1/files/${fileId}/complete`, { method: 'POST', token: alice.token })).status).toBe(
      200,
    );
    const row = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: fileId } });
    expect(row.originalFilename).toBe('../../etc/passwd.pdf');
    expect(row.objectKey).toBe(`artifacts/${row.artifactId}/${fileId}.pdf`);
    const res = await app.request(`/api/v1/files/${fileId}/download`, { token: alice.token });
    const object = await fetch(res.headers.get('location')!);
    const disposition = object.headers.get('content-disposition')!;
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('_.._etc_passwd.pdf');
    await object.arrayBuffer();
  });
});

describe('quotas and deadlines of unfinished uploads', () => {
  const start = (who: LoggedIn, size = 10) =>
    app.request('/api/v1/files/uploads', {
      method: 'POST',
      token: who.token,
      json: { filename: 'big.pdf', contentType: 'application/pdf', size },
    });

  it('caps the number of unfinished uploads per user with 429 quota_exceeded; others are not affected', async () => {
    const erin = await app.login('erin-quota@example.com');
    for (let i = 0; i < app.config.app.quotas.pendingUploads; i++) expect((await start(erin)).status).toBe(201);
    const refused = await start(erin);
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('quota_exceeded');
    expect(body.error.message).toMatch(/unfinished uploads \(at most 10\)/);
    expect((await start(bob)).status).toBe(201);
    // Parallel requests can't slip past it either.
    const fred = await app.login('fred-quota@example.com');
    const burst = await Promise.all(Array.from({ length: 15 }, () => start(fred)));
    expect(burst.filter((r) => r.status === 201)).toHaveLength(10);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(5);
  });

  it('caps the bytes of unfinished uploads per user', async () => {
    const gina = await app.login('gina-quota@example.com');
    const quotas = app.config.app.quotas;
    const saved = quotas.pendingUploadBytes;
    quotas.pendingUploadBytes = 1000;
    try {
      expect((await start(gina, 600)).status).toBe(201);
      const refused = await start(gina, 401);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/at most 1000 bytes/);
      expect((await start(gina, 400)).status).toBe(201);
    } finally {
      quotas.pendingUploadBytes = saved;
    }
  });

  it('expires an unfinished upload after the URL lifetime plus the grace period: 410 on complete, quota freed', async () => {
    const hank = await app.login('hank-quota@example.com');
    const started = await upload(hank, 'late.csv', 'text/csv', Buffer.from('a,b\n'));
    const row = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: started.fileId } });
    const { urlTtlSec, pendingGraceSec } = app.config.app.uploads;
    expect(row.expiresAt!.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(
      (urlTtlSec + pendingGraceSec) * 1000 - 1000,
    );
    for (let i = 1; i < app.config.app.quotas.pendingUploads; i++) expect((await start(hank)).status).toBe(201);
    expect((await start(hank)).status).toBe(429);
    app.clock.advance((urlTtlSec + pendingGraceSec + 1) * 1000);
    try {
      const late = await app.request(`/api/v1/files/${started.fileId}/complete`, { method: 'POST', token: hank.token });
      expect(late.status).toBe(410);
      expect(await late.json()).toMatchObject({ error: { code: 'upload_expired' } });
      // Expired ones no longer count (cleanup-worker removes their rows and objects).
      expect((await start(hank)).status).toBe(201);
    } finally {
      app.clock.reset();
    }
  });

  it('a completed upload no longer counts and keeps no deadline', async () => {
    const ivy = await app.login('ivy-quota@example.com');
    const started = await upload(ivy, 'done.csv', 'text/csv', Buffer.from('a,b\n'));
    expect(
      (await app.request(`/api/v1/files/${started.fileId}/complete`, { method: 'POST', token: ivy.token })).status,
    ).toBe(200);
    expect(
      (await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: started.fileId } })).expiresAt,
    ).toBeNull();
    for (let i = 0; i < app.config.app.quotas.pendingUploads; i++) expect((await start(ivy)).status).toBe(201);
  });
});

describe('a completed upload is immutable', () => {
  it('keeps its bytes when the (still valid) upload URL is used again after /complete', async () => {
    const original = Buffer.from('amount\n100\n');
    const swapped = Buffer.from('amount\n999\n');
    const started = await upload(alice, 'invoice.csv', 'text/csv', original);
    const staging = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: started.fileId } });
    expect(staging.objectKey).toBe(`uploads/${staging.artifactId}/${started.fileId}.csv`);
    const done = await app.request(`/api/v1/files/${started.fileId}/complete`, { method: 'POST', token: alice.token });
    expect(done.status).toBe(200);
    const row = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: started.fileId } });
    expect(row.objectKey).toBe(`artifacts/${row.artifactId}/${started.fileId}.csv`);
    // The staging object is gone once copied.
    expect(await app.storage.exists(row.bucket, staging.objectKey)).toBe(false);

    // Same URL, same signed type and length, other bytes: S3 accepts the PUT (the URL is valid for
    // 15 minutes), but it lands on the staging key, which no completed record points at.
    const again = await fetch(started.uploadUrl, { method: 'PUT', headers: started.headers, body: swapped });
    expect(again.status).toBe(200);
    const res = await app.request(`/api/v1/files/${started.fileId}/download`, { token: alice.token });
    const served = Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer());
    expect(served.equals(original)).toBe(true);
    // Completing again changes nothing either.
    expect(
      (await app.request(`/api/v1/files/${started.fileId}/complete`, { method: 'POST', token: alice.token })).status,
    ).toBe(200);
    const after = await app.request(`/api/v1/files/${started.fileId}/download`, { token: alice.token });
    expect(Buffer.from(await (await fetch(after.headers.get('location')!)).arrayBuffer()).equals(original)).toBe(true);
  });
});

describe('filenames that disguise themselves', () => {
  // U+202E (right-to-left override) shows `invoice\u202Egpj.exe` as `invoiceexe.jpg`; U+2066 is an isolate,
  // U+0085 a C1 control, U+200B a zero-width space.
  const disguised = 'invoice\u202Egpj\u2066\u0085\u200B.exe';
  const plain = 'invoicegpj.exe';
  const offered = async (fileId: string) => {
    const res = await app.request(`/api/v1/files/${fileId}/download`, { token: alice.token });
    expect(res.status).toBe(302);
    const object = await fetch(res.headers.get('location')!);
    await object.arrayBuffer();
    return decodeURIComponent(object.headers.get('content-disposition')!.split("UTF-8''")[1]!);
  };

  it('drops bidi overrides, isolates, C1 controls and zero-width characters on the way in', async () => {
    const { fileId } = await upload(alice, disguised, 'application/octet-stream', Buffer.from('MZ'));
    expect((await app.request(`/api/v1/files/${fileId}/complete`, { method: 'POST', token: alice.token })).status).toBe(
      200,
    );
    const row = await app.db.prisma.artifactFile.findUniqueOrThrow({ where: { id: fileId } });
    expect(row.originalFilename).toBe(plain);
    const { items } = (await (await app.request('/api/v1/me/files', { token: alice.token })).json()) as {
      items: FileItem[];
    };
    expect(items.find((f) => f.id === fileId)?.filename).toBe(plain);
    expect(await offered(fileId)).toBe(plain);
  });

  it('drops them on the way out too, for rows written before the rule or by another writer', async () => {
    const seeded = await app.seed.file({ ownerId: alice.user.id, filename: disguised, body: 'MZ' });
    const { items } = (await (await app.request('/api/v1/me/files', { token: alice.token })).json()) as {
      items: FileItem[];
    };
    expect(items.find((f) => f.id === seeded.id)?.filename).toBe(plain);
    expect(await offered(seeded.id)).toBe(plain);
  });
});

describe('listing', () => {
  it('pages newest first with a cursor and filters by kind; expired, pending and deleted are hidden', async () => {
    const carol = await app.seed.user({ email: 'carol@example.com' });
    const login = await app.login(carol.email);
    const seeded = [];
    for (let i = 0; i < 5; i++) {
      seeded.push(await app.seed.file({ ownerId: carol.id, filename: `r${i}.pdf`, kind: i % 2 ? 'report' : 'export' }));
    }
    await app.seed.file({ ownerId: carol.id, filename: 'old.csv', expiresAt: new Date(Date.now() - 1000) });
    await app.seed.file({ ownerId: carol.id, filename: 'pending.csv', status: 'pending' });
    await app.seed.file({ ownerId: carol.id, filename: 'gone.csv', status: 'deleted' });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await app.request(`/api/v1/me/files?limit=2${q}`, { token: login.token });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: FileItem[]; nextCursor: string | null };
      seen.push(...page.items.map((f) => f.filename));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['r4.pdf', 'r3.pdf', 'r2.pdf', 'r1.pdf', 'r0.pdf']);

    const reports = await app.request('/api/v1/me/files?kind=report', { token: login.token });
    const { items } = (await reports.json()) as { items: FileItem[] };
    expect(items.map((f) => f.filename)).toEqual(['r3.pdf', 'r1.pdf']);

    const expired = await app.seed.file({ ownerId: carol.id, filename: 'x.csv', expiresAt: new Date(Date.now() - 1) });
    const res = await app.request(`/api/v1/files/${expired.id}/download`, { token: login.token });
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ error: { code: 'file_expired' } });
  });
});

describe('bad input', () => {
  const longString = 'x'.repeat(20_000);
  const uuid = '3f1c1c1e-8a4b-4c4e-9d6a-1b2c3d4e5f60';
  const cases: { name: string; method: string; path: string; json?: unknown; raw?: string; status: number }[] = [
    { name: 'invalid JSON', method: 'POST', path: '/api/v1/files/uploads', raw: '{"filename":', status: 400 },
    { name: 'JSON array body', method: 'POST', path: '/api/v1/files/uploads', json: [1, 2], status: 400 },
    { name: 'missing fields', method: 'POST', path: '/api/v1/files/uploads', json: {}, status: 400 },
    {
      name: 'size as string',
      method: 'POST',
      path: '/api/v1/files/uploads',
      json: { filename: 'a.csv', contentType: 'text/csv', size: '10' },
      status: 400,
    },
    {
      name: 'negative size',
      method: 'POST',
      path: '/api/v1/files/uploads',
      json: { filename: 'a.csv', contentType: 'text/csv', size: -1 },
      status: 400,
    },
    {
      name: 'fractional size',
      method: 'POST',
      path: '/api/v1/files/uploads',
      json: { filename: 'a.csv', contentType: 'text/csv', size: 1.5 },
      status: 400,
    },
    {
      name: 'unknown field',
      method: 'POST',
      path: '/api/v1/files/uploads',
      json: { filename: 'a.csv', contentType: 'text/csv', size: 1, bucket: 'other' },
      status: 400,
    },
    {
      name: 'huge filename',
      method: 'POST',
      path: '/api/v1/files/uploads',
      json: { filename: longString, contentType: 'text/csv', size: 1 },
      status: 400,
    },
    {
      name: 'NUL in filename',
      method: 'POST',
      path: '/api/v1/files/uploads',
      json: { filename: 'a\u0000.csv', contentType: 'text/csv', size: 1 },
      status: 400,
    },
    {
      name: 'header injection in content type',
      method: 'POST',
      path: '/api/v1/files/uploads',
      json: { filename: 'a.csv', contentType: 'text/csv\r\nX-Evil: 1', size: 1 },
      status: 400,
    },
    {
      name: 'body over 100 kB',
      method: 'POST',
      path: '/api/v1/files/uploads',
      json: { filename: 'x'.repeat(200_000) },
      status: 413,
    },
    { name: 'bad uuid', method: 'GET', path: '/api/v1/files/not-a-uuid/download', status: 400 },
    { name: 'SQL in id', method: 'GET', path: "/api/v1/files/1'%20OR%20'1'='1/download", status: 400 },
    { name: 'unknown file', method: 'GET', path: `/api/v1/files/${uuid}/download`, status: 404 },
    { name: 'unknown file url', method: 'GET', path: `/api/v1/files/${uuid}/download-url`, status: 404 },
    { name: 'complete unknown', method: 'POST', path: `/api/v1/files/${uuid}/complete`, status: 404 },
    { name: 'delete bad uuid', method: 'DELETE', path: '/api/v1/files/..%2F..%2Fetc', status: 400 },
    { name: 'limit 0', method: 'GET', path: '/api/v1/me/files?limit=0', status: 400 },
    { name: 'limit huge', method: 'GET', path: '/api/v1/me/files?limit=100000', status: 400 },
    { name: 'unknown kind', method: 'GET', path: '/api/v1/me/files?kind=secrets', status: 400 },
    { name: 'garbage cursor', method: 'GET', path: '/api/v1/me/files?cursor=%%%', status: 400 },
    {
      name: 'forged cursor',
      method: 'GET',
      path: `/api/v1/me/files?cursor=${Buffer.from('["x","y"]').toString('base64url')}`,
      status: 400,
    },
    { name: 'repeated query param', method: 'GET', path: '/api/v1/me/files?limit=1&limit=2', status: 400 },
    {
      name: 'otp bad email',
      method: 'POST',
      path: '/api/v1/auth/otp/request',
      json: { email: 'not-an-email' },
      status: 400,
    },
    { name: 'otp email as number', method: 'POST', path: '/api/v1/auth/otp/request', json: { email: 42 }, status: 400 },
    {
      name: 'otp huge email',
      method: 'POST',
      path: '/api/v1/auth/otp/request',
      json: { email: `${longString}@x.io` },
      status: 400,
    },
    {
      name: 'otp code letters',
      method: 'POST',
      path: '/api/v1/auth/otp/verify',
      json: { email: 'a@example.com', code: 'abcdef' },
      status: 400,
    },
    {
      name: 'otp code as number',
      method: 'POST',
      path: '/api/v1/auth/otp/verify',
      json: { email: 'a@example.com', code: 123456 },
      status: 400,
    },
    { name: 'unknown API route', method: 'GET', path: '/api/v1/nope', status: 404 },
    { name: 'debug route without DEBUG', method: 'POST', path: '/api/v1/debug/s3/put-test-pdf', status: 404 },
  ];

  it.each(cases)('$name → $status JSON error', async ({ method, path, json, raw, status }) => {
    const res = await app.request(path, {
      method,
      token: alice.token,
      json,
      ...(raw ? { body: raw, headers: { 'content-type': 'application/json' } } : {}),
    });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(typeof body.error.code).toBe('string');
    expect(typeof body.error.message).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|stack/i);
  });

  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
});

describe('operations', () => {
  it('documents the routes in /api/v1/openapi.json', async () => {
    const res = await app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, method] of [
      ['/api/v1/auth/otp/request', 'post'],
      ['/api/v1/auth/otp/verify', 'post'],
      ['/api/v1/auth/logout', 'post'],
      ['/api/v1/me', 'get'],
      ['/api/v1/me/files', 'get'],
      ['/api/v1/files/{id}/download', 'get'],
      ['/api/v1/files/{id}/download-url', 'get'],
      ['/api/v1/files/uploads', 'post'],
      ['/api/v1/files/{id}/complete', 'post'],
      ['/api/v1/files/{id}', 'delete'],
      ['/health/ready', 'get'],
    ] as const) {
      expect([path, method, Boolean(doc.paths[path]?.[method])]).toEqual([path, method, true]);
    }
  });

  it('exposes Prometheus metrics (ops listener) with HTTP latency and S3 operation timings', async () => {
    const res = await app.ops('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toMatch(/route="\/api\/v1\/files\/:id\/download"/);
    expect(text).toContain('s3_operation_duration_seconds');
  });

  it('logs no presigned URL, signature, credential, session token or OTP code', () => {
    const text = app.logs.text;
    expect(app.logs.events('file_presigned').length).toBeGreaterThan(3);
    expect(app.logs.events('file_created').length).toBeGreaterThan(0);
    for (const needle of [
      'X-Amz-Signature',
      'X-Amz-Credential',
      app.config.s3.credentials!.secretAccessKey,
      alice.token,
      bob.token,
    ]) {
      expect(text).not.toContain(needle);
    }
    for (const mail of app.smtp.messages) expect(text).not.toContain(/\b(\d{6})\b/.exec(mail.text)![1]!);
  });
});
