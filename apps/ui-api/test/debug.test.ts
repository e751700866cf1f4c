import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './harness';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ env: { DEBUG: '1', AUTH_DEV_ECHO: '1' } });
});
afterAll(async () => {
  await app?.close();
});

describe('DEBUG=1', () => {
  it('echoes the sign-in code in the response for known users only', async () => {
    await app.seed.user({ email: 'dev@example.com' });
    const known = await app.request('/api/v1/auth/otp/request', { method: 'POST', json: { email: 'dev@example.com' } });
    const { devCode } = (await known.json()) as { devCode: string };
    expect(devCode).toMatch(/^\d{6}$/);
    expect(await app.otpFromMail('dev@example.com')).toBe(devCode);
    const unknown = await app.request('/api/v1/auth/otp/request', { method: 'POST', json: { email: 'x@example.com' } });
    expect(await unknown.json()).toEqual({ ok: true });
  });

  it('put-test-pdf needs a session', async () => {
    const res = await app.request('/api/v1/debug/s3/put-test-pdf', { method: 'POST' });
    expect(res.status).toBe(401);
  });

  it('put-test-pdf stores a real PDF that downloads through the redirect', async () => {
    const { token, user } = await app.login('pdf@example.com');
    const res = await app.request('/api/v1/debug/s3/put-test-pdf', { method: 'POST', token });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { fileId: string; downloadUrl: string; size: number; sha256: string };
    expect(body.downloadUrl).toBe(`/api/v1/files/${body.fileId}/download`);

    const row = await app.db.prisma.artifactFile.findUniqueOrThrow({
      where: { id: body.fileId },
      include: { artifact: true },
    });
    expect(row).toMatchObject({ ownerId: user.id, status: 'ready', contentType: 'application/pdf' });
    expect(row.artifact.kind).toBe('debug');
    expect(row.objectKey).toBe(`artifacts/${row.artifactId}/${body.fileId}.pdf`);

    const redirect = await app.request(body.downloadUrl, { token });
    expect(redirect.status).toBe(302);
    const pdf = Buffer.from(await (await fetch(redirect.headers.get('location')!)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBe(Number(row.sizeBytes));
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(row.sha256);
    expect(app.logs.events('file_created')).toContainEqual(
      expect.objectContaining({ fileId: body.fileId, kind: 'debug', size: pdf.length }),
    );
  });
});
