import type { Db, Prisma } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import type { Mailer } from '@pulse/mail';
import type { UiApiConfig } from '../config';
import { errors } from '../http/errors';
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
  /** Only with AUTH_DEV_ECHO (refused in production) and only for a known user. */
  devCode?: string;
}

/**
 * Issues a code. Unknown emails get a row too (with a code nobody receives), so rate limits, timing
 * and the response are the same whether or not an account exists: no user enumeration.
 */
export async function requestOtp(deps: OtpDeps, input: { email: string; ip: string }): Promise<OtpRequested> {
  const { db, config } = deps;
  const email = normaliseEmail(input.email);
  const at = deps.now();
  const code = newOtpCode();
  const user = await db.prisma.user.findUnique({ where: { email }, select: { id: true } });
  const issued = user ? code : newOtpCode();

  await db.prisma.$transaction(async (tx) => {
    // Serialises requests for one email, so parallel requests can't all slip under the limit.
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`otp:${email}`}))::text`;
    const since = new Date(at.getTime() - HOUR_MS);
    await enforceLimit(tx, { column: 'email', value: email, since, at, limit: config.app.auth.otpPerEmailPerHour });
    await enforceLimit(tx, {
      column: 'request_ip',
      value: input.ip,
      since,
      at,
      limit: config.app.auth.otpPerIpPerHour,
    });
    // One live code per email: a new request retires the previous one.
    await tx.$executeRaw`UPDATE otp_codes SET consumed_at = ${at} WHERE email = ${email} AND consumed_at IS NULL`;
    await tx.otpCode.create({
      data: {
        email,
        codeHash: hashOtpCode(config.keys.otp, email, issued),
        expiresAt: new Date(at.getTime() + config.app.auth.otpTtlMs),
        requestIp: input.ip,
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

async function enforceLimit(
  tx: Prisma.TransactionClient,
  o: { column: 'email' | 'request_ip'; value: string; since: Date; at: Date; limit: number },
): Promise<void> {
  // The column name is one of two literals above, never input.
  const rows = await tx.$queryRawUnsafe<{ n: number; oldest: Date | null }[]>(
    `SELECT count(*)::int AS n, min(created_at) AS oldest FROM otp_codes WHERE ${o.column} = $1 AND created_at > $2`,
    o.value,
    o.since,
  );
  const { n, oldest } = rows[0] ?? { n: 0, oldest: null };
  if (n < o.limit || !oldest) return;
  const retryAfterSec = Math.max(1, Math.ceil((oldest.getTime() + HOUR_MS - o.at.getTime()) / 1000));
  throw errors.tooManyRequests('too many sign-in codes requested; try again later', retryAfterSec);
}

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
    const [live] = await tx.$queryRaw<{ id: string; code_hash: string; attempts: number; expires_at: Date }[]>`
      SELECT id, code_hash, attempts, expires_at FROM otp_codes
       WHERE email = ${email} AND consumed_at IS NULL
       ORDER BY created_at DESC LIMIT 1 FOR UPDATE`;
    if (!live) return { ok: false, reason: 'invalid' };
    if (live.attempts >= max) return { ok: false, reason: 'locked' };
    if (live.expires_at.getTime() <= at.getTime()) {
      await tx.$executeRaw`UPDATE otp_codes SET consumed_at = ${at} WHERE id = ${live.id}::uuid`;
      return { ok: false, reason: 'expired' };
    }
    if (!otpCodeMatches(live.code_hash, config.keys.otp, email, input.code)) {
      const attempts = live.attempts + 1;
      // The last allowed miss clears the hash: the code is dead even if the next guess is right.
      await tx.$executeRaw`UPDATE otp_codes SET attempts = ${attempts},
        code_hash = CASE WHEN ${attempts} >= ${max} THEN '' ELSE code_hash END WHERE id = ${live.id}::uuid`;
      return { ok: false, reason: attempts >= max ? 'locked' : 'invalid' };
    }
    await tx.$executeRaw`UPDATE otp_codes SET consumed_at = ${at} WHERE id = ${live.id}::uuid`;
    return { ok: true };
  });

  const user = outcome.ok
    ? await db.prisma.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, role: true } })
    : null;
  if (!user) {
    const reason = outcome.ok ? 'invalid' : outcome.reason;
    deps.logger.info({ event: 'login_failed', reason }, 'sign-in code rejected');
    if (reason === 'locked') throw errors.tooManyRequests('too many wrong codes; request a new code');
    if (reason === 'expired') throw errors.unauthorized('the code has expired; request a new one');
    throw errors.unauthorized('the code is not valid');
  }
  return user;
}
