import type { SmtpConfig } from '@pulse/config';
import type { Logger } from '@pulse/logger';
import nodemailer from 'nodemailer';
import { BOUNCE_TAG_HEADER } from './bounce';

export { BOUNCE_TAG_HEADER, type BounceReport, type FailedRecipient, readBounce } from './bounce';

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
  /** Set for an inline image the HTML shows as `<img src="cid:…">` (sent inside multipart/related). */
  cid?: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
  /** What the email is for (`otp`, `report`…): the label its sent/failed counters carry. */
  kind?: string;
  /** Stable id for this message (e.g. `report:2026-10:<follower>`), sent as a header for tracing. */
  idempotencyKey?: string;
  /** RFC 2369 / RFC 8058: where the recipient unsubscribes (an https URL that takes a one-click POST, and a mailto). */
  unsubscribe?: { url: string; mailto?: string };
  /**
   * Names this message in a bounce that arrives later (`readBounce`): sent as the DSN envelope id (RFC 3461
   * ENVID, with NOTIFY=FAILURE and RET=HDRS) where the relay offers DSN, and as a header the returned
   * headers quote back where it does not. Visible to the recipient: it must name nothing but this message.
   */
  bounceTag?: string;
}

export interface Mailer {
  /** The sender address (`MAIL_FROM`'s address part), e.g. for a List-Unsubscribe mailto. */
  readonly fromAddress: string;
  /** Rejects with `MailRejectedError` when the relay refuses the recipient for good. */
  send(message: MailMessage): Promise<{ messageId: string }>;
  verify(): Promise<boolean>;
  close(): void;
}

/**
 * The SMTP relay refused the recipient for good (a 5xx reply to RCPT TO: no such mailbox, domain
 * unknown, blocked): sending the same message again cannot succeed. This is the bounce a sender sees
 * directly; a bounce the relay accepts first and reports later (a DSN to the envelope sender) arrives
 * in the sender's mailbox, where `readBounce` reads it.
 */
export class MailRejectedError extends Error {
  constructor(
    readonly responseCode: number,
    /** The relay's reply, e.g. `550 5.1.1 <x@example.com>: mailbox unavailable`. */
    readonly response: string,
    options?: { cause?: unknown },
  ) {
    super(`recipient refused: ${response}`, options);
    this.name = 'MailRejectedError';
  }
}

interface SmtpError {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

/** nodemailer's envelope error for a refused recipient (EENVELOPE at RCPT TO), when permanent. */
function permanentRejection(err: unknown): MailRejectedError | undefined {
  const e = err as SmtpError;
  if (e?.code !== 'EENVELOPE' || e.command !== 'RCPT TO' || !e.responseCode || e.responseCode < 500) return undefined;
  return new MailRejectedError(e.responseCode, (e.response ?? String(e.responseCode)).slice(0, 500), { cause: err });
}

/** Counts sent and refused emails (the mail package stays free of a metrics library). */
export interface MailMetrics {
  sent(kind: string): void;
  failed(kind: string): void;
}

export function createMailer(options: { config: SmtpConfig; logger: Logger; metrics?: MailMetrics }): Mailer {
  const { config, logger, metrics } = options;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.auth,
    // Local captures have no TLS; a real relay negotiates STARTTLS when offered.
    ignoreTLS: !config.secure && (config.host === '127.0.0.1' || config.host === 'localhost'),
    pool: true,
    maxConnections: 4,
  });
  return {
    fromAddress: /<([^>]+)>/.exec(config.from)?.[1] ?? config.from.trim(),
    async send(message) {
      const started = Date.now();
      const kind = message.kind ?? 'other';
      const info = await transport
        .sendMail({
          from: config.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          attachments: message.attachments,
          headers: {
            ...(message.idempotencyKey ? { 'X-Pulse-Message-Key': message.idempotencyKey } : {}),
            ...(message.bounceTag ? { [BOUNCE_TAG_HEADER]: message.bounceTag } : {}),
            // Mail clients show an "Unsubscribe" button and POST `List-Unsubscribe=One-Click` to the URL.
            ...(message.unsubscribe ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
          },
          // One List-Unsubscribe field listing both (`<https…>, <mailto:…>`): the nested array, because a flat
          // one makes a field per URL, and RFC 8058 receivers read one field with the https URL in it.
          list: message.unsubscribe
            ? {
                unsubscribe: [
                  [message.unsubscribe.url, ...(message.unsubscribe.mailto ? [message.unsubscribe.mailto] : [])],
                ],
              }
            : undefined,
          dsn: message.bounceTag
            ? // No ORCPT: an address outside ASCII would need RFC 6533's utf-8 form, and the report's
              // Final-Recipient names the address anyway.
              { id: message.bounceTag, return: 'headers', notify: 'FAILURE' }
            : undefined,
        })
        .catch((err: unknown) => {
          metrics?.failed(kind);
          throw permanentRejection(err) ?? err;
        });
      metrics?.sent(kind);
      logger.debug(
        { event: 'mail_sent', durationMs: Date.now() - started, attachments: message.attachments?.length ?? 0 },
        'mail sent',
      );
      return { messageId: info.messageId };
    },
    async verify() {
      try {
        return await transport.verify();
      } catch {
        return false;
      }
    },
    close: () => transport.close(),
  };
}
