import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: { filename?: string; contentType: string; content: Buffer }[];
  raw: ParsedMail;
  /** The message as received (RFC 5322 text), e.g. to hand to a mail filter. */
  source: Buffer;
  /** The DSN envelope id the sender gave in MAIL FROM (RFC 3461 ENVID), if any. */
  envelopeId: string | undefined;
}

/** A real SMTP server on a random loopback port that keeps every message it receives. */
export interface SmtpCapture {
  host: string;
  port: number;
  messages: CapturedMail[];
  /** Resolves with the first message matching `pred`, waiting up to `timeoutMs`. */
  waitFor(pred: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** From now on answer RCPT TO for `address` with `reply` (e.g. 550 for a mailbox that does not exist). */
  refuseRecipient(address: string, reply?: { code: number; message: string }): void;
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  const refused = new Map<string, { code: number; message: string }>();
  const server = new SMTPServer({
    authOptional: true,
    // Offer DSN like a real relay does, so a sender's ENVID/NOTIFY/RET reach the envelope.
    hideDSN: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const reply = refused.get(address.address.toLowerCase());
      if (!reply) return callback();
      callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', done);
      stream.on('end', () => {
        const source = Buffer.concat(chunks);
        simpleParser(source)
          .then((raw) => {
            const toField = Array.isArray(raw.to) ? raw.to : raw.to ? [raw.to] : [];
            messages.push({
              to: toField.flatMap((a) => a.value.map((v) => v.address ?? '')),
              subject: raw.subject ?? '',
              text: raw.text ?? '',
              html: typeof raw.html === 'string' ? raw.html : '',
              attachments: raw.attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.content,
              })),
              raw,
              source,
              envelopeId: (session.envelope as { dsn?: { envid?: string | null } }).dsn?.envid ?? undefined,
            });
            for (const w of waiters) w();
            done();
          })
          .catch(done);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    messages,
    waitFor(pred, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(pred);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching email within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    refuseRecipient(address, reply = { code: 550, message: '5.1.1 mailbox unavailable' }) {
      refused.set(address.toLowerCase(), reply);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
