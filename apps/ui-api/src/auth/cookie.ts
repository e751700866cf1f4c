import type { CookieOptions, Response } from 'express';
import type { UiApiConfig } from '../config';
import { sessionCookieName } from '../http/session';

/**
 * HttpOnly: scripts (and XSS) can't read it. SameSite=Lax: not sent on cross-site POSTs (the CSRF
 * header check is the second line). Secure per SESSION_COOKIE_SECURE (by default in production, where
 * the UI is served over HTTPS), and then named with the `__Host-` prefix.
 */
function cookieOptions(config: UiApiConfig): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: config.app.cookieSecure, path: '/' };
}

export function setSessionCookie(res: Response, config: UiApiConfig, token: string, expiresAt: Date, now: Date) {
  res.cookie(sessionCookieName(config.app.cookieSecure), token, {
    ...cookieOptions(config),
    maxAge: expiresAt.getTime() - now.getTime(),
  });
}

export function clearSessionCookie(res: Response, config: UiApiConfig) {
  res.clearCookie(sessionCookieName(config.app.cookieSecure), cookieOptions(config));
}
