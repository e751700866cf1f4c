import { type ChangeFeed, RowCache } from '@pulse/db';
import type { AuthUser } from './context';

export type CachedUser = Omit<AuthUser, 'via'>;

/**
 * Verified sessions by token hash. Every authenticated request (downloads above all) would otherwise
 * cost a database round trip before its real work. An entry depends on its session row and its user
 * row: a logout, a revocation or a role change committed anywhere evicts it as soon as the change
 * feed hears it (this process's own logout evicts at once), and while the feed is down nothing is
 * cached. Expiry is always checked against the session's own `expires_at`.
 */
export const createSessionCache = (changes: ChangeFeed) =>
  new RowCache<CachedUser>(changes, { ttlMs: 60_000, maxEntries: 10_000 });

export type SessionCache = ReturnType<typeof createSessionCache>;

/** The rows a cached session is read from. */
export const sessionRows = (user: CachedUser) => [`auth_sessions:${user.sessionId}`, `users:${user.id}`];
