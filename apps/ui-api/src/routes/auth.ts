import { z } from '@pulse/config';
import { Counter } from '@pulse/runtime';
import { Router } from 'express';
import { clearSessionCookie, setSessionCookie } from '../auth/cookie';
import { rejectionReason, requestOtp, verifyOtp } from '../auth/otp';
import { createSession, revokeSession } from '../auth/sessions';
import { createVerifyThrottle } from '../auth/verify-throttle';
import type { AppDeps } from '../deps';
import { clientKey } from '../http/client-key';
import { errors, HttpError } from '../http/errors';
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
    name: 'pulse_auth_otp_outcomes_total',
    help: 'OTP requests and verifications by outcome',
    labelNames: ['step', 'outcome'],
    registers: [deps.metrics],
  });
  // Codes refused at verify, by why: its rate against the sign-in rate is the brute-force signal.
  const rejected = new Counter({
    name: 'pulse_auth_otp_rejected_total',
    help: 'Sign-in codes rejected at verify, by reason (invalid, expired, locked, throttled)',
    labelNames: ['reason'],
    registers: [deps.metrics],
  });
  const throttle = createVerifyThrottle(deps.db, deps.config.app.auth);

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
      const client = clientKey(req.ip);
      const issued = await counted('request', () => requestOtp(deps, { email: body.email, client }));
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
    async (req, res, { body, reply }) => {
      const client = clientKey(req.ip);
      const user = await counted('verify', async () => {
        const retryAfterSec = await throttle.retryAfterSec(client, deps.now());
        if (retryAfterSec) {
          rejected.inc({ reason: 'throttled' });
          throw errors.tooManyRequests('too many wrong sign-in codes; try again later', retryAfterSec);
        }
        try {
          return await verifyOtp(deps, body);
        } catch (err) {
          const reason = rejectionReason(err);
          if (reason) {
            await throttle.failed(client, deps.now());
            rejected.inc({ reason });
          }
          throw err;
        }
      });
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
