// CI subset. Who may see what: another user's exports, files, reports and acquisitions are 404 (not
// 403: existence is not disclosed); dead sessions are 401; OTP guessing locks; cookies and CSRF;
// report links tampered or not scoped to a report → 404, expired → 410, other follower/period → 410.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { signingKeys } from '@pulse/config';
import { REPORT_LINK_PURPOSE, type ReportLinkScope, reportLink } from '@pulse/reports';
import { signToken } from '@pulse/signed-links';
import { type LoggedIn, type SeededFile, startTestApp, type TestApp } from '../../../apps/ui-api/test/harness';
import { recordScenario } from '../src/reliability-report';
import { scanForSecrets } from '../src/secrets-scan';

const HOUR = 3_600_000;
let app: TestApp;
let alice: LoggedIn;
let bob: LoggedIn;
let aliceFile: SeededFile;
let aliceExportId: string;
let aliceTaskId: string;
const tally = { checks: 0, failed: 0 };
const seenSecrets: string[] = [];

/** One access check, counted for the report. */
async function expectStatus(path: string, init: Parameters<TestApp['request']>[1], status: number): Promise<Response> {
  const res = await app.request(path, init);
  tally.checks++;
  if (res.status !== status) tally.failed++;
  expect({ path, method: init?.method ?? 'GET', status: res.status }).toEqual({
    path,
    method: init?.method ?? 'GET',
    status,
  });
  return res;
}

