import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, smtpConfig } from '@pulse/config';
import { createLogger } from '@pulse/logger';
import { bounceMessage, type CapturedMail, LogCapture, type SmtpCapture, startSmtpCapture } from '@pulse/testing';
import { BOUNCE_TAG_HEADER, createMailer, readBounce } from '../src/index';

let smtp: SmtpCapture;
let sent: CapturedMail;
let intl: CapturedMail;
const TAG = '6f1c2a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f.0';
beforeAll(async () => {
  smtp = await startSmtpCapture();
  const { smtp: config } = loadConfig({ smtp: smtpConfig }, { SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port) });
  const mailer = createMailer({ config, logger: createLogger({ name: 't', destination: new LogCapture() }) });
  await mailer.send({ to: 'nobody@example.org', subject: 'Weekly report', text: 'hello', bounceTag: TAG });
  // An address outside ASCII takes the same envelope (no ORCPT, which would need RFC 6533's form).
  await mailer.send({ to: 'zoë@example.com', subject: 'Rapport', text: 'hallo', bounceTag: `${TAG}1` });
  sent = await smtp.waitFor((m) => m.subject === 'Weekly report');
  intl = await smtp.waitFor((m) => m.subject === 'Rapport');
  mailer.close();
});
afterAll(() => smtp.close());

describe('bounce tag', () => {
  it('goes out as the DSN envelope id (the relay offers DSN) and as a header', () => {
    expect(sent.envelopeId).toBe(TAG);
    expect(sent.raw.headers.get(BOUNCE_TAG_HEADER.toLowerCase())).toBe(TAG);
    expect(intl).toMatchObject({ to: ['zoë@example.com'], envelopeId: `${TAG}1` });
  });
});

describe('readBounce', () => {
  it("reads Postfix's report: the envelope id, the recipient, the status and the server's words", async () => {
    const report = await readBounce(
      bounceMessage({ mta: 'postfix', original: sent.source, recipient: 'nobody@example.org', envelopeId: TAG }),
    );
    expect(report).toEqual({
      tag: TAG,
      failed: [
        {
          recipient: 'nobody@example.org',
          status: '5.1.1',
          diagnostic: 'smtp; 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown',
        },
      ],
    });
  });

  it('finds the tag in the returned headers when the relay dropped the envelope id', async () => {
    const report = await readBounce(
      bounceMessage({ mta: 'postfix', original: sent.source, recipient: 'nobody@example.org' }),
    );
    expect(report?.tag).toBe(TAG);
  });

  it("reads Exim's report, which returns the whole message and no envelope id", async () => {
    const report = await readBounce(
      bounceMessage({
        mta: 'exim',
        original: sent.source,
        recipient: 'nobody@example.org',
        diagnostic: '550 No such user',
      }),
    );
    expect(report).toEqual({
      tag: TAG,
      failed: [{ recipient: 'nobody@example.org', status: '5.0.0', diagnostic: 'smtp; 550 No such user' }],
    });
  });

  it('is not a bounce: a delay warning, a temporary failure, an ordinary message', async () => {
    const base = { original: sent.source, recipient: 'nobody@example.org', envelopeId: TAG };
    expect(
      await readBounce(bounceMessage({ ...base, mta: 'postfix', action: 'delayed', status: '4.4.1' })),
    ).toBeUndefined();
    expect(
      await readBounce(bounceMessage({ ...base, mta: 'exim', action: 'delayed', status: '4.4.1' })),
    ).toBeUndefined();
    expect(await readBounce(bounceMessage({ ...base, mta: 'postfix', status: '4.2.2' }))).toBeUndefined();
    // An auto-reply quoting the message (with its tag header) is not a delivery report.
    expect(await readBounce(Buffer.from(`Subject: Out of office\r\nTo: a@b.c\r\n\r\n${sent.source}`))).toBeUndefined();
    expect(await readBounce(sent.source)).toBeUndefined();
  });
});
