import type { SmtpConfig } from '@pulse/config';
import type { Logger } from '@pulse/logger';
import nodemailer from 'nodemailer';

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
}

export interface Mailer {
  /** The sender address (`MAIL_FROM`'s address part), e.g. for a List-Unsubscribe mailto. */
  readonly fromAddress: string;
  send(message: MailMessage): Promise<{ messageId: string }>;
  verify(): Promise<boolean>;
  close(): void;
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
            // Mail clients show an "Unsubscribe" button and POST `List-Unsubscribe=One-Click` to the URL.
            ...(message.unsubscribe ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
          },
          list: message.unsubscribe
            ? {
                unsubscribe: [
                  message.unsubscribe.url,
                  ...(message.unsubscribe.mailto ? [message.unsubscribe.mailto] : []),
                ],
              }
            : undefined,
        })
        .catch((err: unknown) => {
          metrics?.failed(kind);
          throw err;
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
