// A small mail capture for the local stack: SMTP in, and a mailpit-compatible subset of its HTTP API
// out (GET /api/v1/messages, GET /api/v1/message/:id), so the smoke script reads codes and links the
// same way from this and from mailpit in the compose stack. Messages live in memory only.
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

interface Stored {
  ID: string;
  Created: string;
  From: { Address: string };
  To: { Address: string }[];
  Subject: string;
  Text: string;
  HTML: string;
  Attachments: { FileName: string; ContentType: string; Size: number }[];
}

const smtpPort = Number(process.env.MAIL_SMTP_PORT ?? 1025);
const httpPort = Number(process.env.MAIL_HTTP_PORT ?? 8025);
const host = process.env.MAIL_HOST ?? '127.0.0.1';
const MAX = 500;
const messages: Stored[] = [];
let seq = 0;

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 50 * 1024 * 1024,
  onData(stream, _session, done) {
    simpleParser(stream)
      .then((m) => {
        const to = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value);
        messages.unshift({
          ID: String(++seq),
          Created: new Date().toISOString(),
          From: { Address: m.from?.value[0]?.address ?? '' },
          To: to.map((a) => ({ Address: a.address ?? '' })),
          Subject: m.subject ?? '',
          Text: m.text ?? '',
          HTML: typeof m.html === 'string' ? m.html : '',
          Attachments: m.attachments.map((a) => ({
            FileName: a.filename ?? '',
            ContentType: a.contentType,
            Size: a.size,
          })),
        });
        messages.length = Math.min(messages.length, MAX);
        done();
      })
      .catch(done);
  },
});

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/api/v1/messages' && req.method === 'GET') {
    const summary = messages.map(({ Text: _t, HTML: _h, ...rest }) => rest);
    return json(200, { total: messages.length, messages: summary });
  }
  if (url.pathname === '/api/v1/messages' && req.method === 'DELETE') {
    messages.length = 0;
    return json(200, { ok: true });
  }
  const one = /^\/api\/v1\/message\/([0-9]+)$/.exec(url.pathname);
  if (one) {
    const m = messages.find((x) => x.ID === one[1]);
    return m ? json(200, m) : json(404, { error: 'not found' });
  }
  if (url.pathname === '/') {
    const rows = messages
      .map(
        (m) =>
          `<details><summary>${escapeHtml(m.Created)} · ${escapeHtml(m.To.map((t) => t.Address).join(', '))} · <b>${escapeHtml(m.Subject)}</b></summary><pre>${escapeHtml(m.Text)}</pre></details>`,
      )
      .join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(
      `<!doctype html><meta charset="utf-8"><title>Pulse mail</title><meta http-equiv="refresh" content="5"><style>body{font:14px system-ui;margin:2rem;max-width:60rem}summary{cursor:pointer;padding:.3rem 0}pre{white-space:pre-wrap;background:#f4f4f5;padding:1rem}</style><h1>Captured mail (${messages.length})</h1>${rows || '<p>No mail yet.</p>'}`,
    );
  }
  json(404, { error: 'not found' });
});

smtp.listen(smtpPort, host, () => {
  http.listen(httpPort, host, () => {
    process.stdout.write(`mail capture: SMTP ${host}:${smtpPort}, web http://${host}:${httpPort}\n`);
  });
});
const stop = () => smtp.close(() => http.close(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
