import { type Db, lockedTransaction } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import type { Mailer } from '@pulse/mail';
import type { UiApiConfig } from '../config';
import { errors, HttpError } from '../http/errors';
import { hashOtpCode, newOtpCode, normaliseEmail, otpCodeMatches } from './otp-code';

const HOUR_MS = 3_600_000;

export interface OtpDeps {
  config: UiApiConfig;
  db: Db;
  mailer: Mailer;
  logger: Logger;
  now: () => Date;
}

export interface OtpRequested {
  /** Only with AUTH_DEV_ECHO (refused unless NODE_ENV is development or test) and only for a known user. */
  devCode?: string;
}

/**
 * Issues a code. Unknown emails get a row too (with a code nobody receives), so rate limits, timing
 * and the response are the same whether or not an account exists: no user enumeration.
 *
 * Anyone may ask for a code for any email, so a request must not hurt the owner: it retires only
 * the codes *this client* asked for before (a resend), never another client's. Several codes can
 * thus be live at once, at most OTP_MAX_LIVE_CODES, and a guess is checked against all of them
 * (verifyOtp). We chose this over "no new code until the old one expires", which would leave a user
 * whose email was slow or lost waiting out the full lifetime. Limits count per (email, client), per
 * client, and email-wide with a much higher cap: a stranger exhausts their own allowance, not Alice's.
 */
export async function requestOtp(deps: OtpDeps, input: { email: string; client: string }): Promise<OtpRequested> {
  const { db, config } = deps;
  const limits = config.app.auth;
  const email = normaliseEmail(input.email);
  const client = input.client;
  const at = deps.now();
  const code = newOtpCode();
  const user = await db.prisma.user.findUnique({ where: { email }, select: { id: true } });
  const issued = user ? code : newOtpCode();

  // Requests for one email run one at a time (on every replica), so parallel ones can't all slip under the limit.
  await lockedTransaction(db, `otp:${email}`, async (tx) => {
    const since = new Date(at.getTime() - HOUR_MS);
    // Each limit with the time its oldest counted request leaves the window (for Retry-After).
    const [r] = await tx.$queryRaw<{ ec: number; ec_at: Date; ea: number; ea_at: Date; ca: number; ca_at: Date }[]>`
      SELECT count(*) FILTER (WHERE email = ${email} AND request_ip = ${client})::int AS ec,
             min(created_at) FILTER (WHERE email = ${email} AND request_ip = ${client}) AS ec_at,
             count(*) FILTER (WHERE email = ${email})::int AS ea,
             min(created_at) FILTER (WHERE email = ${email}) AS ea_at,
             count(*) FILTER (WHERE request_ip = ${client})::int AS ca,
             min(created_at) FILTER (WHERE request_ip = ${client}) AS ca_at
        FROM otp_codes WHERE (email = ${email} OR request_ip = ${client}) AND created_at > ${since}`;
    for (const [n, oldest, limit] of [
      [r?.ec, r?.ec_at, limits.otpPerEmailClientPerHour],
      [r?.ea, r?.ea_at, limits.otpPerEmailPerHour],
      [r?.ca, r?.ca_at, limits.otpPerIpPerHour],
    ] as const) {
      if (n !== undefined && oldest && n >= limit) throw tooMany(oldest.getTime() + HOUR_MS, at);
    }
    // A resend from the same client replaces that client's own code.
    await tx.$executeRaw`UPDATE otp_codes SET consumed_at = ${at}
      WHERE email = ${email} AND request_ip = ${client} AND consumed_at IS NULL`;
    const live = await tx.$queryRaw<{ n: number; first_expiry: Date | null }[]>`
      SELECT count(*)::int AS n, min(expires_at) AS first_expiry FROM otp_codes
       WHERE email = ${email} AND consumed_at IS NULL AND expires_at > ${at} AND attempts < ${limits.otpMaxAttempts}`;
    const { n, first_expiry } = live[0] ?? { n: 0, first_expiry: null };
    // Full: the codes already sent stay valid; a new one waits until the first of them expires.
    if (n >= limits.otpMaxLiveCodes && first_expiry) throw tooMany(first_expiry.getTime(), at);
    await tx.otpCode.create({
      data: {
        email,
        codeHash: hashOtpCode(config.keys.otp, email, issued),
        expiresAt: new Date(at.getTime() + limits.otpTtlMs),
        requestIp: client,
        createdAt: at,
      },
    });
  });
  deps.logger.info({ event: 'otp_requested', userId: user?.id ?? null }, 'sign-in code requested');
  if (!user) return {};

  // Sent in the background: waiting for SMTP would make known emails measurably slower than unknown ones.
  const minutes = Math.round(config.app.auth.otpTtlMs / 60_000);
  deps.mailer
    .send({
      kind: 'otp',
      to: email,
      subject: 'Your Pulse sign-in code',
      text: `Your Pulse sign-in code is ${code}\n\nIt expires in ${minutes} minutes. If you did not ask for it, ignore this email.\n`,
      html: `<p>Your Pulse sign-in code is</p><p style="font-size:24px;font-weight:bold;letter-spacing:4px">${code}</p><p>It expires in ${minutes} minutes. If you did not ask for it, ignore this email.</p>`,
    })
    .catch((err: unknown) =>
      deps.logger.error({ event: 'otp_mail_error', userId: user.id, err }, 'could not send the sign-in code'),
    );
  return config.app.auth.devEcho ? { devCode: code } : {};
}

