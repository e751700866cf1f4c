// `pnpm pulse unsubscribe-mail < message`: the reader of the List-Unsubscribe mailto's mailbox
// (UNSUBSCRIBE_MAILBOX, default MAIL_FROM's address). Give it each message that arrives there, as the
// raw RFC 5322 text on stdin: from the MTA (Postfix `pipe`, a `.forward` "|command", procmail) or a
// mailbox poller (fetchmail --mda). The subject the email's mailto set, `unsubscribe <token>`, names
// the user through a token signed with UNSUBSCRIBE_SIGNING_SECRET, so a message can unsubscribe only
// the address the report went to, whoever the sender claims to be; the change is recorded as `mailto`.
// Exit codes follow sysexits for mail filters: 0 the message is handled (unsubscribed, already
// unsubscribed, or not a valid request: ignored rather than bounced, which would only send backscatter
// to a forged sender), 75 (EX_TEMPFAIL) the database was unreachable, so the MTA retries later.
import { dbConfig, loadConfigOrExit, logConfig, signingKeysConfig } from '@pulse/config';
import { createDb } from '@pulse/db';
import { createLogger } from '@pulse/logger';
import { readUnsubscribeToken, unsubscribe, unsubscribeTokenInSubject } from '@pulse/reports';
import { simpleParser } from 'mailparser';
import { answer, EX_TEMPFAIL, readMessage } from './mail-input';

const HELP = `usage: pnpm pulse unsubscribe-mail < message.eml
  reads one email sent to the unsubscribe mailbox and unsubscribes the user its subject's token names
  needs DATABASE_URL and UNSUBSCRIBE_SIGNING_SECRET (and _PREVIOUS during a rotation)
`;
// An unsubscribe request is a few KiB; of anything far bigger only the start (the headers) is read.
const MAX_BYTES = 256 * 1024;

export async function runUnsubscribeMail(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfigOrExit({
    log: logConfig,
    db: dbConfig,
    keys: signingKeysConfig({ unsubscribe: 'UNSUBSCRIBE_SIGNING_SECRET' }),
  });
  const logger = createLogger({ name: 'pulse-unsubscribe-mail', level: config.log.level, destination: process.stderr });

  // Headers only matter; mailparser unfolds and decodes them (a client may encode the subject).
  const message = await simpleParser(await readMessage(MAX_BYTES), { skipHtmlToText: true, skipTextToHtml: true });
  const token = unsubscribeTokenInSubject(message.subject ?? '');
  if (!token) {
    logger.info({ event: 'unsubscribe_mail_ignored', reason: 'no_token' }, 'not an unsubscribe request');
    return answer('ignored', 'no unsubscribe token in the subject');
  }
  const read = readUnsubscribeToken(config.keys.unsubscribe, token, new Date());
  if (!read.ok) {
    logger.info({ event: 'unsubscribe_mail_ignored', reason: read.reason }, 'unsubscribe token rejected');
    return answer('ignored', `the unsubscribe token is ${read.reason}`);
  }

  const db = createDb(config.db, { logger, applicationName: 'pulse-unsubscribe-mail' });
  try {
    const user = await db.prisma.user.findUnique({ where: { id: read.userId }, select: { id: true, email: true } });
    if (!user) return answer('ignored', 'the user no longer exists');
    const { changed } = await unsubscribe(db, user.id, { method: 'mailto' });
    logger.info({ event: 'report_unsubscribed', userId: user.id, method: 'mailto', changed }, 'unsubscribed by mail');
    return answer(changed ? 'unsubscribed' : 'already unsubscribed', user.email);
  } catch (err) {
    logger.error({ event: 'unsubscribe_mail_error', err }, 'could not record the unsubscribe; the MTA retries');
    return EX_TEMPFAIL;
  } finally {
    await db.close();
  }
}
