import type { AuthUser } from './context';

type CachedUser = Omit<AuthUser, 'via'>;
interface Entry {
  user: CachedUser;
  /** The session's own expiry and the end of this entry's freshness, whichever comes first. */
  validUntil: number;
}

/** How long a verified session is trusted without asking Postgres again. */
export const SESSION_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Recently verified sessions by token hash. Every authenticated request (downloads above all) would
 * otherwise cost a database round trip before its real work. A logout through this process forgets
 * the session at once; a revocation made elsewhere (another replica) takes effect within the TTL,
 * and expiry is always checked against the session's own `expires_at`.
 */
export class SessionCache {
  private readonly byHash = new Map<string, Entry>();

  get(tokenHash: string, now: Date): CachedUser | undefined {
    const entry = this.byHash.get(tokenHash);
    if (!entry) return undefined;
    if (entry.validUntil <= now.getTime()) {
      this.byHash.delete(tokenHash);
      return undefined;
    }
    return entry.user;
  }

  set(tokenHash: string, user: CachedUser, sessionExpiresAt: Date, now: Date): void {
    // Map keeps insertion order: dropping the oldest entry bounds memory under a flood of sessions.
    if (this.byHash.size >= MAX_ENTRIES) this.byHash.delete(this.byHash.keys().next().value as string);
    const validUntil = Math.min(sessionExpiresAt.getTime(), now.getTime() + SESSION_CACHE_TTL_MS);
    this.byHash.set(tokenHash, { user, validUntil });
  }

  forget(sessionId: string): void {
    for (const [hash, entry] of this.byHash) if (entry.user.sessionId === sessionId) this.byHash.delete(hash);
  }
}
