import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './harness';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('OTP sign-in', () => {
  it('emails a code, exchanges it for a session, and /me answers with the user', async () => {
    const { token, user } = await app.login('Alice@Example.com');
    const me = await app.request('/api/v1/me', { token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: user.id, email: 'alice@example.com' });
  });
});
