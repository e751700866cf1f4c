// "Exports": request a telemetry export, watch it run, download or delete it. While any export is
// queued or running the list is re-read every second; the state of record is the API, not events.
import { api } from '../lib/api.js';
import { dataTable, formatBytes, formatDate, h, notice, whileBusy } from '../lib/ui.js';

const POLL_MS = 1000;
const FORMATS = [
  ['csv', 'CSV (spreadsheets, scripts)'],
  ['ndjson', 'NDJSON (one JSON object per line)'],
  ['xlsx', 'Excel workbook (.xlsx)'],
];
const STATUS_TEXT = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Ready',
  failed: 'Failed',
  expired: 'Expired',
  missing: 'Missing',
};
const ACTIVE = new Set(['queued', 'running']);

const isoDay = (d) => d.toISOString().slice(0, 10);
const dayLabel = (iso) => new Date(iso).toLocaleDateString(undefined, { timeZone: 'UTC', dateStyle: 'medium' });

/** Last calendar month (UTC): most exports are for a closed period. */
function lastMonth() {
  const now = new Date();
  return {
    from: isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))),
    to: isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))),
  };
}

function field(label, control, hint) {
  const hintEl = hint ? h('small', { id: `${control.id}-hint`, class: 'muted' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

function exportForm(devices, { onCreated, say }) {
  const range = lastMonth();
  const format = h(
    'select',
    { id: 'export-format', name: 'format' },
    ...FORMATS.map(([value, text]) => h('option', { value }, text)),
  );
  const from = h('input', { id: 'export-from', type: 'date', name: 'from', value: range.from, required: true });
  const to = h('input', { id: 'export-to', type: 'date', name: 'to', value: range.to, required: true });
  const deviceSelect = h(
    'select',
    { id: 'export-devices', name: 'devices', multiple: true, size: Math.min(6, Math.max(3, devices.length)) },
    ...devices.map((d) => h('option', { value: d.id }, d.site ? `${d.name} · ${d.site}` : d.name)),
  );
  const submit = h('button', { type: 'submit' }, 'Start export');

  async function onsubmit(event) {
    event.preventDefault();
    const deviceIds = [...deviceSelect.selectedOptions].map((o) => o.value);
    await whileBusy(
      submit,
      (message) => say(message, 'error'),
      async () => {
        await api('POST', '/api/v1/exports', {
          format: format.value,
          from: from.value,
          to: to.value,
          ...(deviceIds.length ? { deviceIds } : {}),
        });
        say('Export started. It appears below and updates as it runs.', 'success');
        await onCreated();
      },
    );
  }

  return h(
    'form',
    { class: 'card export-form', 'aria-labelledby': 'export-form-title', onsubmit },
    h('h2', { id: 'export-form-title' }, 'New export'),
    h(
      'div',
      { class: 'export-form-grid' },
      field('Format', format),
      field('From (UTC, included)', from),
      field('To (UTC, excluded)', to),
      field('Devices', deviceSelect, 'None selected: every device you follow. Ctrl/⌘-click to pick several.'),
    ),
    h('div', { class: 'toolbar' }, submit),
  );
}

function progressCell(item) {
  const rows = `${item.rowsDone.toLocaleString()} rows`;
  if (ACTIVE.has(item.status)) {
    // The total isn't known up front (rows stream out without a count first): an indeterminate bar.
    return h(
      'div',
      { class: 'progress' },
      h('progress', { 'aria-label': `Export progress, ${rows}` }),
      h('span', { class: 'progress-text' }, rows),
    );
  }
  if (item.status === 'failed') return h('span', { class: 'export-error' }, item.error ?? 'failed');
  // Not retention: the stored file is gone before its time (reported to the operator by cleanup).
  if (item.status === 'missing') return h('span', { class: 'export-error' }, 'File lost from storage; export again');
  return h('span', { class: 'nowrap' }, rows);
}

function statusCell(item) {
  const badge = h('span', { class: `badge badge-${item.status}` }, STATUS_TEXT[item.status] ?? item.status);
  if (item.status !== 'succeeded' || !item.expiresAt) return badge;
  return h('div', {}, badge, h('small', { class: 'muted export-expiry' }, `until ${formatDate(item.expiresAt)}`));
}

function actions(item, remove) {
  const range = `${dayLabel(item.from)} – ${dayLabel(item.to)}`;
  return h(
    'div',
    { class: 'actions' },
    item.downloadUrl
      ? h(
          'a',
          {
            class: 'button',
            href: item.downloadUrl,
            'aria-label': `Download ${item.format.toUpperCase()} export ${range}`,
          },
          'Download',
        )
      : null,
    h(
      'button',
      {
        type: 'button',
        class: 'button-secondary',
        'aria-label': `Delete ${item.format.toUpperCase()} export ${range}`,
        onclick: () => remove(item),
      },
      'Delete',
    ),
  );
}

export default {
  id: 'exports',
  title: 'Exports',
  async render(root, { signal }) {
    const status = h('div', { class: 'form-status' });
    const say = (text, tone) => status.replaceChildren(text ? notice(text, tone) : '');
    const listArea = h('div', { 'aria-live': 'polite' });
    let timer;
    signal.addEventListener('abort', () => clearTimeout(timer));

    async function load() {
      clearTimeout(timer);
      try {
        const { items } = await api('GET', '/api/v1/exports?limit=50');
        if (signal.aborted) return;
        draw(items);
        if (items.some((i) => ACTIVE.has(i.status))) timer = setTimeout(load, POLL_MS);
      } catch (err) {
        if (!signal.aborted) listArea.replaceChildren(notice(`Could not load your exports: ${err.message}`, 'error'));
      }
    }

    async function remove(item) {
      if (!confirm('Delete this export and its file? This cannot be undone.')) return;
      try {
        await api('DELETE', `/api/v1/exports/${item.id}`);
        say('Export deleted.', 'success');
      } catch (err) {
        say(`Could not delete: ${err.message}`, 'error');
      }
      await load();
    }

    function draw(items) {
      if (items.length === 0) {
        listArea.replaceChildren(h('p', { class: 'empty' }, 'No exports yet. Start one above.'));
        return;
      }
      listArea.replaceChildren(
        dataTable({
          caption: 'My exports',
          columns: [
            { title: 'Requested', cell: (e) => formatDate(e.createdAt) },
            { title: 'Format', cell: (e) => e.format.toUpperCase() },
            { title: 'Period', cell: (e) => `${dayLabel(e.from)} – ${dayLabel(e.to)}` },
            { title: 'Status', cell: statusCell },
            { title: 'Progress', cell: progressCell },
            {
              title: 'Size',
              cell: (e) => h('span', { class: 'nowrap' }, e.sizeBytes === null ? '—' : formatBytes(e.sizeBytes)),
            },
            { title: 'Actions', cell: (e) => actions(e, remove) },
          ],
          rows: items,
        }),
      );
    }

    root.replaceChildren(
      h('div', { class: 'page-head' }, h('h1', {}, 'Exports')),
      h(
        'p',
        { class: 'muted' },
        'Telemetry of the devices you follow, as CSV, NDJSON or an Excel workbook. Finished files are kept until the date shown under their status.',
      ),
      status,
    );
    try {
      const { items: devices } = await api('GET', '/api/v1/devices');
      if (signal.aborted) return;
      root.append(exportForm(devices, { onCreated: load, say }), h('h2', {}, 'My exports'), listArea);
      await load();
    } catch (err) {
      say(`Could not load your devices: ${err.message}`, 'error');
    }
  },
};
