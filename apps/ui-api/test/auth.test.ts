import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@pulse/config';
import { createDb, isDatabaseUnavailable } from '@pulse/db';
import { eventually } from '@pulse/testing';
import { createVerifyThrottle } from '../src/auth/verify-throttle';
import { uiApiKeys } from '../src/config';
import { startTestApp, type TestApp } from './harness';

let app: TestApp;
/** NODE_ENV=production and tight limits: Secure cookies, rate limits reachable in a few requests. */
let strict: TestApp;
/** Behind one proxy hop (TRUST_PROXY=1), clients told apart by X-Forwarded-For; small limits. */
let proxied: TestApp;
const secrets: string[] = [];

beforeAll(async () => {
  [app, strict, proxied] = await Promise.all([
    startTestApp(),
    startTestApp({
      env: { NODE_ENV: 'production', OTP_RATE_PER_EMAIL_PER_HOUR: '3', OTP_RATE_PER_IP_PER_HOUR: '5' },
    }),
    startTestApp({
      env: {
        TRUST_PROXY: '1',
        OTP_RATE_PER_EMAIL_CLIENT_PER_HOUR: '2',
        OTP_RATE_PER_EMAIL_PER_HOUR: '20',
        OTP_RATE_PER_IP_PER_HOUR: '3',
        OTP_MAX_LIVE_CODES: '3',
        OTP_VERIFY_FAILURES_PER_CLIENT_PER_HOUR: '4',
        OTP_VERIFY_FAILURES_PER_HOUR: '12',
      },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([app?.close(), strict?.close(), proxied?.close()]);
});

/** A request as the proxy forwards it: whatever the client wrote, then the address the proxy saw. */
const from = (client: string, clientWrote?: string) => ({
  headers: { 'x-forwarded-for': clientWrote ? `${clientWrote}, ${client}` : client },
});
const requestFrom = (client: string, email: string, clientWrote?: string) =>
  proxied.request('/api/v1/auth/otp/request', { method: 'POST', json: { email }, ...from(client, clientWrote) });
const verifyFrom = (client: string, email: string, code: string) =>
  proxied.request('/api/v1/auth/otp/verify', { method: 'POST', json: { email, code }, ...from(client) });
const wrongCode = (code: string) => (code === '000000' ? '000001' : '000000');

const requestCode = (target: TestApp, email: string) =>
  target.request('/api/v1/auth/otp/request', { method: 'POST', json: { email } });
const verify = (target: TestApp, email: string, code: string) =>
  target.request('/api/v1/auth/otp/verify', { method: 'POST', json: { email, code } });

/** Requests a code for a known user and reads it from the captured email. */
async function freshCode(target: TestApp, email: string): Promise<string> {
  await target.seed.user({ email });
  const mark = target.smtp.messages.length;
  expect((await requestCode(target, email)).status).toBe(202);
  const code = await target.otpFromMail(email, mark);
  secrets.push(code);
  return code;
}

function setCookie(res: Response, name = 'pulse_session'): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  expect(cookie).toBeDefined();
  return cookie!;
}

describe('OTP sign-in', () => {
  it('emails a code, exchanges it for a session, and /me answers with the user', async () => {
    const email = 'alice@example.com';
    const code = await freshCode(app, email);
    const res = await verify(app, 'Alice@Example.com', code);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: { email: string }; expiresAt: string };
    secrets.push(body.token);
    expect(body.user.email).toBe(email);
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    const me = await app.request('/api/v1/me', { token: body.token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email, role: 'user' });
    // A code is single-use.
    expect((await verify(app, email, code)).status).toBe(401);
  });

  it('answers unknown emails exactly like known ones, and sends them nothing', async () => {
    const mark = app.smtp.messages.length;
    const res = await requestCode(app, 'nobody@example.com');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(app.smtp.messages.slice(mark).some((m) => m.to.includes('nobody@example.com'))).toBe(false);
    expect((await verify(app, 'nobody@example.com', '123456')).status).toBe(401);
  });

  it('does not echo the code unless AUTH_DEV_ECHO is on', async () => {
    await app.seed.user({ email: 'echo@example.com' });
    const res = await requestCode(app, 'echo@example.com');
    expect(await res.json()).toEqual({ ok: true });
  });

  it('kills the code after 5 wrong attempts, even for the right code afterwards', async () => {
    const email = 'bruteforce@example.com';
    const code = await freshCode(app, email);
    const wrong = code === '000000' ? '000001' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await verify(app, email, wrong)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const after = await verify(app, email, code);
    expect(after.status).toBe(429);
    expect(await after.json()).toMatchObject({ error: { code: 'rate_limited' } });
    const row = await app.db.prisma.otpCode.findFirst({ where: { email }, orderBy: { createdAt: 'desc' } });
    expect(row).toMatchObject({ attempts: 5, codeHash: '' });
    // A new code works again.
    const again = await freshCode(app, email);
    expect((await verify(app, email, again)).status).toBe(200);
  });

  it('rejects an expired code with 401 (clock moved past the 10 minutes)', async () => {
    const email = 'late@example.com';
    const code = await freshCode(app, email);
    app.clock.advance(10 * 60_000 + 1000);
    try {
      const res = await verify(app, email, code);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    } finally {
      app.clock.reset();
    }
  });
});

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/ with the session lifetime, not Secure outside production', async () => {
    const code = await freshCode(app, 'cookie@example.com');
    const cookie = setCookie(await verify(app, 'cookie@example.com', code));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=604800/);
    expect(cookie).not.toMatch(/; Secure/);
  });

  it('is Secure in production, named __Host- (no Domain, Path=/), and only that name is read', async () => {
    const code = await freshCode(strict, 'prod@example.com');
    const cookie = setCookie(await verify(strict, 'prod@example.com', code), '__Host-pulse_session');
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Domain=/i);
    const token = cookie.slice('__Host-pulse_session='.length).split(';')[0]!;
    secrets.push(token);
    expect((await strict.request('/api/v1/me', { cookie: `__Host-pulse_session=${token}` })).status).toBe(200);
    // A cookie without the prefix may have been planted by a sibling host or over plain http.
    expect((await strict.request('/api/v1/me', { cookie: `pulse_session=${token}` })).status).toBe(401);
  });

  it('that does not parse is no session (401 on the API, 200 elsewhere), never a 500', async () => {
    const { token } = await app.login('garbled@example.com');
    secrets.push(token);
    const before = app.logs.lines.length;
    for (const cookie of ['pulse_session=%E0%A4%A', 'pulse_session=%', 'pulse_session="%ZZ', '=;;=%;pulse_session']) {
      const me = await app.request('/api/v1/me', { cookie });
      expect(me.status).toBe(401);
      expect(await me.json()).toMatchObject({ error: { code: 'unauthorized' } });
      expect((await app.request('/health', { cookie })).status).toBe(200);
      // A bearer token still signs the request in whatever the Cookie header holds.
      expect((await app.request('/api/v1/me', { cookie, token })).status).toBe(200);
    }
    const levels = app.logs.lines.slice(before).map((l) => (JSON.parse(l) as { level: unknown }).level);
    expect(levels.filter((l) => l === 'error' || l === 'fatal' || (typeof l === 'number' && l >= 50))).toEqual([]);
  });

  it('is not Secure in production with SESSION_COOKIE_SECURE=0 (plain http on a LAN)', async () => {
    const lan = await startTestApp({ env: { NODE_ENV: 'production', SESSION_COOKIE_SECURE: '0' } });
    try {
      const code = await freshCode(lan, 'lan@example.com');
      const cookie = setCookie(await verify(lan, 'lan@example.com', code));
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).not.toMatch(/; Secure/);
    } finally {
      await lan.close();
    }
  });
});

