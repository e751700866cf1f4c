import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '@pulse/db';
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import type { AuthUser } from './context';
import { errors } from './errors';
import { type SessionCache, sessionRows } from './session-cache';

/**
 * Over https the cookie carries the `__Host-` prefix: browsers then accept it only with Secure, Path=/
 * and no Domain, so a sibling subdomain (or a man in the middle on plain http) can't plant or
 * overwrite a session cookie for this host.
 */
export const sessionCookieName = (secure: boolean) => (secure ? '__Host-pulse_session' : 'pulse_session');

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newSessionToken = () => `ps_${randomBytes(32).toString('base64url')}`;

/**
 * The session cookie's value, or undefined. Anyone who can set a cookie for the domain can send any
 * bytes here: `cookie` never throws on them (a value that doesn't decode is kept as sent, and then
 * simply matches no session), so a garbled header is an anonymous request, never a failed one.
 */
function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookies(header)[name] || undefined : undefined;
}

function tokenFrom(req: Request, cookieName: string): { token: string; via: AuthUser['via'] } | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), via: 'bearer' };
  const cookie = readCookie(req, cookieName);
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

/** Resolves the session (if any) for every request; only the token's hash is ever looked up. */
export function loadSession(deps: { db: Db; now?: () => Date; sessions: SessionCache; cookieName: string }) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const found = tokenFrom(req, deps.cookieName);
      if (found && found.token.length <= 200) {
        const now = deps.now?.() ?? new Date();
        const tokenHash = hashToken(found.token);
        const user = await deps.sessions.read(tokenHash, now.getTime(), async () => {
          const { rows } = await deps.db.pool.query<{
            session_id: string;
            expires_at: Date;
            id: string;
            email: string;
            name: string;
            role: AuthUser['role'];
          }>(
            `SELECT s.id AS session_id, s.expires_at, u.id, u.email, u.name, u.role
               FROM auth_sessions s JOIN users u ON u.id = s.user_id
              WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`,
            [tokenHash, now],
          );
          const row = rows[0];
          if (!row) return undefined;
          const value = { id: row.id, email: row.email, name: row.name, role: row.role, sessionId: row.session_id };
          return { value, rows: sessionRows(value), validUntil: row.expires_at.getTime() };
        });
        if (user) req.user = { ...user, via: found.via };
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function requireUser(req: Request): AuthUser {
  if (!req.user) throw errors.unauthorized();
  return req.user;
}

export function requireAdmin(req: Request): AuthUser {
  const user = requireUser(req);
  if (user.role !== 'admin') throw errors.forbidden('admin_only', 'this action needs an administrator');
  return user;
}

/**
 * CSRF defence for cookie sessions: state-changing requests must carry `X-Requested-With` (a header a
 * cross-site form can't set without a CORS preflight we never grant). Bearer clients are exempt.
 */
export function csrfGuard(req: Request, _res: Response, next: NextFunction) {
  const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
  if (safe || req.user?.via !== 'cookie' || sameOrigin(req)) return next();
  next(errors.forbidden('csrf', 'missing X-Requested-With: pulse header'));
}

/**
 * Logout acts on the cookie whether or not it holds a live session, so it can't lean on csrfGuard
 * (which only guards requests that resolved to a cookie session): a cross-site form must not be able
 * to sign anyone out. A bearer request proves itself: a form can't set Authorization.
 */
export function requireSameOrigin(req: Request): void {
  if (req.headers.authorization?.startsWith('Bearer ') || sameOrigin(req)) return;
  throw errors.forbidden('csrf', 'missing X-Requested-With: pulse header');
}

/** Our header (which needs a CORS preflight we never grant), or the browser saying same-origin. */
const sameOrigin = (req: Request) =>
  req.get('x-requested-with') === 'pulse' || req.get('sec-fetch-site') === 'same-origin';
