import type { UiApiConfig } from '../config';

const HOUR_MS = 3_600_000;

/**
 * Wrong sign-in codes per client and in total, in hourly windows. Per code there are only
 * OTP_MAX_ATTEMPTS guesses, but an attacker can spread guesses over every account at once; this
 * caps what one client (and everyone together, e.g. a botnet) may try. Counted in this process:
 * with N replicas the totals are N times the setting (sessions stick to no replica).
 */
export function createVerifyThrottle(limits: UiApiConfig['app']['auth']) {
  let window = -1;
  let total = 0;
  const perClient = new Map<string, number>();
  const roll = (nowMs: number) => {
    const current = Math.floor(nowMs / HOUR_MS);
    if (current !== window) {
      window = current;
      total = 0;
      perClient.clear();
    }
  };
  return {
    /** Seconds until the client may try again, or 0 when it may try now. */
    retryAfterSec(client: string, now: Date): number {
      roll(now.getTime());
      const blocked =
        total >= limits.verifyFailuresPerHour || (perClient.get(client) ?? 0) >= limits.verifyFailuresPerClientPerHour;
      return blocked ? Math.max(1, Math.ceil(((window + 1) * HOUR_MS - now.getTime()) / 1000)) : 0;
    },
    failed(client: string, now: Date): void {
      roll(now.getTime());
      total++;
      perClient.set(client, (perClient.get(client) ?? 0) + 1);
    },
  };
}

export type VerifyThrottle = ReturnType<typeof createVerifyThrottle>;
