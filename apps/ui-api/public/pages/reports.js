// "Reports": my reports (monthly or weekly), one row per period, with download links for the PDF and the workbook.
// Administrators also get a form to produce a period's reports now.
import { api } from '../lib/api.js';
import { dataTable, formatBytes, formatDate, h, notice, whileBusy } from '../lib/ui.js';

const STATUS_TEXT = {
  pending: 'Queued',
  working: 'Being prepared',
  sent: 'Sent',
  failed: 'Failed (retrying)',
  skipped: 'Not sent',
  bounced: 'Bounced',
};

// Final states an administrator may send again.
const RESENDABLE = ['sent', 'failed', 'skipped', 'bounced'];

function periodLabel(period) {
  if (period.includes('-W')) return `Week ${Number(period.slice(6))}, ${period.slice(0, 4)}`;
  const [year, month] = period.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, 1)).toLocaleString(undefined, {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

function filesCell(report) {
  if (report.files.length > 0) {
    return h(
      'span',
      { class: 'actions' },
      ...report.files.map((f) =>
        h(
          'a',
          { href: f.downloadUrl, class: 'button-link', 'aria-label': `Download ${f.filename}` },
          `${f.kind.toUpperCase()} · ${formatBytes(f.size)}`,
        ),
      ),
    );
  }
  // Storage was down when it was sent: the email carried the files instead.
  if (report.status === 'sent' && !report.storageUploaded) return 'Sent as email attachments';
  return '—';
}

/** How it went: links (and until when), the attachment fallback, or why it failed, bounced or was not sent. */
function deliveryCell(r) {
  if (r.status === 'failed' || r.status === 'skipped' || r.status === 'bounced')
    return r.reason ? `${STATUS_TEXT[r.status]}: ${r.reason}` : STATUS_TEXT[r.status];
  if (r.status !== 'sent') return STATUS_TEXT[r.status] ?? r.status;
  // Deliveries recorded before links carried their expiry have no date to show.
  const links = r.linksValidUntil ? `Links valid until ${formatDate(r.linksValidUntil)}` : 'Emailed as links';
  const how = r.storageUploaded ? links : 'Attachments (storage was unavailable)';
  return r.resendCount > 0 ? `${how} · resent ${r.resendCount}×` : how;
}

async function adminDeliveries() {
  const status = h('div', { class: 'form-status' });
  const { items } = await api('GET', '/api/v1/reports/deliveries');
  const resend = (r) =>
    h(
      'button',
      {
        type: 'button',
        class: 'button-secondary',
        'aria-label': `Resend ${r.period} to ${r.follower?.email}`,
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            const res = await api('POST', `/api/v1/reports/deliveries/${r.id}/resend`);
            status.replaceChildren(
              notice(`Resend ${res.resendCount} of ${res.period} to ${r.follower?.email} requested.`, 'success'),
            );
          } catch (err) {
            status.replaceChildren(notice(`Could not resend: ${err.message}`, 'error'));
            e.target.disabled = false;
          }
        },
      },
      'Resend',
    );
  return h(
    'section',
    { class: 'stack', 'aria-labelledby': 'report-deliveries-title' },
    h('h2', { id: 'report-deliveries-title' }, 'All deliveries (administrators)'),
    status,
    dataTable({
      caption: 'Recent deliveries of every follower',
      columns: [
        { title: 'Follower', cell: (r) => r.follower?.email ?? '—' },
        { title: 'Period', cell: (r) => periodLabel(r.period) },
        { title: 'Sent at', cell: (r) => formatDate(r.sentAt) },
        { title: 'Delivery', cell: deliveryCell },
        { title: '', cell: (r) => (RESENDABLE.includes(r.status) ? resend(r) : '') },
      ],
      rows: items,
    }),
  );
}