describe('CSRF and logout', () => {
  it('refuses a cookie POST without X-Requested-With, accepts it with the header', async () => {
    const { cookie, token } = await app.login('csrf@example.com');
    secrets.push(token);
    const blocked = await app.request('/api/v1/auth/logout', { method: 'POST', cookie, csrf: false });
    expect(blocked.status).toBe(403);
    expect(await blocked.json()).toMatchObject({ error: { code: 'csrf' } });
    expect((await app.request('/api/v1/me', { cookie })).status).toBe(200);

    const ok = await app.request('/api/v1/auth/logout', { method: 'POST', cookie });
    expect(ok.status).toBe(204);
    expect(ok.headers.getSetCookie().join()).toMatch(/pulse_session=;/);
    expect((await app.request('/api/v1/me', { cookie })).status).toBe(401);
  });

  it('refuses logout without the header even with no session: a cross-site form signs nobody out', async () => {
    const { cookie, token } = await app.login('forged-logout@example.com');
    secrets.push(token);
    // What a cross-site form sends: the cookie (SameSite=Lax aside), a simple content type, no header.
    for (const init of [
      { cookie, csrf: false },
      { cookie, csrf: false, headers: { 'sec-fetch-site': 'cross-site' } },
      { cookie: 'pulse_session=expired-or-unknown', csrf: false },
      {},
    ]) {
      const res = await app.request('/api/v1/auth/logout', {
        method: 'POST',
        body: 'x=1',
        ...init,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'csrf' } });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect((await app.request('/api/v1/me', { cookie })).status).toBe(200);
    // The browser's own word for a same-origin request is enough.
    const ok = await app.request('/api/v1/auth/logout', {
      method: 'POST',
      cookie,
      csrf: false,
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(ok.status).toBe(204);
    expect((await app.request('/api/v1/me', { cookie })).status).toBe(401);
  });

  it('lets bearer clients POST without the header, and logout revokes the token', async () => {
    const { token } = await app.login('script@example.com');
    secrets.push(token);
    const res = await app.request('/api/v1/auth/logout', { method: 'POST', token });
    expect(res.status).toBe(204);
    const me = await app.request('/api/v1/me', { token });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('honours a revocation or a role change made elsewhere (another replica, psql) as soon as Postgres says so', async () => {
    const { token, user } = await app.login('replica@example.com');
    secrets.push(token);
    const me = async () => app.request('/api/v1/me', { token });
    expect(await (await me()).json()).toMatchObject({ role: 'user' });
    // The session is cached now; the changes below bypass this process entirely.
    await app.db.pool.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
    await eventually(async () => expect(await (await me()).json()).toMatchObject({ role: 'admin' }));
    await app.db.pool.query('UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1', [user.id]);
    await eventually(async () => expect((await me()).status).toBe(401));
  });

  it('answers 401 for unknown, malformed and expired sessions', async () => {
    expect((await app.request('/api/v1/me')).status).toBe(401);
    expect((await app.request('/api/v1/me', { token: 'ps_not-a-real-token' })).status).toBe(401);
    expect((await app.request('/api/v1/me', { token: 'x'.repeat(5000) })).status).toBe(401);
    const { token } = await app.login('expiring@example.com');
    secrets.push(token);
    app.clock.advance(7 * 24 * 3600_000 + 1000);
    try {
      expect((await app.request('/api/v1/me', { token })).status).toBe(401);
    } finally {
      app.clock.reset();
    }
  });
});

describe('rate limits', () => {
  it('rate-limits code requests per email with 429 and Retry-After', async () => {
    await strict.seed.user({ email: 'limited@example.com' });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await requestCode(strict, 'limited@example.com');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await last!.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('rate-limits code requests per IP across emails', async () => {
    // Every request in this file comes from 127.0.0.1; the per-IP limit is 5 an hour.
    const used = await strict.db.prisma.otpCode.count();
    const statuses: number[] = [];
    for (let i = used; i <= 5; i++) statuses.push((await requestCode(strict, `ip${i}@example.com`)).status);
    expect(statuses).toEqual([...Array(5 - used).fill(202), 429]);
  });
});

describe('a stranger cannot lock a known user out (per-client limits, several live codes)', () => {
  it("keeps Alice's code valid and her own requests open while strangers ask for codes for her", async () => {
    const email = 'alice-target@example.com';
    await proxied.seed.user({ email });
    const mark = proxied.smtp.messages.length;
    expect((await requestFrom('198.51.100.1', email)).status).toBe(202);
    const code = await proxied.otpFromMail(email, mark);
    secrets.push(code);
    // A stranger on one address: two requests an hour for this email, then 429, whatever it does.
    const stranger = [];
    for (let i = 0; i < 4; i++) stranger.push((await requestFrom('203.0.113.50', email)).status);
    expect(stranger).toEqual([202, 202, 429, 429]);
    // A second stranger address gets its own two; the live codes (3) are now full.
    expect((await requestFrom('203.0.113.51', email)).status).toBe(202);
    expect((await requestFrom('203.0.113.52', email)).status).toBe(429);
    // Alice's code, sent before all of that, still signs her in.
    expect((await verifyFrom('198.51.100.1', email, code)).status).toBe(200);
    // And her resend from her own address replaces her own code only.
    const again = proxied.smtp.messages.length;
    expect((await requestFrom('198.51.100.1', email)).status).toBe(202);
    const second = await proxied.otpFromMail(email, again);
    secrets.push(second);
    expect((await verifyFrom('198.51.100.1', email, second)).status).toBe(200);
  });

  it("a resend from the same client retires that client's previous code", async () => {
    const email = 'resend@example.com';
    await proxied.seed.user({ email });
    let mark = proxied.smtp.messages.length;
    await requestFrom('198.51.100.9', email);
    const first = await proxied.otpFromMail(email, mark);
    mark = proxied.smtp.messages.length;
    await requestFrom('198.51.100.9', email);
    const second = await proxied.otpFromMail(email, mark);
    secrets.push(first, second);
    if (first !== second) expect((await verifyFrom('198.51.100.9', email, first)).status).toBe(401);
    expect((await verifyFrom('198.51.100.9', email, second)).status).toBe(200);
  });
});

describe('client addresses behind a proxy (TRUST_PROXY as hops)', () => {
  it('limits the address the proxy saw, not the X-Forwarded-For entry the client wrote', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await requestFrom('192.0.2.77', `spoof${i}@example.com`, `10.9.9.${i}`)).status);
    }
    // OTP_RATE_PER_IP_PER_HOUR=3: rotating the forged leftmost entry buys nothing.
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    const rows = await proxied.db.pool.query<{ request_ip: string }>(
      "SELECT DISTINCT request_ip FROM otp_codes WHERE email LIKE 'spoof%'",
    );
    expect(rows.rows).toEqual([{ request_ip: '192.0.2.77' }]);
  });

  it('limits IPv6 clients per /64, however many addresses of it they use', async () => {
    const statuses = [];
    for (let i = 1; i <= 5; i++)
      statuses.push((await requestFrom(`2001:db8:7:8::${i.toString(16)}`, `v6-${i}@example.com`)).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    // Another /64 is another client.
    expect((await requestFrom('2001:db8:7:9::1', 'v6-other@example.com')).status).toBe(202);
    // An IPv4-mapped IPv6 address is its IPv4 client.
    expect((await requestFrom('::ffff:192.0.2.77', 'mapped@example.com')).status).toBe(429);
  });
});

describe('verify throttle', () => {
  it('caps wrong codes per client across accounts, then for everyone, and counts rejections in a metric', async () => {
    const emails = ['v1@example.com', 'v2@example.com', 'v3@example.com'];
    const codes: string[] = [];
    for (const email of emails) {
      await proxied.seed.user({ email });
      const mark = proxied.smtp.messages.length;
      await requestFrom('198.51.100.200', email);
      codes.push(await proxied.otpFromMail(email, mark));
    }
    secrets.push(...codes);
    // One client spraying guesses over accounts: 4 wrong codes an hour, then 429 even for a right one.
    const sprayer = [];
    for (let i = 0; i < 4; i++)
      sprayer.push((await verifyFrom('203.0.113.99', emails[i % 2]!, wrongCode(codes[i % 2]!))).status);
    expect(sprayer).toEqual([401, 401, 401, 401]);
    const blocked = await verifyFrom('203.0.113.99', emails[2]!, codes[2]!);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other clients are not affected by that one...
    expect((await verifyFrom('198.51.100.200', emails[2]!, codes[2]!)).status).toBe(200);
    // ...until the wrong codes of everyone together (this file's included) reach the global cap (12 an hour).
    let status = 0;
    for (let i = 1; i <= 12 && status !== 429; i++) {
      status = (await verifyFrom(`2001:db8:${i}::1`, `nobody${i}@example.com`, '123456')).status;
    }
    expect(status).toBe(429);

    const text = await (await proxied.ops('/metrics')).text();
    expect(text).toMatch(/pulse_auth_otp_rejected_total\{reason="invalid"[^}]*\} 12/);
    expect(text).toMatch(/pulse_auth_otp_rejected_total\{reason="throttled"[^}]*\} 2/);
  });

  it('holds its limits across replicas and restarts (counted in Postgres) and forgets past hours', async () => {
    const env = {
      TRUST_PROXY: '1',
      OTP_VERIFY_FAILURES_PER_CLIENT_PER_HOUR: '4',
      OTP_VERIFY_FAILURES_PER_HOUR: '1000',
    };
    const first = await startTestApp({ env });
    // A second replica on the same database, as compose and Kubernetes run ui-api.
    const second = await startTestApp({ env: { ...env, DATABASE_URL: first.config.db.url } });
    const wrong = (target: TestApp) =>
      target.request('/api/v1/auth/otp/verify', {
        method: 'POST',
        json: { email: 'spray@example.com', code: '123456' },
        ...from('203.0.113.150'),
      });
    try {
      // Two wrong codes on each replica: together the client's 4 an hour, so both now refuse it.
      const statuses = [];
      for (const target of [first, second, first, second]) statuses.push((await wrong(target)).status);
      expect(statuses).toEqual([401, 401, 401, 401]);
      expect((await wrong(first)).status).toBe(429);
      expect((await wrong(second)).status).toBe(429);
    } finally {
      await second.close();
    }
    // A replica started afterwards (a restart) refuses the client too: nothing was kept in a process.
    const restarted = await startTestApp({ env: { ...env, DATABASE_URL: first.config.db.url } });
    try {
      expect((await wrong(restarted)).status).toBe(429);
    } finally {
      await restarted.close();
    }

    // Rows of past hours go as soon as a failure is counted in a later one: the table stays one window big.
    const throttle = createVerifyThrottle(first.db, first.config.app.auth);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await throttle.failed('198.51.100.7', hourAgo);
    const windows = () =>
      first.db.pool
        .query<{ w: Date }>('SELECT DISTINCT window_start AS w FROM otp_verify_failures ORDER BY 1')
        .then((r) => r.rows.length);
    expect(await windows()).toBe(2);
    expect(await throttle.retryAfterSec('198.51.100.7', hourAgo)).toBe(0);
    await throttle.failed('198.51.100.7', new Date());
    expect(await windows()).toBe(1);
    await first.close();
  }, 60_000);

  it('fails as "database unavailable" (503 by the error handler, never a 500) when Postgres cannot be reached', async () => {
    // Nothing listens on port 1: a real refused connection, as when Postgres is down or failing over.
    const down = createDb({ ...proxied.config.db, url: 'postgresql://postgres@127.0.0.1:1/postgres' });
    const throttle = createVerifyThrottle(down, proxied.config.app.auth);
    try {
      for (const step of [
        () => throttle.retryAfterSec('203.0.113.7', new Date()),
        () => throttle.failed('203.0.113.7', new Date()),
      ]) {
        const err = await step().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isDatabaseUnavailable(err)).toBe(true);
      }
    } finally {
      await down.close();
    }
  });
});

