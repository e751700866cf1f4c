/**
 * Bounce messages as the two most common MTAs write them, byte for byte in their layout (RFC 3464
 * `multipart/report`), for a message the test really sent: the peer for `readBounce` and the bounce
 * mailbox's command, since no MTA that bounces runs here.
 *
 * - `postfix`: Postfix's bounce(8) with DSN: `Original-Envelope-Id` (the ENVID the sender gave) and the
 *   returned headers only (`text/rfc822-headers`, what RET=HDRS asks for).
 * - `exim`: Exim without DSN support for the sender: no envelope id; the whole message comes back
 *   (`message/rfc822`), so only a header inside it can name the message.
 */
export interface BounceOptions {
  mta: 'postfix' | 'exim';
  /** The message as sent (RFC 5322), whose headers (or whole text) the bounce returns. */
  original: Buffer;
  recipient: string;
  /** Postfix only: the ENVID the message was sent with. */
  envelopeId?: string;
  /** `failed` (default) or `delayed` (a warning: the MTA keeps trying). */
  action?: 'failed' | 'delayed';
  /** RFC 3463 status, default 5.1.1. */
  status?: string;
  /** The remote server's reply. */
  diagnostic?: string;
}

const DATE = 'Sat,  5 Dec 2026 23:01:02 +0000 (UTC)';

export function bounceMessage(o: BounceOptions): Buffer {
  const status = o.status ?? '5.1.1';
  const action = o.action ?? 'failed';
  const diagnostic = o.diagnostic ?? `550 ${status} <${o.recipient}>: Recipient address rejected: User unknown`;
  const text = o.original.toString('utf8').replace(/\r\n/g, '\n');
  const headers = text.slice(0, text.indexOf('\n\n') + 1);
  const from = /^From:.*<([^>]+)>/im.exec(headers)?.[1] ?? 'sender@example.com';
  const lines =
    o.mta === 'postfix'
      ? postfix(o, { status, action, diagnostic, headers, from })
      : exim(o, { status, action, diagnostic, text, from });
  return Buffer.from(lines.join('\r\n'));
}

interface Parts {
  status: string;
  action: string;
  diagnostic: string;
  from: string;
}

function postfix(o: BounceOptions, p: Parts & { headers: string }): string[] {
  const boundary = '4Xyz1Q2w3e.1733439662/mail.example.net';
  return [
    'Return-Path: <>',
    `Date: ${DATE}`,
    'From: MAILER-DAEMON@mail.example.net (Mail Delivery System)',
    `Subject: ${p.action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
    `To: ${p.from}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    `\tboundary="${boundary}"`,
    'Content-Transfer-Encoding: 8bit',
    'Message-Id: <20261205230102.4Xyz1Q2w3e@mail.example.net>',
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'This is the mail system at host mail.example.net.',
    '',
    "I'm sorry to have to inform you that your message could not",
    "be delivered to one or more recipients. It's attached below.",
    '',
    `<${o.recipient}>: host mx.example.org[192.0.2.1] said: ${p.diagnostic} (in reply to`,
    '    RCPT TO command)',
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mail.example.net',
    'X-Postfix-Queue-ID: 4Xyz1Q2w3e',
    `X-Postfix-Sender: rfc822; ${p.from}`,
    ...(o.envelopeId ? [`Original-Envelope-Id: ${o.envelopeId}`] : []),
    'Arrival-Date: Sat,  5 Dec 2026 23:01:01 +0000 (UTC)',
    '',
    `Final-Recipient: rfc822; ${o.recipient}`,
    `Original-Recipient: rfc822;${o.recipient}`,
    `Action: ${p.action}`,
    `Status: ${p.status}`,
    'Remote-MTA: dns; mx.example.org',
    // Postfix folds a long diagnostic like any header.
    `Diagnostic-Code: smtp; ${p.diagnostic.replace(/^(.{40,60}?) /, '$1\r\n    ')}`,
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...p.headers.trimEnd().split('\n'),
    '',
    `--${boundary}--`,
    '',
  ];
}

function exim(o: BounceOptions, p: Parts & { text: string }): string[] {
  const boundary = '1733439662-eximdsn-1804289383';
  return [
    'Return-path: <>',
    'From: Mail Delivery System <Mailer-Daemon@mx.example.net>',
    `To: ${p.from}`,
    `Subject: ${p.action === 'failed' ? 'Mail delivery failed: returning message to sender' : 'Warning: message 1abc-000123-AB delayed 24 hours'}`,
    `Content-Type: multipart/report; report-type=delivery-status; boundary=${boundary}`,
    'MIME-Version: 1.0',
    `X-Failed-Recipients: ${o.recipient}`,
    'Auto-Submitted: auto-replied',
    'Message-Id: <E1abc-000123-AB@mx.example.net>',
    'Date: Sat, 05 Dec 2026 23:01:02 +0000',
    '',
    `--${boundary}`,
    'Content-type: text/plain; charset=us-ascii',
    '',
    'This message was created automatically by mail delivery software.',
    '',
    'A message that you sent could not be delivered to one or more of its',
    'recipients. This is a permanent error. The following address(es) failed:',
    '',
    `  ${o.recipient}`,
    '    host mx.example.org [192.0.2.1]',
    `    SMTP error from remote mail server after RCPT TO:<${o.recipient}>:`,
    `    ${p.diagnostic}`,
    '',
    `--${boundary}`,
    'Content-type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Action: ${p.action}`,
    `Final-Recipient: rfc822;${o.recipient}`,
    `Status: ${p.status === '5.1.1' ? '5.0.0' : p.status}`,
    'Remote-MTA: dns; mx.example.org',
    `Diagnostic-Code: smtp; ${p.diagnostic}`,
    '',
    `--${boundary}`,
    'Content-type: message/rfc822',
    '',
    ...p.text.trimEnd().split('\n'),
    '',
    `--${boundary}--`,
    '',
  ];
}
