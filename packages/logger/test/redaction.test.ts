import { describe, expect, it } from '@jest/globals';
import { LogCapture } from '@pulse/testing';
import { createLogger } from '../src/index';

const presigned =
  'http://127.0.0.1:7480/pulse-exports/exports/x.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=rgwadmin%2F20261123%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261123T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef0123456789abcdef';

describe('logger redaction', () => {
  it('never writes secrets, presigned signatures, tokens or OTP codes', () => {
    const cap = new LogCapture();
    const log = createLogger({ name: 'test', destination: cap });
    log.info({ url: presigned, event: 'file_presigned' }, 'presigned');
    log.info(`redirecting to ${presigned}`);
    log.info({ secretAccessKey: 'rgwadminsecret', accessKeyId: 'rgwadmin', password: 'hunter2' }, 'creds');
    log.info({
      headers: { authorization: 'Bearer sess_abcdefghijklmnop', cookie: 'pulse_session=sess_abcdefghijklmnop' },
    });
    log.info({ otp: '493817', sessionToken: 'sess_zyxwvutsrqponm' }, 'otp sent');
    log.error({ err: new Error(`fetch failed for ${presigned}`) }, 'failed');
    log.info({ nested: { deeper: { location: presigned } } }, 'nested');

    const out = cap.text;
    for (const secret of [
      '0123456789abcdef0123456789abcdef',
      'rgwadmin%2F',
      'rgwadminsecret',
      'hunter2',
      'sess_abcdefghijklmnop',
      '493817',
      'sess_zyxwvutsrqponm',
    ]) {
      expect(out).not.toContain(secret);
    }
    // The harmless parts stay, so the logs remain useful.
    expect(out).toContain('X-Amz-Expires=3600');
    expect(out).toContain('file_presigned');
    expect(cap.lines).toHaveLength(7);
  });

  it("redacts secret keys at any depth and in any case, in fields and in a child's bindings", () => {
    const cap = new LogCapture();
    const log = createLogger({ name: 'test', destination: cap }).child({ apiKey: 'bound-secret-1', requestId: 'r1' });
    log.info({ a: { b: { c: { d: { Password: 'deep-secret-2' } } } }, list: [{ TOKEN: 'list-secret-3' }] }, 'deep');
    const out = cap.text;
    for (const secret of ['bound-secret-1', 'deep-secret-2', 'list-secret-3']) expect(out).not.toContain(secret);
    const [line] = cap.lines.map((l) => JSON.parse(l));
    expect(line).toMatchObject({ requestId: 'r1', apiKey: '[redacted]', list: [{ TOKEN: '[redacted]' }] });
    expect(line.a.b.c.d.Password).toBe('[redacted]');
  });

  it("leaves what it logs untouched: the caller's objects are never modified", () => {
    const cap = new LogCapture();
    const log = createLogger({ name: 'test', destination: cap });
    const fields = { event: 'x', nested: { token: 'abc-secret', url: presigned }, plain: { n: 1 } };
    log.info(fields, 'copy on write');
    expect(fields.nested.token).toBe('abc-secret');
    expect(fields.nested.url).toBe(presigned);
    expect(cap.text).not.toContain('abc-secret');
    expect(JSON.parse(cap.lines[0]!).plain).toEqual({ n: 1 });
  });

  it('keeps ordinary fields and levels', () => {
    const cap = new LogCapture();
    const log = createLogger({ name: 'svc', destination: cap, level: 'debug' });
    log.debug({ event: 's3_upload_ok', bytes: 42, durationMs: 3 }, 'uploaded');
    const [line] = cap.events('s3_upload_ok');
    expect(line).toMatchObject({ level: 'debug', service: 'svc', bytes: 42, durationMs: 3 });
  });
});
