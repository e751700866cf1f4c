// `pnpm pulse bounce-mail < message`: the reader of the envelope sender's mailbox (MAIL_FROM's address,
// or wherever the MTA sends bounces for it). Give it each message that arrives there, as the raw RFC 5322
// text on stdin: from the MTA (Postfix `pipe`, a `.forward` "|command", procmail) or a mailbox poller
// (fetchmail --mda). A delivery status notification (RFC 3464) that reports a permanent failure for a
// report email marks that delivery `bounced`, as a refusal at RCPT TO does: it is not sent again until an
// administrator resends it. The report email names its delivery by its DSN envelope id, or by the
// X-Pulse-Bounce-Tag header that bounces quote back (@pulse/mail, @pulse/reports bounce-tag.ts).
// Exit codes (sysexits): 0 the message is handled (recorded, or not a bounce of ours: ignored, never
// bounced back), 75 (EX_TEMPFAIL) the database was unreachable or a worker holds the delivery right now,
// so the MTA delivers the message again later.
import { dbConfig, loadConfigOrExit, logConfig } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { readBounce } from '@pulse/mail';
import { recordLateBounce } from '@pulse/reports';
import { answer, EX_TEMPFAIL, readMessage } from './mail-input';

const HELP = `usage: pnpm pulse bounce-mail < message.eml
  reads one message sent to the bounce mailbox; a delivery status notification that says a report
  email failed for good marks that delivery bounced (the admin Subscriptions view shows it)
  needs DATABASE_URL
`;
// A bounce is its report plus the returned headers or message; the report comes first, so the start is enough.
const MAX_BYTES = 1024 * 1024;

export async function runBounceMail(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfigOrExit({ log: logConfig, db: dbConfig });
  const logger = createLogger({ name: 'pulse-bounce-mail', level: config.log.level, destination: process.stderr });
  const bounce = await readBounce(await readMessage(MAX_BYTES));
  if (!bounce) {
    logger.info({ event: 'bounce_mail_ignored', reason: 'not_a_failure_report' }, 'not a permanent-failure report');
    return answer('ignored', 'not a delivery report of a permanent failure');
  }
  if (!bounce.tag) {
    logger.info({ event: 'bounce_mail_ignored', reason: 'no_tag' }, 'bounce names no message of ours');
    return answer('ignored', 'the report names no Pulse message');
  }
  const first = bounce.failed[0]!;
  const reason = `bounced later: ${first.status}${first.diagnostic ? ` ${first.diagnostic}` : ''}`.slice(0, 500);

  const db = createDb(config.db, { logger, applicationName: 'pulse-bounce-mail' });
  try {
    const result = await recordLateBounce(db, bounce.tag, reason);
    switch (result.outcome) {
      case 'bounced':
        logger.warn(
          { event: 'report_bounced', deliveryId: result.deliveryId, status: first.status, late: true },
          'report email bounced after the relay accepted it',
        );
        return answer('bounced', `delivery ${result.deliveryId} (${first.status})`);
      case 'busy':
        logger.info({ event: 'bounce_mail_deferred', deliveryId: result.deliveryId }, 'delivery in progress; retry');
        process.stdout.write(`deferred: delivery ${result.deliveryId} is being sent right now\n`);
        return EX_TEMPFAIL;
      case 'superseded':
        return answer('ignored', `delivery ${result.deliveryId} was resent since this bounce's email`);
      case 'unchanged':
        return answer('unchanged', `delivery ${result.deliveryId} is ${result.status}`);
      case 'unknown':
        logger.info({ event: 'bounce_mail_ignored', reason: 'unknown_tag' }, 'bounce names no delivery');
        return answer('ignored', 'the report names no delivery');
    }
  } catch (err) {
    logger.error({ event: 'bounce_mail_error', err }, 'could not record the bounce; the MTA retries');
    return EX_TEMPFAIL;
  } finally {
    await db.close();
  }
}
