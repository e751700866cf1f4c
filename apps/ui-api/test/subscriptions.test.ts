import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { unsubscribeLink } from '@pulse/reports';
import { type LoggedIn, startTestApp, type TestApp, whileTableMissing } from './harness';

let app: TestApp;
let alice: LoggedIn;
let bob: LoggedIn;
let admin: LoggedIn;

beforeAll(async () => {
  app = await startTestApp();
  alice = await app.login('alice-subs@example.com', { name: 'Alice' });
  bob = await app.login('bob-subs@example.com', { name: 'Bob' });
  admin = await app.login('admin-subs@example.com', { role: 'admin' });
  await app.db.prisma.device.createMany({
    data: [
      { id: 'sub-dev-1', name: 'Boiler' },
      { id: 'sub-dev-2', name: 'Chiller' },
      { id: 'sub-dev-3', name: 'Not followed' },
    ],
  });
  await app.db.prisma.deviceFollow.createMany({
    data: [
      { userId: alice.user.id, deviceId: 'sub-dev-1' },
      { userId: alice.user.id, deviceId: 'sub-dev-2' },
      { userId: bob.user.id, deviceId: 'sub-dev-2' },
    ],
  });
  // Telemetry in the last complete month before the app's clock, for the preview.
  await app.db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value)
     SELECT 'sub-dev-1', ts, 'temperature', 20 + extract(hour FROM ts) / 4
     FROM generate_series(date_trunc('month', now()) - interval '1 month', date_trunc('month', now()) - interval '1 hour', interval '1 hour') ts`,
  );
});
afterAll(async () => {
  await app?.close();
});

const patch = (who: LoggedIn, path: string, json: unknown) =>
  app.request(`/api/v1/subscriptions/${path}`, { method: 'PATCH', token: who.token, json });

interface SubscriptionView {
  frequency: string;
  formats: string;
  deviceIds: string[] | null;
  unsubscribedAt: string | null;
  nextDelivery: { at: string; period: string } | null;
}
interface Answer {
  subscription: SubscriptionView;
  devices: { id: string }[];
  history: { change: string; method: string }[];
  items: { user: { id: string; email: string }; subscription: SubscriptionView }[];
  error: { code: string; message: string };
  period: string;
  image: string;
}
/** The JSON body, typed loosely for assertions. */
const read = async (res: Response): Promise<Answer> => (await res.json()) as Answer;

describe('report subscriptions API', () => {
  it('shows the defaults until the follower changes something, with the next delivery', async () => {
    const res = await app.request('/api/v1/subscriptions/me', { token: alice.token });
    expect(res.status).toBe(200);
    const body = await read(res);
    expect(body.subscription).toMatchObject({
      userId: alice.user.id,
      frequency: 'monthly',
      formats: 'both',
      slot: '02:00',
      timeZone: 'UTC',
      deviceIds: null,
      paused: false,
      unsubscribedAt: null,
      saved: false,
    });
    expect(body.subscription.nextDelivery?.at).toMatch(/-01T02:00:00\.000Z$/);
    expect(body.devices.map((d) => d.id)).toEqual(['sub-dev-1', 'sub-dev-2']);
  });

  it('lets the owner change frequency, slot, time zone, formats and devices', async () => {
    const res = await patch(alice, 'me', {
      frequency: 'weekly',
      slot: '06:30',
      timeZone: 'Europe/Berlin',
      formats: 'pdf',
      deviceIds: ['sub-dev-2'],
    });
    expect(res.status).toBe(200);
    const { subscription } = await read(res);
    expect(subscription).toMatchObject({
      frequency: 'weekly',
      slot: '06:30',
      timeZone: 'Europe/Berlin',
      formats: 'pdf',
      deviceIds: ['sub-dev-2'],
      saved: true,
    });
    expect(new Date(subscription.nextDelivery?.at ?? 0).getUTCDay()).toBe(1);
    expect(subscription.nextDelivery?.period).toMatch(/^\d{4}-W\d{2}$/);
    // A partial change keeps the rest; null devices means every followed device again.
    const again = await read(await patch(alice, alice.user.id, { paused: true, deviceIds: null }));
    expect(again.subscription).toMatchObject({ frequency: 'weekly', formats: 'pdf', paused: true, deviceIds: null });
    await patch(alice, 'me', { paused: false });
  });

  it('answers bad input with a 400 JSON error naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ frequency: 'daily' }, 'body.frequency'],
      [{ slot: '25:00' }, 'body.slot'],
      [{ slot: '7:30' }, 'body.slot'],
      [{ timeZone: 'Mars/Olympus' }, 'body.timeZone'],
      [{ formats: 'csv' }, 'body.formats'],
      [{ deviceIds: [] }, 'body.deviceIds'],
      [{ paused: 'yes' }, 'body.paused'],
      [{ owner: 'me' }, 'body'],
    ];
    for (const [json, field] of cases) {
      const res = await patch(alice, 'me', json);
      expect(res.status).toBe(400);
      const body = await read(res);
      expect(body.error.code).toBe('validation_error');
      expect(body.error.message).toContain(field);
    }
    const unknown = await patch(alice, 'me', { deviceIds: ['sub-dev-1', 'sub-dev-3'] });
    expect(unknown.status).toBe(400);
    expect((await read(unknown)).error).toEqual({
      code: 'unknown_device',
      message: 'not a device you follow: sub-dev-3',
    });
    const badId = await app.request('/api/v1/subscriptions/not-a-uuid', { token: alice.token });
    expect(badId.status).toBe(400);
  });

  it("hides someone else's subscription (404) unless you are an administrator", async () => {
    expect((await app.request(`/api/v1/subscriptions/${alice.user.id}`, { token: bob.token })).status).toBe(404);
    expect((await patch(bob, alice.user.id, { paused: true })).status).toBe(404);
    expect((await app.request('/api/v1/subscriptions', { token: bob.token })).status).toBe(403);
    expect((await app.request('/api/v1/subscriptions/me')).status).toBe(401);

    const res = await patch(admin, bob.user.id, { formats: 'xlsx', subscribed: false });
    expect(res.status).toBe(200);
    expect((await read(res)).subscription).toMatchObject({ formats: 'xlsx', nextDelivery: null });
    const events = await app.db.prisma.reportSubscriptionEvent.findMany({ where: { userId: bob.user.id } });
    expect(events).toEqual([
      expect.objectContaining({ change: 'unsubscribed', method: 'admin', actorId: admin.user.id }),
    ]);
    const list = await read(await app.request('/api/v1/subscriptions', { token: admin.token }));
    const emails = list.items.map((i) => i.user.email);
    expect(emails).toEqual(expect.arrayContaining([alice.user.email, bob.user.email]));
    const bobs = list.items.find((i) => i.user.id === bob.user.id);
    expect(bobs?.subscription.unsubscribedAt).not.toBeNull();
    expect((await patch(bob, 'me', { subscribed: true })).status).toBe(200);
    const history = await read(await app.request('/api/v1/subscriptions/me', { token: bob.token }));
    expect(history.history.map((h) => [h.change, h.method])).toEqual([
      ['resubscribed', 'settings'],
      ['unsubscribed', 'admin'],
    ]);
  });

  it('renders a preview of the last complete period without emailing it', async () => {
    await patch(alice, 'me', { frequency: 'monthly', timeZone: 'UTC', deviceIds: ['sub-dev-1'] });
    const mails = app.smtp.messages.length;
    const res = await app.request('/api/v1/subscriptions/me/preview', { method: 'POST', token: alice.token });
    expect(res.status).toBe(200);
    const body = await read(res);
    const d = new Date();
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    expect(body).toMatchObject({ period: last, devices: 1 });
    const png = Buffer.from(body.image.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // 800 px on the long side: an A4 page is taller than wide.
    expect(png.readUInt32BE(20)).toBe(800);
    expect(app.smtp.messages.length).toBe(mails);
    expect(await app.db.prisma.reportDelivery.count()).toBe(0);
    expect(
      (await app.request(`/api/v1/subscriptions/${alice.user.id}/preview`, { method: 'POST', token: bob.token }))
        .status,
    ).toBe(404);
  });
});

describe('unsubscribe links (/u/{token})', () => {
  it('answer a failure on our side with the readable page, logged by route pattern without the token', async () => {
    const url = unsubscribeLink(alice.user.id, {
      keys: app.config.keys.unsubscribe,
      publicBaseUrl: '',
      now: new Date(),
    });
    const token = url.slice('/u/'.length);
    const before = app.logs.lines.length;
    // A real database failure mid-request: the subscriptions table is briefly not there.
    const res = await whileTableMissing(app, 'report_subscriptions', () => app.request(url));
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<h1>');
    const lines = app.logs.lines.slice(before).join('\n');
    expect(lines).toContain('"route":"/u/:token"');
    expect(lines).toContain('"event":"http_error"');
    expect(lines).not.toContain(token.slice(0, 20));
    // Working again: the page, and the access line names the pattern only.
    const ok = await app.request(url);
    expect(ok.status).toBe(200);
    expect(app.logs.lines.slice(before).join('\n')).not.toContain(token.slice(-20));
  });
});