describe('metrics', () => {
  it('count sign-in outcomes, so brute force shows up on a dashboard', async () => {
    const text = await (await app.ops('/metrics')).text();
    expect(text).toMatch(/auth_otp_outcomes_total\{step="verify",outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/auth_otp_outcomes_total\{step="verify",outcome="rejected"[^}]*\} [1-9]/);
    expect(text).toMatch(/auth_otp_outcomes_total\{step="verify",outcome="locked"[^}]*\} [1-9]/);
    const strictText = await (await strict.ops('/metrics')).text();
    expect(strictText).toMatch(/auth_otp_outcomes_total\{step="request",outcome="rate_limited"[^}]*\} [1-9]/);
  });
});

describe('OTP key rotation', () => {
  it('hashes codes with OTP_HASH_SECRET (not a link key) and accepts a code sent before a rotation', async () => {
    const old = app.config.keys;
    const rotate = (extra: Record<string, string>) =>
      loadConfig({ keys: uiApiKeys }, { ...app.env, OTP_HASH_SECRET: 'the-next-otp-hash-secret-0123', ...extra }).keys;
    expect(old.otp.current.secret).not.toBe(old.reportLinks.current.secret);
    try {
      const before = await freshCode(app, 'rotation@example.com');
      app.config.keys = rotate({ OTP_HASH_SECRET_PREVIOUS: old.otp.current.secret });
      expect((await verify(app, 'rotation@example.com', before)).status).toBe(200);
      // Codes sent now are hashed with the new key and work too.
      const after = await freshCode(app, 'rotation@example.com');
      expect((await verify(app, 'rotation@example.com', after)).status).toBe(200);
    } finally {
      app.config.keys = old;
    }
  });

  it('no longer accepts a code hashed with a removed key', async () => {
    const old = app.config.keys;
    try {
      const code = await freshCode(app, 'removed@example.com');
      app.config.keys = loadConfig(
        { keys: uiApiKeys },
        { ...app.env, OTP_HASH_SECRET: 'the-next-otp-hash-secret-0123' },
      ).keys;
      expect((await verify(app, 'removed@example.com', code)).status).toBe(401);
    } finally {
      app.config.keys = old;
    }
  });
});

describe('logs', () => {
  it('never contain a session token or an OTP code', () => {
    const text = app.logs.text + strict.logs.text;
    expect(app.logs.events('login_ok').length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