/** The previous month as YYYY-MM: what the monthly run would report on today. */
function lastMonth() {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

/** The previous ISO week as YYYY-Www (the week whose Thursday is seven days before this week's). */
function lastWeek() {
  const day = 86_400_000;
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const thursday = new Date(today - ((now.getUTCDay() + 6) % 7) * day + 3 * day - 7 * day);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * day)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

// A month goes to the monthly subscribers, an ISO week to the weekly ones. type=month/week fall back to a
// text box in some browsers: the pattern and placeholder keep it usable there.
const PERIOD_INPUT = {
  monthly: { type: 'month', value: lastMonth, pattern: '\\d{4}-\\d{2}', placeholder: 'YYYY-MM' },
  weekly: { type: 'week', value: lastWeek, pattern: '\\d{4}-W\\d{2}', placeholder: 'YYYY-Www' },
};

function runForm() {
  const status = h('div', { class: 'form-status' });
  const period = h('input', { id: 'report-period', required: true });
  const setKind = (kind) => {
    const spec = PERIOD_INPUT[kind];
    period.value = '';
    Object.assign(period, { type: spec.type, pattern: spec.pattern, placeholder: spec.placeholder });
    period.value = spec.value();
  };
  const kind = h(
    'select',
    { id: 'report-kind', onchange: (e) => setKind(e.target.value) },
    h('option', { value: 'monthly' }, 'A month (monthly subscribers)'),
    h('option', { value: 'weekly' }, 'An ISO week (weekly subscribers)'),
  );
  setKind('monthly');
  const resend = h('input', { id: 'report-resend', type: 'checkbox' });
  const submit = h('button', { type: 'submit' }, 'Send reports now');
  const form = h(
    'form',
    {
      class: 'card stack',
      'aria-labelledby': 'report-run-title',
      onsubmit: async (e) => {
        e.preventDefault();
        const failed = (message) => status.replaceChildren(notice(`Could not start the run: ${message}`, 'error'));
        await whileBusy(submit, failed, async () => {
          const res = await api('POST', '/api/v1/reports/run', { period: period.value, resend: resend.checked });
          status.replaceChildren(
            notice(`Requested ${res.requested} report(s) for ${periodLabel(res.period)}.`, 'success'),
          );
        });
      },
    },
    h('h2', { id: 'report-run-title' }, 'Send a period now (administrators)'),
    h('label', { for: 'report-kind' }, 'Send'),
    h('div', { class: 'toolbar' }, kind),
    h('label', { for: 'report-period' }, 'Period'),
    h('div', { class: 'toolbar' }, period),
    h(
      'div',
      { class: 'toolbar' },
      resend,
      h('label', { for: 'report-resend' }, 'Also resend to followers who already received it'),
    ),
    h('div', { class: 'toolbar' }, submit),
    status,
  );
  return form;
}

export default {
  id: 'reports',
  title: 'Reports',
  async render(root, { user }) {
    const list = h('div', {}, notice('Loading…'));
    root.replaceChildren(
      h('div', { class: 'page-head' }, h('h1', {}, 'Reports')),
      h(
        'p',
        { class: 'muted' },
        'PDF and Excel reports for the devices you follow, emailed as your subscription says (see Subscriptions).',
      ),
      list,
    );
    if (user?.role === 'admin') {
      root.append(runForm());
      adminDeliveries().then(
        (section) => root.append(section),
        (err) => root.append(notice(`Could not load the deliveries: ${err.message}`, 'error')),
      );
    }
    try {
      const { items } = await api('GET', '/api/v1/reports');
      list.replaceChildren(
        items.length === 0
          ? notice('No reports yet. Follow a device to receive a report at your subscription’s next slot.')
          : dataTable({
              caption: 'My reports',
              columns: [
                { title: 'Period', cell: (r) => periodLabel(r.period) },
                { title: 'Status', cell: (r) => STATUS_TEXT[r.status] ?? r.status },
                { title: 'Emailed', cell: (r) => formatDate(r.sentAt) },
                { title: 'Delivery', cell: deliveryCell },
                { title: 'Files', cell: filesCell },
              ],
              rows: items,
            }),
      );
    } catch (err) {
      list.replaceChildren(notice(`Could not load your reports: ${err.message}`, 'error'));
    }
  },
};
