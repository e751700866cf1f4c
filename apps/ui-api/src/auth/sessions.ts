import type { Db } from '@pulse/db';
import { hashToken, newSessionToken } from '../http/session';

export interface NewSession {
  id: string;
  /** The bearer token: returned once, never stored (only its sha256 is). */
  token: string;
  expiresAt: Date;
}

export async function createSession(
  db: Db,
  options: { userId: string; now: Date; ttlMs: number },
): Promise<NewSession> {
  const token = newSessionToken();
  const expiresAt = new Date(options.now.getTime() + options.ttlMs);
  const row = await db.prisma.authSession.create({
    data: {
      userId: options.userId,
      tokenHash: hashToken(token),
      expiresAt,
      createdAt: options.now,
      lastSeenAt: options.now,
    },
    select: { id: true },
  });
  return { id: row.id, token, expiresAt };
}

export async function revokeSession(db: Db, options: { sessionId: string; now: Date }): Promise<void> {
  await db.pool.query('UPDATE auth_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [
    options.sessionId,
    options.now,
  ]);
}

/** When the session stops being valid, or null when it already has (revoked, expired, gone). */
export async function sessionValidUntil(db: Db, sessionId: string, now: Date): Promise<Date | null> {
  const { rows } = await db.pool.query<{ expires_at: Date }>(
    'SELECT expires_at FROM auth_sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2',
    [sessionId, now],
  );
  return rows[0]?.expires_at ?? null;
}
