import { z } from '@pulse/config';
import { Counter } from '@pulse/runtime';
import { Router } from 'express';
import { clearSessionCookie, setSessionCookie } from '../auth/cookie';
import { requestOtp, verifyOtp } from '../auth/otp';
import { createSession, revokeSession } from '../auth/sessions';
import type { AppDeps } from '../deps';
import { HttpError } from '../http/errors';
import { otpRequested, signedIn, userBody } from '../http/response-schemas';
import { route } from '../http/route';
import { requireSameOrigin, requireUser } from '../http/session';

const email = z.email().max(254);
const otpRequestBody = z.strictObject({ email });
const otpVerifyBody = z.strictObject({ email, code: z.string().regex(/^\d{6}$/, 'must be 6 digits') });

export function authRoutes(deps: AppDeps): Router {
  const router = Router();
  // A rising `rejected`/`locked`/`rate_limited` rate is what a brute-force attempt looks like.
  const outcomes = new Counter({
    name: 'auth_otp_outcomes_total',
    help: 'OTP requests and verifications by outcome',
    labelNames: ['step', 'outcome'],
    registers: [deps.metrics],
  });
  async function counted<T>(step: 'request' | 'verify', work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      outcomes.inc({ step, outcome: 'ok' });
      return result;
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      const outcome =
        status === 429 ? (step === 'verify' ? 'locked' : 'rate_limited') : status === 401 ? 'rejected' : 'error';
      outcomes.inc({ step, outcome });
      throw err;
    }
  }

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/auth/otp/request',
      operationId: 'requestSignInCode',
      tag: 'Auth',
      summary: 'Email a 6-digit sign-in code (same answer whether or not the account exists)',
      body: otpRequestBody,
      responses: { 202: { description: 'accepted', schema: otpRequested }, 429: 'rate limited (Retry-After)' },
      auth: false,
    },
    async (req, _res, { body, reply }) => {
      const issued = await counted('request', () => requestOtp(deps, { email: body.email, ip: req.ip ?? 'unknown' }));
      reply(202, { ok: true, ...issued });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/auth/otp/verify',
      operationId: 'verifySignInCode',
      tag: 'Auth',
      summary: 'Exchange the code for a session (cookie for browsers, token for scripts)',
      body: otpVerifyBody,
      responses: {
        200: { description: 'signed in (also sets the session cookie)', schema: signedIn },
        401: 'wrong or expired code',
        429: 'too many wrong codes',
      },
      auth: false,
    },
    async (_req, res, { body, reply }) => {
      const user = await counted('verify', () => verifyOtp(deps, body));
      const now = deps.now();
      const session = await createSession(deps.db, { userId: user.id, now, ttlMs: deps.config.app.auth.sessionTtlMs });
      deps.logger.info({ event: 'login_ok', userId: user.id, sessionId: session.id }, 'signed in');
      setSessionCookie(res, deps.config, session.token, session.expiresAt, now);
      reply(200, { token: session.token, user, expiresAt: session.expiresAt.toISOString() });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/auth/logout',
      operationId: 'signOut',
      tag: 'Auth',
      summary: 'Revoke the current session',
      responses: { 204: 'signed out', 403: 'no X-Requested-With: pulse header (nor Sec-Fetch-Site: same-origin)' },
      auth: false,
    },
    async (req, res) => {
      requireSameOrigin(req);
      // Idempotent: signing out without a (valid) session still clears the cookie.
      if (req.user) {
        await revokeSession(deps.db, { sessionId: req.user.sessionId, now: deps.now() });
        deps.sessions.forgetRow(`auth_sessions:${req.user.sessionId}`);
        deps.logger.info({ event: 'logout', userId: req.user.id, sessionId: req.user.sessionId }, 'signed out');
      }
      clearSessionCookie(res, deps.config);
      res.status(204).end();
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/me',
      operationId: 'getMe',
      tag: 'Auth',
      summary: 'The signed-in user',
      responses: { 200: { description: 'the user', schema: userBody } },
    },
    (req, _res, { reply }) => {
      const { id, email, name, role } = requireUser(req);
      reply(200, { id, email, name, role });
    },
  );

  return router;
}