beforeAll(async () => {
  app = await startTestApp();
  alice = await app.login('alice-acl@example.com');
  bob = await app.login('bob-acl@example.com');
  seenSecrets.push(alice.token, bob.token);
  await app.db.pool.query(`INSERT INTO devices (id, name) VALUES ('acl-dev', 'ACL device')`);
  await app.db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value) VALUES ('acl-dev', '2026-01-01T00:00:00Z', 'temperature', 1)`,
  );
  await app.db.pool.query(`INSERT INTO device_follows (user_id, device_id) VALUES ($1, 'acl-dev')`, [alice.user.id]);
  aliceFile = await app.seed.file({ ownerId: alice.user.id, filename: 'alice-secret.pdf', kind: 'report' });

  const exp = await app.request('/api/v1/exports', {
    method: 'POST',
    token: alice.token,
    json: { format: 'csv', from: '2026-01-01', to: '2026-01-02' },
  });
  expect(exp.status).toBe(202);
  aliceExportId = ((await exp.json()) as { id: string }).id;

  const acq = await app.request('/api/v1/acquisition/acquire', {
    method: 'POST',
    token: alice.token,
    json: { frequencyHz: 7_100_000, durationMs: 100, sampleRate: 12_000 },
  });
  expect(acq.status).toBe(202);
  aliceTaskId = ((await acq.json()) as { taskId: string }).taskId;

  await app.db.pool.query(
    `INSERT INTO report_deliveries (id, follower_id, report_period, status, email_sent, pdf_file_id, storage_uploaded)
     VALUES (gen_random_uuid(), $1, '2026-10', 'sent', true, $2, true)`,
    [alice.user.id, aliceFile.id],
  );
});

afterAll(async () => {
  await app?.close();
});

describe("another user's resources are 404", () => {
  test('files', async () => {
    await expectStatus(`/api/v1/files/${aliceFile.id}/download`, { token: alice.token }, 302);
    await expectStatus(`/api/v1/files/${aliceFile.id}/download`, { token: bob.token }, 404);
    await expectStatus(`/api/v1/files/${aliceFile.id}/download-url`, { token: bob.token }, 404);
    await expectStatus(`/api/v1/files/${aliceFile.id}/complete`, { method: 'POST', token: bob.token }, 404);
    await expectStatus(`/api/v1/files/${aliceFile.id}`, { method: 'DELETE', token: bob.token }, 404);
    const list = (await (await app.request('/api/v1/me/files', { token: bob.token })).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    // Bob's failed delete did nothing: Alice still downloads it.
    await expectStatus(`/api/v1/files/${aliceFile.id}/download`, { token: alice.token }, 302);
  });

  test('exports', async () => {
    await expectStatus(`/api/v1/exports/${aliceExportId}`, { token: alice.token }, 200);
    await expectStatus(`/api/v1/exports/${aliceExportId}`, { token: bob.token }, 404);
    await expectStatus(`/api/v1/exports/${aliceExportId}/download`, { token: bob.token }, 404);
    await expectStatus(`/api/v1/exports/${aliceExportId}`, { method: 'DELETE', token: bob.token }, 404);
    const list = (await (await app.request('/api/v1/exports', { token: bob.token })).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    // Bob can't export a device he doesn't follow either (403 names the device, as the API documents).
    await expectStatus(
      '/api/v1/exports',
      {
        method: 'POST',
        token: bob.token,
        json: { format: 'csv', from: '2026-01-01', to: '2026-01-02', deviceIds: ['acl-dev'] },
      },
      403,
    );
  });

  test('acquisitions', async () => {
    await expectStatus(`/api/v1/acquisition/status/${aliceTaskId}`, { token: alice.token }, 200);
    await expectStatus(`/api/v1/acquisition/status/${aliceTaskId}`, { token: bob.token }, 404);
    await expectStatus(`/api/v1/acquisition/sessions/${aliceTaskId}`, { token: bob.token }, 404);
    const list = (await (await app.request('/api/v1/acquisition/sessions', { token: bob.token })).json()) as {
      items: unknown[];
    };
    expect(list.items).toEqual([]);
  });

  test('reports', async () => {
    const mine = (await (await app.request('/api/v1/reports', { token: alice.token })).json()) as { items: unknown[] };
    expect(mine.items.length).toBe(1);
    const theirs = (await (await app.request('/api/v1/reports', { token: bob.token })).json()) as { items: unknown[] };
    expect(theirs.items).toEqual([]);
    await expectStatus('/api/v1/reports/run', { method: 'POST', token: bob.token, json: { period: '2026-10' } }, 403);
  });

  test('random and malformed ids are 404 or 400, never 500', async () => {
    await expectStatus('/api/v1/files/00000000-0000-4000-8000-000000000000/download', { token: bob.token }, 404);
    await expectStatus('/api/v1/exports/00000000-0000-4000-8000-000000000000', { token: bob.token }, 404);
    await expectStatus('/api/v1/files/not-a-uuid/download', { token: bob.token }, 400);
  });
});

describe('sessions', () => {
  test('no, garbage, expired and revoked sessions are 401', async () => {
    await expectStatus('/api/v1/me', {}, 401);
    await expectStatus('/api/v1/me', { token: 'ps_garbage' }, 401);
    await expectStatus('/api/v1/me', { token: 'x'.repeat(5000) }, 401);

    const carol = await app.login('carol-acl@example.com');
    seenSecrets.push(carol.token);
    await expectStatus('/api/v1/me', { token: carol.token }, 200);
    app.clock.advance(app.config.app.auth.sessionTtlMs + 1000);
    try {
      await expectStatus('/api/v1/me', { token: carol.token }, 401);
      await expectStatus('/api/v1/me', { cookie: carol.cookie }, 401);
    } finally {
      app.clock.reset();
    }

    const dave = await app.login('dave-acl@example.com');
    seenSecrets.push(dave.token);
    await expectStatus('/api/v1/auth/logout', { method: 'POST', token: dave.token }, 204);
    await expectStatus('/api/v1/me', { token: dave.token }, 401);
    await expectStatus('/api/v1/me', { cookie: dave.cookie }, 401);
    await expectStatus(`/api/v1/files/${aliceFile.id}/download`, { token: dave.token }, 401);
  });

  test('OTP guessing: wrong codes are refused, then the code locks even for the right answer', async () => {
    const email = 'erin-acl@example.com';
    await app.seed.user({ email });
    const mark = app.smtp.messages.length;
    await expectStatus('/api/v1/auth/otp/request', { method: 'POST', json: { email } }, 202);
    const code = await app.otpFromMail(email, mark);
    seenSecrets.push(code);
    const wrong = code === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < app.config.app.auth.otpMaxAttempts + 2; i++) {
      const res = await app.request('/api/v1/auth/otp/verify', { method: 'POST', json: { email, code: wrong } });
      statuses.push(res.status);
    }
    tally.checks += statuses.length;
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const right = await app.request('/api/v1/auth/otp/verify', { method: 'POST', json: { email, code } });
    tally.checks++;
    expect(right.status).not.toBe(200);
  });

  test('OTP requests per email are rate-limited with Retry-After', async () => {
    const email = 'nobody-acl@example.com';
    let limited: Response | undefined;
    for (let i = 0; i <= app.config.app.auth.otpPerEmailPerHour && !limited; i++) {
      const res = await app.request('/api/v1/auth/otp/request', { method: 'POST', json: { email } });
      tally.checks++;
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(202);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    // An hour later the budget is back.
    app.clock.advance(HOUR + 1000);
    try {
      await expectStatus('/api/v1/auth/otp/request', { method: 'POST', json: { email } }, 202);
    } finally {
      app.clock.reset();
    }
  });
});

describe('cookies and CSRF', () => {
  test('session cookie is HttpOnly, SameSite=Lax, Path=/, and not Secure outside production', async () => {
    const email = 'frank-acl@example.com';
    await app.seed.user({ email });
    const mark = app.smtp.messages.length;
    await app.request('/api/v1/auth/otp/request', { method: 'POST', json: { email } });
    const code = await app.otpFromMail(email, mark);
    seenSecrets.push(code);
    const res = await expectStatus('/api/v1/auth/otp/verify', { method: 'POST', json: { email, code } }, 200);
    seenSecrets.push(((await res.json()) as { token: string }).token);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^pulse_session=/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(cookie).not.toMatch(/;\s*Secure/i);
  });

  test('in production the cookie is Secure', async () => {
    const prod = await startTestApp({ env: { NODE_ENV: 'production' } });
    try {
      const email = 'prod-acl@example.com';
      await prod.seed.user({ email });
      const mark = prod.smtp.messages.length;
      await prod.request('/api/v1/auth/otp/request', { method: 'POST', json: { email } });
      const code = await prod.otpFromMail(email, mark);
      const res = await prod.request('/api/v1/auth/otp/verify', { method: 'POST', json: { email, code } });
      tally.checks++;
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie') ?? '').toMatch(/;\s*Secure/i);
      expect(res.headers.get('strict-transport-security')).toBeTruthy();
    } finally {
      await prod.close();
    }
  });

  test('cookie-authenticated state changes need X-Requested-With; bearer clients do not', async () => {
    const body = { filename: 'csrf.pdf', contentType: 'application/pdf', size: 10 };
    await expectStatus('/api/v1/files/uploads', { method: 'POST', cookie: alice.cookie, csrf: false, json: body }, 403);
    await expectStatus('/api/v1/files/uploads', { method: 'POST', cookie: alice.cookie, json: body }, 201);
    await expectStatus('/api/v1/files/uploads', { method: 'POST', token: alice.token, json: body }, 201);
    await expectStatus(`/api/v1/files/${aliceFile.id}`, { method: 'DELETE', cookie: alice.cookie, csrf: false }, 403);
    await expectStatus('/api/v1/auth/logout', { method: 'POST', cookie: alice.cookie, csrf: false }, 403);
    // A cross-site HTML form can only send simple content types: still refused.
    await expectStatus(
      '/api/v1/exports',
      {
        method: 'POST',
        cookie: alice.cookie,
        csrf: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: 'format=csv&from=2026-01-01&to=2026-01-02',
      },
      403,
    );
    // Alice's session survived the forged logout.
    await expectStatus('/api/v1/me', { cookie: alice.cookie }, 200);
  });
});

describe('report links', () => {
  const aliceOct = () => ({ followerId: alice.user.id, period: '2026-10', format: 'pdf' as const });
  const sign = (claims: { sub: string; purpose?: string; expSec: number }) =>
    signToken(app.config.keys.reportLinks, {
      sub: claims.sub,
      purpose: claims.purpose ?? REPORT_LINK_PURPOSE,
      exp: Math.floor(Date.now() / 1000) + claims.expSec,
    });
  const scoped = (scope: ReportLinkScope, expSec = 3600) =>
    sign({ sub: `${scope.followerId}/${scope.period}/${scope.format}`, expSec });

  test('valid → 302; tampered, wrong purpose, foreign or removed key, non-report scope → 404; expired → 410; deleted file → 410', async () => {
    const good = new URL(
      reportLink(aliceOct(), { keys: app.config.keys.reportLinks, publicBaseUrl: app.url, now: new Date() }),
    ).pathname.slice(3);
    seenSecrets.push(good);
    const ok = await expectStatus(`/r/${good}`, {}, 302);
    expect(ok.headers.get('location')).toMatch(/^http/);
    expect(good).not.toContain(aliceFile.id);

    const [kid, body, mac] = good.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    await expectStatus(`/r/${kid}.${body}.${flip(mac, 3)}`, {}, 404);
    await expectStatus(`/r/${kid}.${flip(body, 5)}.${mac}`, {}, 404);
    await expectStatus(`/r/${body}.${mac}`, {}, 404);
    await expectStatus(`/r/${body}`, {}, 404);
    await expectStatus(`/r/${encodeURIComponent('../../etc/passwd')}`, {}, 404);
    await expectStatus(
      `/r/${sign({ sub: `${alice.user.id}/2026-10/pdf`, purpose: 'local-storage', expSec: 3600 })}`,
      {},
      404,
    );
    // A token of this purpose naming a file id (any file, even a report) is not a report scope.
    await expectStatus(`/r/${sign({ sub: aliceFile.id, expSec: 3600 })}`, {}, 404);
    const foreign = signToken(signingKeys('REPORT_LINK_SECRET', 'another-secret-of-sufficient-length'), {
      sub: `${alice.user.id}/2026-10/pdf`,
      purpose: REPORT_LINK_PURPOSE,
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    await expectStatus(`/r/${foreign}`, {}, 404);
    // Another follower's or period's report, or the format that was not produced: nothing to serve.
    await expectStatus(`/r/${scoped({ ...aliceOct(), followerId: bob.user.id })}`, {}, 410);
    await expectStatus(`/r/${scoped({ ...aliceOct(), period: '2026-09' })}`, {}, 410);
    await expectStatus(`/r/${scoped({ ...aliceOct(), format: 'xlsx' })}`, {}, 410);

    const expired = await expectStatus(`/r/${scoped(aliceOct(), -1)}`, {}, 410);
    expect(expired.headers.get('content-type')).toMatch(/html/);
    // 31 days later the good link is expired too (injected clock).
    app.clock.advance(31 * 86_400_000);
    try {
      await expectStatus(`/r/${good}`, {}, 410);
    } finally {
      app.clock.reset();
    }

    const gone = await app.seed.file({
      ownerId: alice.user.id,
      filename: 'gone.pdf',
      kind: 'report',
      status: 'deleted',
    });
    await app.db.pool.query(
      `INSERT INTO report_deliveries (id, follower_id, report_period, status, email_sent, pdf_file_id, storage_uploaded)
       VALUES (gen_random_uuid(), $1, '2026-08', 'sent', true, $2, true)`,
      [alice.user.id, gone.id],
    );
    await expectStatus(`/r/${scoped({ ...aliceOct(), period: '2026-08' })}`, {}, 410);
  });
});

describe('storage abuse and key rotation', () => {
  const startUpload = (who: LoggedIn, size = 4) =>
    app.request('/api/v1/files/uploads', {
      method: 'POST',
      token: who.token,
      json: { filename: 'q.csv', contentType: 'text/csv', size },
    });

  test('unfinished uploads are capped per user (429 quota_exceeded); a completed upload cannot be swapped', async () => {
    const mallory = await app.login('mallory-acl@example.com');
    seenSecrets.push(mallory.token);
    const first = (await (await startUpload(mallory)).json()) as {
      fileId: string;
      uploadUrl: string;
      headers: Record<string, string>;
    };
    seenSecrets.push(first.uploadUrl);
    expect((await fetch(first.uploadUrl, { method: 'PUT', headers: first.headers, body: 'a,b\n' })).status).toBe(200);
    await expectStatus(`/api/v1/files/${first.fileId}/complete`, { method: 'POST', token: mallory.token }, 200);
    // The URL still works for 15 minutes; what it writes is not the completed file.
    expect((await fetch(first.uploadUrl, { method: 'PUT', headers: first.headers, body: 'x,y\n' })).status).toBe(200);
    const res = await expectStatus(`/api/v1/files/${first.fileId}/download`, { token: mallory.token }, 302);
    expect(await (await fetch(res.headers.get('location')!)).text()).toBe('a,b\n');

    for (let i = 0; i < app.config.app.quotas.pendingUploads; i++) {
      tally.checks++;
      expect((await startUpload(mallory)).status).toBe(201);
    }
    const refused = await expectStatus(
      '/api/v1/files/uploads',
      {
        method: 'POST',
        token: mallory.token,
        json: { filename: 'q.csv', contentType: 'text/csv', size: 4 },
      },
      429,
    );
    expect(await refused.json()).toMatchObject({ error: { code: 'quota_exceeded' } });
  });

  test('a report link minted before a key rotation works with the previous key configured, not after', async () => {
    const url = new URL(
      reportLink(
        { followerId: alice.user.id, period: '2026-10', format: 'pdf' },
        { keys: app.config.keys.reportLinks, publicBaseUrl: app.url, now: new Date() },
      ),
    ).pathname;
    seenSecrets.push(url.slice(3));
    const old = app.config.keys;
    const next = 'reliability-next-report-link-secret';
    try {
      app.config.keys = {
        ...old,
        reportLinks: signingKeys('REPORT_LINK_SECRET', next, old.reportLinks.current.secret),
      };
      await expectStatus(url, {}, 302);
      app.config.keys = { ...old, reportLinks: signingKeys('REPORT_LINK_SECRET', next) };
      await expectStatus(url, {}, 404);
    } finally {
      app.config.keys = old;
    }
  });
});

test('no token, code or key reached the logs; figures recorded', () => {
  const codes = app.smtp.messages.flatMap((m) => [...m.text.matchAll(/\b(\d{6})\b/g)].map((x) => x[1]!));
  const hits = scanForSecrets(
    [{ name: 'ui-api', lines: app.logs.lines }],
    [
      ...seenSecrets,
      ...codes,
      app.config.s3.credentials!.secretAccessKey,
      ...Object.values(app.config.keys).map((k) => k.current.secret),
    ],
  );
  recordScenario({
    id: '03-access-matrix',
    title: 'Access matrix: ownership, sessions, OTP, cookies, CSRF, report links, quotas, key rotation',
    ci: true,
    injected:
      "another user's ids, expired/revoked/garbage sessions, OTP guessing, missing CSRF header, forged links, report-link tokens naming files or other reports, upload bursts past the quota, a PUT after /complete, a key rotation",
    jobs: tally.checks,
    lost: 0,
    duplicated: 0,
    errors: tally.failed + hits.length,
    proves:
      "Bob gets 404 (never 403 or the data) for Alice's files, exports, acquisitions and report files, and his deletes change nothing; expired, revoked and garbage sessions get 401 by bearer and by cookie; a 6-digit code locks after the configured wrong attempts (429), even for the right code; per-email code requests are limited with Retry-After; the session cookie is HttpOnly, SameSite=Lax and Secure in production (with HSTS); cookie-authenticated state changes without `X-Requested-With` (including a cross-site form post and a forged logout) are refused; report links with a flipped MAC or body byte, another purpose, another key or a subject that is a file id rather than a report scope are 404; a link serves only its follower's report of its period and format (another follower, period or format: 410, never another file); expired or for a deleted file 410, as a readable page; a link minted before a key rotation works while the previous key is configured and is 404 once it is removed; unfinished uploads beyond the per-user quota are 429 `quota_exceeded`; a PUT with a completed upload's still-valid URL does not change the file that is served.",
  });
  expect(hits).toEqual([]);
});
