import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, smtpConfig } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { LogCapture, type SmtpCapture, startSmtpCapture } from '@pulse/testing';
import { createMailer, MailRejectedError } from '../src/index';

let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
});
afterAll(() => smtp.close());

describe('mailer', () => {
  it('delivers text, html and attachments to a real SMTP server', async () => {
    const { smtp: config } = loadConfig({ smtp: smtpConfig }, { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port) });
    const mailer = createMailer({ config, logger: createLogger({ name: 't', destination: new LogCapture() }) });
    await mailer.send({
      to: 'zoë@example.com',
      subject: 'Rapport für Zoë',
      text: 'hello',
      html: '<p>hello</p>',
      attachments: [{ filename: 'a.pdf', content: Buffer.from('%PDF-1.7'), contentType: 'application/pdf' }],
      idempotencyKey: 'report:2026-10:1',
    });
    const mail = await smtp.waitFor((m) => m.subject === 'Rapport für Zoë');
    expect(mail.to).toEqual(['zoë@example.com']);
    expect(mail.text.trim()).toBe('hello');
    expect(mail.html).toContain('<p>hello</p>');
    expect(mail.attachments[0]?.content.toString()).toBe('%PDF-1.7');
    expect(mail.raw.headers.get('x-pulse-message-key')).toBe('report:2026-10:1');
    expect(await mailer.verify()).toBe(true);
    mailer.close();
  });

  it('tells a recipient the relay refuses for good (5xx) from a temporary refusal (4xx)', async () => {
    const { smtp: config } = loadConfig({ smtp: smtpConfig }, { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port) });
    const mailer = createMailer({ config, logger: createLogger({ name: 't', destination: new LogCapture() }) });
    smtp.refuseRecipient('gone@example.com', { code: 550, message: '5.1.1 <gone@example.com>: mailbox unavailable' });
    smtp.refuseRecipient('busy@example.com', { code: 451, message: '4.2.1 mailbox busy, try later' });
    const gone = await mailer.send({ to: 'gone@example.com', subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(MailRejectedError);
    expect(gone).toMatchObject({ responseCode: 550 });
    expect((gone as MailRejectedError).response).toContain('5.1.1 <gone@example.com>: mailbox unavailable');
    const busy = await mailer.send({ to: 'busy@example.com', subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(Error);
    expect(busy).not.toBeInstanceOf(MailRejectedError);
    mailer.close();
  });
});
