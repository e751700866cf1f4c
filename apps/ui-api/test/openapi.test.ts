import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PermanentError } from '@pulse/bus';
import { type OpenApiDoc, openApiChecker } from './openapi-check';
import { type LoggedIn, startTestApp, type TestApp, type TestRequestInit } from './harness';

// Every route is called for real and every answer is checked against /api/v1/openapi.json.
let app: TestApp;
let alice: LoggedIn;
let admin: LoggedIn;
let doc: OpenApiDoc & Record<string, unknown>;
let checker: ReturnType<typeof openApiChecker>;

/** app.request + the document check; returns the parsed JSON body (or null) with the status. */
async function call(path: string, init: TestRequestInit = {}) {
  const res = await app.request(path, init);
  await checker.check(init.method ?? 'GET', path, res);
  const type = res.headers.get('content-type') ?? '';
  // biome-ignore lint/suspicious/noExplicitAny: the test reads fields the document has just validated
  const body: any = type.includes('application/json') ? await res.json() : null;
  return { status: res.status, body, res };
}

beforeAll(async () => {
  app = await startTestApp({ env: { DEBUG: '1' } });
  alice = await app.login('alice-openapi@example.com', { name: 'Alice' });
  admin = await app.login('admin-openapi@example.com', { role: 'admin' });
  await app.db.prisma.device.create({ data: { id: 'oa-dev-1', name: 'Boiler', site: 'Lyon' } });
  await app.db.prisma.deviceFollow.create({ data: { userId: alice.user.id, deviceId: 'oa-dev-1' } });
  await app.db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value)
     SELECT 'oa-dev-1', ts, 'temperature', 20 FROM generate_series(date_trunc('month', now()) - interval '1 month',
       date_trunc('month', now()) - interval '1 hour', interval '6 hours') ts`,
  );
  doc = (await (await app.request('/api/v1/openapi.json')).json()) as typeof doc;
  checker = openApiChecker(doc);
});
afterAll(async () => {
  await app?.close();
});

describe('/api/v1/openapi.json', () => {
  it('gives every operation an operationId, a tag, and a schema for its JSON responses', () => {
    const ids: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        expect({ path, method, id: typeof op.operationId, tags: op.tags?.length }).toEqual({
          path,
          method,
          id: 'string',
          tags: 1,
        });
        ids.push(op.operationId);
        for (const [status, r] of Object.entries(op.responses)) {
          // A response is documented as a schema, another media type, or a body-less status (redirects, 204).
          if (!r.content)
            expect({ path, method, status }).toEqual({ path, method, status: expect.stringMatching(/^(204|302)$/) });
        }
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect((doc.tags as { name: string }[]).map((t) => t.name)).toEqual(
      expect.arrayContaining(['Auth', 'Exports', 'Files', 'Acquisition', 'Reports', 'Subscriptions', 'Receivers']),
    );
  });
});

describe('real responses validate against the document', () => {
  it('operations and auth', async () => {
    await call('/health');
    await call('/health/ready');
    await call('/health/s3');
    expect((await call('/api/v1/auth/otp/request', { method: 'POST', json: { email: 'x' } })).status).toBe(400);
    expect(
      (await call('/api/v1/auth/otp/request', { method: 'POST', json: { email: 'nobody@example.com' } })).status,
    ).toBe(202);
    const wrong = await call('/api/v1/auth/otp/verify', {
      method: 'POST',
      json: { email: 'nobody@example.com', code: '000000' },
    });
    expect(wrong.status).toBe(401);
    const mark = app.smtp.messages.length;
    await call('/api/v1/auth/otp/request', { method: 'POST', json: { email: alice.user.email } });
    const code = await app.otpFromMail(alice.user.email, mark);
    const verified = await call('/api/v1/auth/otp/verify', { method: 'POST', json: { email: alice.user.email, code } });
    expect(verified.body.user.id).toBe(alice.user.id);
    expect((await call('/api/v1/me', { token: alice.token })).body.email).toBe(alice.user.email);
    expect((await call('/api/v1/me')).status).toBe(401);
    expect((await call('/api/v1/auth/logout', { method: 'POST', token: verified.body.token })).status).toBe(204);
  });

  it('exports', async () => {
    expect((await call('/api/v1/devices', { token: alice.token })).body.items).toEqual([
      { id: 'oa-dev-1', name: 'Boiler', site: 'Lyon' },
    ]);
    const created = await call('/api/v1/exports', {
      method: 'POST',
      token: alice.token,
      json: { format: 'csv', from: '2026-01-01', to: '2026-02-01' },
    });
    expect(created.status).toBe(202);
    await call('/api/v1/exports', { token: alice.token });
    await call(`/api/v1/exports/${created.body.id}`, { token: alice.token });
    expect((await call(`/api/v1/exports/${created.body.id}/download`, { token: alice.token })).status).toBe(409);
    expect((await call('/api/v1/exports/5b0f7d1e-0000-4000-8000-000000000000', { token: alice.token })).status).toBe(
      404,
    );
    expect((await call('/api/v1/exports/not-a-uuid', { token: alice.token })).status).toBe(400);
    expect((await call(`/api/v1/exports/${created.body.id}`, { method: 'DELETE', token: alice.token })).status).toBe(
      204,
    );
  });

  it('files: list, presign, upload, complete, download, delete', async () => {
    const seeded = await app.seed.file({
      ownerId: alice.user.id,
      filename: 'a.csv',
      contentType: 'text/csv',
      body: 'a,b\n',
    });
    expect((await call('/api/v1/me/files', { token: alice.token })).body.items.length).toBeGreaterThan(0);
    await call(`/api/v1/files/${seeded.id}/download-url`, { token: alice.token });
    expect((await call(`/api/v1/files/${seeded.id}/download`, { token: alice.token })).status).toBe(302);
    const bytes = Buffer.from('hello');
    const upload = await call('/api/v1/files/uploads', {
      method: 'POST',
      token: alice.token,
      json: { filename: 'hello.csv', contentType: 'text/csv', size: bytes.length },
    });
    expect(upload.status).toBe(201);
    const put = await fetch(upload.body.uploadUrl, { method: 'PUT', headers: upload.body.headers, body: bytes });
    expect(put.status).toBe(200);
    await call(`/api/v1/files/${upload.body.fileId}/complete`, { method: 'POST', token: alice.token });
    expect((await call(`/api/v1/files/${seeded.id}`, { method: 'DELETE', token: alice.token })).status).toBe(204);
    expect((await call(`/api/v1/files/${seeded.id}/download-url`, { token: alice.token })).status).toBe(410);
    expect((await call('/api/v1/debug/s3/put-test-pdf', { method: 'POST', token: alice.token })).status).toBe(201);
  });

  it('acquisition and the receivers registry', async () => {
    const receivers = await call('/api/v1/acquisition/receivers', { token: alice.token });
    const started = await call('/api/v1/acquisition/acquire', {
      method: 'POST',
      token: alice.token,
      json: { frequencyHz: 7_000_000, durationMs: 100, sampleRate: 12_000, receivers: [receivers.body.items[0].id] },
    });
    expect(started.status).toBe(202);
    const { taskId } = started.body;
    await call(`/api/v1/acquisition/status/${taskId}`, { token: alice.token });
    await call('/api/v1/acquisition/sessions', { token: alice.token });
    await call(`/api/v1/acquisition/sessions/${taskId}`, { token: alice.token });
    expect((await call(`/api/v1/acquisition/${taskId}/cancel`, { method: 'POST', token: alice.token })).status).toBe(
      202,
    );
    expect((await call(`/api/v1/acquisition/${taskId}/cancel`, { method: 'POST', token: alice.token })).status).toBe(
      409,
    );

    await call('/api/v1/admin/receivers', { token: admin.token });
    expect((await call('/api/v1/admin/receivers', { token: alice.token })).status).toBe(403);
    const entry = { id: 'oa-kiwi', name: 'OpenAPI Kiwi', kind: 'kiwisdr', host: 'kiwi.example.net', port: 8073 };
    expect((await call('/api/v1/admin/receivers', { method: 'POST', token: admin.token, json: entry })).status).toBe(
      201,
    );
    expect((await call('/api/v1/admin/receivers', { method: 'POST', token: admin.token, json: entry })).status).toBe(
      409,
    );
    await call('/api/v1/admin/receivers/oa-kiwi', { token: admin.token });
    await call('/api/v1/admin/receivers/oa-kiwi', { method: 'PATCH', token: admin.token, json: { enabled: false } });
    expect((await call('/api/v1/admin/receivers/oa-kiwi', { method: 'DELETE', token: admin.token })).status).toBe(204);
    expect((await call('/api/v1/admin/receivers/oa-kiwi', { token: admin.token })).status).toBe(404);
  });

  it('reports and subscriptions', async () => {
    const delivery = await app.db.prisma.reportDelivery.create({
      data: { followerId: alice.user.id, reportPeriod: '2026-10', status: 'sent', emailSent: true, sentAt: new Date() },
    });
    expect((await call('/api/v1/reports', { token: alice.token })).body.items).toHaveLength(1);
    await call('/api/v1/reports/deliveries', { token: admin.token });
    const run = await call('/api/v1/reports/run', { method: 'POST', token: admin.token, json: { period: '2026-09' } });
    expect(run.status).toBe(202);
    const resend = await call(`/api/v1/reports/deliveries/${delivery.id}/resend`, {
      method: 'POST',
      token: admin.token,
    });
    expect(resend.status).toBe(202);
    expect((await call('/r/not-a-token')).status).toBe(404);

    await call('/api/v1/subscriptions', { token: admin.token });
    await call('/api/v1/subscriptions/me', { token: alice.token });
    const patched = await call('/api/v1/subscriptions/me', {
      method: 'PATCH',
      token: alice.token,
      json: { frequency: 'weekly', slot: '06:30' },
    });
    expect(patched.body.subscription.frequency).toBe('weekly');
    const preview = await call('/api/v1/subscriptions/me/preview', { method: 'POST', token: alice.token });
    expect(preview.status).toBe(200);
    expect((await call('/u/not-a-token')).status).toBe(404);
  });

  it('dead letters (admin)', async () => {
    const created = await call('/api/v1/exports', {
      method: 'POST',
      token: alice.token,
      json: { format: 'csv', from: '2026-03-01', to: '2026-04-01' },
    });
    const exportId = created.body.id as string;
    // The worker gave up on it: the job is failed and its message waits as a dead letter.
    await app.db.pool.query(`UPDATE export_jobs SET status = 'failed', error = 'poisoned' WHERE id = $1`, [exportId]);
    const consumer = await app.bus.consume(
      'export.requested',
      async () => {
        throw new PermanentError('poisoned payload');
      },
      { durable: 'openapi-poison' },
    );
    const find = async () =>
      (await app.bus.deadLetters.list()).find((d) => (d.payload as { exportId?: string }).exportId === exportId);
    while (!(await find())) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();
    const dead = (await find())!;

    expect((await call('/api/v1/admin/dead-letters', { token: alice.token })).status).toBe(403);
    const listed = await call('/api/v1/admin/dead-letters?subject=export.requested', { token: admin.token });
    expect(listed.body.items).toContainEqual(expect.objectContaining({ seq: dead.seq, reason: 'poisoned payload' }));
    expect((await call('/api/v1/admin/dead-letters?subject=nope', { token: admin.token })).status).toBe(400);
    const replay = await call(`/api/v1/admin/dead-letters/${dead.seq}/replay`, { method: 'POST', token: admin.token });
    expect(replay.status).toBe(202);
    expect(
      (await call(`/api/v1/admin/dead-letters/${dead.seq}/replay`, { method: 'POST', token: admin.token })).status,
    ).toBe(404);
    expect((await app.db.prisma.exportJob.findUniqueOrThrow({ where: { id: exportId } })).status).toBe('queued');
    // The export deleted earlier: its dead letter cannot revive it (409), only be discarded.
    const other = (await app.bus.deadLetters.list()).find((d) => d.seq !== dead.seq);
    if (other) {
      const refused = await call(`/api/v1/admin/dead-letters/${other.seq}/replay`, {
        method: 'POST',
        token: admin.token,
      });
      expect(refused.status).toBe(409);
      expect(
        (await call(`/api/v1/admin/dead-letters/${other.seq}/discard`, { method: 'POST', token: admin.token })).status,
      ).toBe(200);
    }
    const actions = await call('/api/v1/admin/dead-letters/actions', { token: admin.token });
    expect(actions.body.items[0]).toMatchObject({ actor: `admin:${admin.user.id}` });
  });

  it('covered every documented JSON success response', () => {
    expect(checker.jsonSuccesses().filter((s) => !checker.seen.has(s))).toEqual([]);
  });
});
