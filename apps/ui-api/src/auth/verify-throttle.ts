import type { Db } from '@pulse/db';
import type { UiApiConfig } from '../config';

const HOUR_MS = 3_600_000;
/** The row that counts everyone's wrong codes; a client key is an address or prefix, never this. */
const EVERYONE = '*';

/**
 * Wrong sign-in codes per client and in total, in hourly windows. Per code there are only
 * OTP_MAX_ATTEMPTS guesses, but an attacker can spread guesses over every account at once; this
 * caps what one client (and everyone together, e.g. a botnet) may try. Counted in Postgres
 * (otp_verify_failures, written only here), so every replica enforces the same limits and a restart
 * forgets nothing; a window's rows are deleted once the next window counts its first failure.
 */
export function createVerifyThrottle(db: Db, limits: UiApiConfig['app']['auth']) {
  const windowOf = (now: Date) => new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  return {
    /** Seconds until the client may try again, or 0 when it may try now. */
    async retryAfterSec(client: string, now: Date): Promise<number> {
      const window = windowOf(now);
      const rows = await db.prisma.$queryRaw<{ client: string; failures: number }[]>`
        SELECT client, failures FROM otp_verify_failures
        WHERE window_start = ${window} AND client IN (${client}, ${EVERYONE})`;
      const count = (who: string) => rows.find((r) => r.client === who)?.failures ?? 0;
      const blocked =
        count(EVERYONE) >= limits.verifyFailuresPerHour || count(client) >= limits.verifyFailuresPerClientPerHour;
      return blocked ? Math.max(1, Math.ceil((window.getTime() + HOUR_MS - now.getTime()) / 1000)) : 0;
    },
    /** Counts one wrong code for the client and for everyone, in one statement. */
    async failed(client: string, now: Date): Promise<void> {
      const window = windowOf(now);
      // The client's row first, then everyone's, in every transaction: concurrent failures queue on the
      // shared row in the same order, so they can't deadlock.
      await db.prisma.$executeRaw`
        WITH counted AS (
          INSERT INTO otp_verify_failures (window_start, client, failures)
          VALUES (${window}, ${client}, 1), (${window}, ${EVERYONE}, 1)
          ON CONFLICT (window_start, client) DO UPDATE SET failures = otp_verify_failures.failures + 1
          RETURNING 1
        )
        DELETE FROM otp_verify_failures WHERE window_start < ${window}`;
    },
  };
}

export type VerifyThrottle = ReturnType<typeof createVerifyThrottle>;