function tooMany(freeAtMs: number, at: Date) {
  const retryAfterSec = Math.max(1, Math.ceil((freeAtMs - at.getTime()) / 1000));
  return errors.tooManyRequests('too many sign-in codes requested; try again later', retryAfterSec);
}

export type OtpRejection = 'invalid' | 'expired' | 'locked';

const REJECTION_MESSAGES: Record<OtpRejection, string> = {
  invalid: 'the code is not valid',
  expired: 'the code has expired; request a new one',
  locked: 'too many wrong codes; request a new code',
};

/** The error a rejected code answers with; its reason is kept (not sent) for the metrics. */
const rejection = (reason: OtpRejection) =>
  new HttpError(
    reason === 'locked' ? 429 : 401,
    reason === 'locked' ? 'rate_limited' : 'unauthorized',
    REJECTION_MESSAGES[reason],
    {
      reason,
    },
  );

export const rejectionReason = (err: unknown): OtpRejection | undefined =>
  err instanceof HttpError ? (err.details as { reason?: OtpRejection } | undefined)?.reason : undefined;

type VerifyOutcome = { ok: true } | { ok: false; reason: 'invalid' | 'expired' | 'locked' };

/** Checks and consumes the live code for `email`; returns the user it signs in. */
export async function verifyOtp(
  deps: OtpDeps,
  input: { email: string; code: string },
): Promise<{ id: string; email: string; name: string; role: 'user' | 'admin' }> {
  const { db, config } = deps;
  const email = normaliseEmail(input.email);
  const at = deps.now();
  const max = config.app.auth.otpMaxAttempts;

  // The outcome is returned, not thrown, so a wrong attempt's counter survives the commit.
  const outcome = await db.prisma.$transaction(async (tx): Promise<VerifyOutcome> => {
    const live = await tx.$queryRaw<{ id: string; code_hash: string; attempts: number; expires_at: Date }[]>`
      SELECT id, code_hash, attempts, expires_at FROM otp_codes
       WHERE email = ${email} AND consumed_at IS NULL
       ORDER BY created_at DESC FOR UPDATE`;
    if (live.length === 0) return { ok: false, reason: 'invalid' };
    const unexpired = live.filter((c) => c.expires_at.getTime() > at.getTime());
    const usable = unexpired.filter((c) => c.attempts < max);
    if (usable.length === 0) {
      if (unexpired.length > 0) return { ok: false, reason: 'locked' };
      await tx.$executeRaw`UPDATE otp_codes SET consumed_at = ${at}
        WHERE email = ${email} AND consumed_at IS NULL AND expires_at <= ${at}`;
      return { ok: false, reason: 'expired' };
    }
    if (usable.some((c) => otpCodeMatches(c.code_hash, config.keys.otp, email, input.code))) {
      // Signed in: every other live code of this email is moot.
      await tx.$executeRaw`UPDATE otp_codes SET consumed_at = ${at} WHERE email = ${email} AND consumed_at IS NULL`;
      return { ok: true };
    }
    // One guess tested every live code, so a miss costs each of them an attempt: more live codes
    // don't buy more guesses. The last allowed miss clears a code's hash: it is dead even if the
    // next guess is right.
    const ids = usable.map((c) => c.id);
    await tx.$executeRaw`UPDATE otp_codes SET attempts = attempts + 1,
      code_hash = CASE WHEN attempts + 1 >= ${max} THEN '' ELSE code_hash END
      WHERE id = ANY(${ids}::uuid[])`;
    const stillUsable = usable.some((c) => c.attempts + 1 < max);
    return { ok: false, reason: stillUsable ? 'invalid' : 'locked' };
  });

  const user = outcome.ok
    ? await db.prisma.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, role: true } })
    : null;
  if (!user) {
    const reason = outcome.ok ? 'invalid' : outcome.reason;
    deps.logger.info({ event: 'login_failed', reason }, 'sign-in code rejected');
    throw rejection(reason);
  }
  return user;
}
