import type { Response } from 'express';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export interface UnsubscribePage {
  title: string;
  message: string;
  /** A button posting `action` back to the same URL (unsubscribe or resubscribe). */
  button?: { action: 'unsubscribe' | 'resubscribe'; label: string };
}

/**
 * The page behind the email's unsubscribe link. GET never changes anything (link scanners and previews
 * fetch URLs); the buttons POST to the same token URL. `no-store` and `noindex`: the URL is a credential.
 */
export function sendUnsubscribePage(res: Response, status: number, page: UnsubscribePage): void {
  const form = page.button
    ? `<form method="post"><input type="hidden" name="action" value="${page.button.action}"><button type="submit">${escapeHtml(page.button.label)}</button></form>`
    : '';
  res
    .status(status)
    .setHeader('Cache-Control', 'no-store')
    .setHeader('X-Robots-Tag', 'noindex')
    .setHeader('Referrer-Policy', 'no-referrer')
    .type('html')
    .send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Pulse</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}h1{font-size:1.4rem}a{color:#1f5fa8}button{font:inherit;padding:.5rem 1rem;border:0;border-radius:4px;background:#1f5fa8;color:#fff;cursor:pointer}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p>
${form}
<p><a href="/#/subscriptions">Manage your report subscription in Pulse</a></p>
</body>
</html>`);
}
