import type { MailAttachment, MailMessage } from '@pulse/mail';
import { periodLabel } from '@pulse/reports';
import { EMAIL_CHART_SIZE, formatBytes, formatCount, formatValue, type Headline } from '@pulse/report-render';
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
  headline: Headline;
  /** The inline chart (none when the period has no data). */
  chart?: { png: Buffer; metric: string };
  delivery: ReportDelivery;
  /** One-click unsubscribe (List-Unsubscribe header and the footer link). */
  unsubscribeUrl: string;
  unsubscribeMailto?: string;
  /** The Subscriptions page. */
  manageUrl: string;
  /** Sent as a header so a message can be traced to its delivery row. */
  idempotencyKey: string;
  /** Names the delivery (and which sending of it) in a bounce that arrives later: `reportBounceTag`. */
  bounceTag: string;
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

const CHART_CID = 'chart@pulse';

const fmt = (v: number) => formatValue(v);

/**
 * The report email: multipart/alternative with a plain-text part that says everything the HTML does, and
 * an HTML part with the period's headline figures, the chart as an inline `cid:` PNG (no remote images,
 * styles or fonts: it renders the same offline and in clients that block remote content), the links, and
 * the unsubscribe / manage footer.
 */
export function composeReportEmail(input: ReportEmailInput): MailMessage {
  const label = periodLabel(input.period);
  const { headline } = input;
  const intro = `Your Pulse report for ${label} covers ${headline.devices} device${headline.devices === 1 ? '' : 's'} and ${formatCount(headline.readings)} readings.`;
  const { delivery } = input;
  const day = (d: Date) => d.toISOString().slice(0, 10);

  let text: string;
  let body: string;
  const attachments: MailAttachment[] = [];
  if (delivery.kind === 'links') {
    text = [
      ...delivery.links.map((l) => `${LINK_TEXT[l.kind]}: ${l.url}`),
      `These links work until ${day(delivery.validUntil)}.`,
    ].join('\n');
    body = `<p>${delivery.links
      .map(
        (l) =>
          `<a href="${escapeHtml(l.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 14px;background:#1f5fa8;color:#ffffff;text-decoration:none;border-radius:4px">${LINK_TEXT[l.kind]}</a>`,
      )
      .join('')}</p>
<p style="color:#666666;font-size:13px">These links work until ${day(delivery.validUntil)}.</p>`;
  } else if (delivery.kind === 'attachments') {
    const list = delivery.files.map((f) => `${f.filename} (${formatBytes(f.body.length)})`);
    text = `The report files are attached:\n${list.map((l) => `- ${l}`).join('\n')}`;
    body = `<p>The report files are attached:</p><ul>${list.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
    attachments.push(
      ...delivery.files.map((f) => ({ filename: f.filename, content: f.body, contentType: f.contentType })),
    );
  } else {
    text =
      'Our file storage is unavailable right now and the report files are too large to attach; they will follow in a separate email with download links.';
    body = `<p>${escapeHtml(text)}</p>`;
  }

  const figuresText = headline.metrics.map(
    (m) =>
      `- ${m.metric}: min ${fmt(m.min)}, average ${fmt(m.avg)}, max ${fmt(m.max)} (${formatCount(m.count)} readings)`,
  );
  const figuresHtml = headline.metrics.length
    ? `<table role="presentation" cellpadding="6" cellspacing="0" style="border-collapse:collapse;margin:12px 0;font-size:14px">
<tr style="background:#e4ebf3"><th align="left">Metric</th><th align="right">Min</th><th align="right">Average</th><th align="right">Max</th><th align="right">Readings</th></tr>
${headline.metrics
  .map(
    (m) =>
      `<tr><td>${escapeHtml(m.metric)}</td><td align="right">${fmt(m.min)}</td><td align="right">${fmt(m.avg)}</td><td align="right">${fmt(m.max)}</td><td align="right">${formatCount(m.count)}</td></tr>`,
  )
  .join('\n')}
</table>`
    : '<p>No telemetry in this period.</p>';
  let chartHtml = '';
  let chartText = '';
  if (input.chart) {
    const { width, height } = EMAIL_CHART_SIZE;
    const caption = `${input.chart.metric}: daily range (bars) and average (line), all devices, ${label}`;
    attachments.push({ filename: 'chart.png', content: input.chart.png, contentType: 'image/png', cid: CHART_CID });
    chartHtml = `<p style="margin:12px 0 0"><img src="cid:${CHART_CID}" width="${width}" height="${height}" alt="${escapeHtml(caption)}" style="display:block;max-width:100%;height:auto;border:1px solid #dddddd"></p>
<p style="color:#666666;font-size:13px;margin:4px 0 12px">${escapeHtml(caption)}</p>`;
    chartText = `(The HTML version of this email shows a chart: ${caption}.)`;
  }

  const greeting = `Hello ${input.followerName},`;
  const footerText = `You get this because you follow devices in Pulse. Manage your subscription: ${input.manageUrl}\nUnsubscribe: ${input.unsubscribeUrl}`;
  return {
    kind: input.delivery.kind === 'deferred' ? 'report_notice' : 'report',
    to: input.to,
    subject: `Your Pulse report for ${label}`,
    text:
      [
        greeting,
        intro,
        ...(figuresText.length ? [figuresText.join('\n')] : []),
        ...(chartText ? [chartText] : []),
        text,
        '— Pulse',
        footerText,
      ].join('\n\n') + '\n',
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Your Pulse report for ${escapeHtml(label)}</title></head>
<body style="margin:0;padding:16px;background:#ffffff;color:#222222;font-family:Arial,Helvetica,sans-serif;line-height:1.5">
<div style="max-width:640px">
<p>${escapeHtml(greeting)}</p>
<p>${escapeHtml(intro)}</p>
${figuresHtml}
${chartHtml}
${body}
<p>— Pulse</p>
<p style="color:#777777;font-size:12px;border-top:1px solid #dddddd;padding-top:8px">You get this because you follow devices in Pulse.
<a href="${escapeHtml(input.manageUrl)}" style="color:#1f5fa8">Manage your subscription</a> ·
<a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#1f5fa8">Unsubscribe</a></p>
</div>
</body></html>`,
    attachments: attachments.length ? attachments : undefined,
    idempotencyKey: input.idempotencyKey,
    bounceTag: input.bounceTag,
    unsubscribe: { url: input.unsubscribeUrl, mailto: input.unsubscribeMailto },
  };
}
