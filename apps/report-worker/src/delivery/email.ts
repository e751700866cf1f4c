import type { MailAttachment, MailMessage } from '@pulse/mail';
import { periodLabel } from '@pulse/reports';
import { formatBytes } from '@pulse/report-render';
import type { ReportFile } from '../storage/report-files';

/** How the files reach the follower: links when storage took them, otherwise attachments, otherwise a notice. */
export type ReportDelivery =
  | { kind: 'links'; links: ReportLink[]; validUntil: Date }
  | { kind: 'attachments'; files: ReportFile[] }
  | { kind: 'deferred' };

export interface ReportEmailInput {
  to: string;
  followerName: string;
  period: string;
  deviceCount: number;
  delivery: ReportDelivery;
  /** Sent as a header so a message can be traced to its delivery row. */
  idempotencyKey: string;
}

export interface ReportLink {
  kind: ReportFile['kind'];
  url: string;
}

const LINK_TEXT: Record<ReportLink['kind'], string> = { pdf: 'PDF report', xlsx: 'Excel workbook' };

/** Attach only if the files fit under the cap together; a half-attached report is worse than a notice. */
export function chooseFallback(files: ReportFile[], maxBytes: number): ReportDelivery {
  const total = files.reduce((n, f) => n + f.body.length, 0);
  return total <= maxBytes ? { kind: 'attachments', files } : { kind: 'deferred' };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function composeReportEmail(input: ReportEmailInput): MailMessage {
  const label = periodLabel(input.period);
  const intro = `Your Pulse report for ${label} covers ${input.deviceCount} device${input.deviceCount === 1 ? '' : 's'}.`;
  const { delivery } = input;
  const day = (d: Date) => d.toISOString().slice(0, 10);

  let text: string;
  let body: string;
  let attachments: MailAttachment[] | undefined;
  if (delivery.kind === 'links') {
    text = [
      ...delivery.links.map((l) => `${LINK_TEXT[l.kind]}: ${l.url}`),
      `These links work until ${day(delivery.validUntil)}.`,
    ].join('\n');
    body = `<ul>
${delivery.links.map((l) => `  <li><a href="${escapeHtml(l.url)}">${LINK_TEXT[l.kind]}</a></li>`).join('\n')}
</ul>
<p style="color:#666">These links work until ${day(delivery.validUntil)}.</p>`;
  } else if (delivery.kind === 'attachments') {
    const list = delivery.files.map((f) => `${f.filename} (${formatBytes(f.body.length)})`);
    text = `The report files are attached:\n${list.map((l) => `- ${l}`).join('\n')}`;
    body = `<p>The report files are attached:</p><ul>${list.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
    attachments = delivery.files.map((f) => ({ filename: f.filename, content: f.body, contentType: f.contentType }));
  } else {
    text =
      'Our file storage is unavailable right now and the report files are too large to attach; they will follow in a separate email with download links.';
    body = `<p>${escapeHtml(text)}</p>`;
  }

  const greeting = `Hello ${input.followerName},`;
  return {
    to: input.to,
    subject: `Your Pulse report for ${label}`,
    text: `${greeting}\n\n${intro}\n\n${text}\n\n— Pulse\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>${escapeHtml(greeting)}</p>
<p>${escapeHtml(intro)}</p>
${body}
<p>— Pulse</p>
</body></html>`,
    attachments,
    idempotencyKey: input.idempotencyKey,
  };
}
