// "Acquisition": capture IQ samples on several receivers at once, watch the capture live, and download
// each receiver's .npy (complex64) and metadata JSON. The status API is the state of record; the page
// polls it while a capture runs.
import { api } from '../lib/api.js';
import { formatBytes, formatDate, h, notice, progressBar, whileBusy } from '../lib/ui.js';

const POLL_MS = 750;
const FINAL = new Set(['SUCCESS', 'PARTIAL_FAILURE', 'FAILED', 'CANCELLED']);
const STATE = {
  queued: ['Queued', 'queued'],
  running: ['Capturing', 'running'],
  SUCCESS: ['Done', 'succeeded'],
  PARTIAL_FAILURE: ['Done, some receivers failed', 'expired'],
  FAILED: ['Failed', 'failed'],
  CANCELLED: ['Cancelled', 'expired'],
};
const RATES = [12_000, 48_000, 96_000, 192_000, 1_200_000, 2_400_000];

const mhz = (hz) => `${(hz / 1e6).toFixed(6).replace(/\.?0+$/, '')} MHz`;
const rateLabel = (sps) => (sps >= 1e6 ? `${sps / 1e6} MS/s` : `${sps / 1e3} kS/s`);
const stateBadge = (state) => {
  const [text, tone] = STATE[state] ?? [state, 'queued'];
  return h('span', { class: `badge badge-${tone}` }, text);
};
const countsText = (p) =>
  `${p.current} of ${p.total} receivers` + (p.current ? ` · ${p.successful} stored, ${p.failed} failed` : '');
const seconds = (ms) => `${Math.floor(ms / 1000)} s`;
// The capture is wall-clock time and most of the wait; storing follows it. The bar gives the capture
// 80 % and the receivers done 20 %: both only grow, so the bar never moves back.
const CAPTURE_SHARE = 0.8;
const percentDone = (p) =>
  (CAPTURE_SHARE * p.captureMs) / Math.max(1, p.captureTotalMs) +
  ((1 - CAPTURE_SHARE) * p.current) / Math.max(1, p.total);

/** Polls a task until it is finished or the user leaves the page (`signal`). */
function watchTask(taskId, signal, onStatus) {
  let timer;
  signal.addEventListener('abort', () => clearTimeout(timer));
  const tick = async () => {
    try {
      const status = await api('GET', `/api/v1/acquisition/status/${taskId}`);
      if (signal.aborted) return;
      onStatus(status);
      if (FINAL.has(status.state)) return;
    } catch (err) {
      if (signal.aborted) return;
      onStatus({ state: 'error', message: err.message });
    }
    timer = setTimeout(tick, POLL_MS);
  };
  tick();
}

/** The live view of one capture: a bar over capture time and receivers, and a line saying where it stands. */
function liveProgress(label) {
  const bar = progressBar(label);
  const line = h('p', { class: 'muted', role: 'status' }, 'Queued…');
  return {
    el: h('div', {}, bar.el, line),
    update(status) {
      if (status.state === 'error') {
        line.textContent = `Could not read the progress: ${status.message}`;
        return;
      }
      const p = status.progress;
      bar.update(FINAL.has(status.state) ? 1 : percentDone(p), 1);
      const capture =
        status.state === 'running' && p.current === 0
          ? `${seconds(p.captureMs)} of ${seconds(p.captureTotalMs)} · `
          : '';
      line.textContent = `${STATE[status.state]?.[0] ?? status.state}: ${capture}${countsText(p)}`;
      if (status.error) line.textContent += `. ${status.error}.`;
    },
  };
}

function field(label, control, hint) {
  const hintEl = hint ? h('small', { id: `${control.id}-hint`, class: 'muted' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

const STATUS = { online: 'succeeded', failing: 'failed', unknown: 'queued' };
const KIND = { kiwisdr: 'KiwiSDR', rtl_tcp: 'rtl_tcp', synthetic: 'synthetic' };

/** One receiver's checkbox with its kind and status (and the last error, when it is failing). */
function receiverChoice(box, r) {
  return h(
    'label',
    { class: 'acq-receiver', title: r.lastError ?? '' },
    box,
    ` ${r.name} `,
    h('small', { class: 'muted' }, `${KIND[r.kind] ?? r.kind} · ${r.id}`),
    ' ',
    h('span', { class: `badge badge-${STATUS[r.status] ?? 'queued'}` }, r.status),
  );
}

function acquisitionForm({ items: receivers, limits }, { onStarted, say }) {
  const frequency = h('input', {
    id: 'acq-frequency',
    type: 'number',
    required: true,
    min: limits.frequencyHz.min / 1e6,
    max: limits.frequencyHz.max / 1e6,
    step: 0.000001,
    value: 7.1,
  });
  const duration = h('input', {
    id: 'acq-duration',
    type: 'number',
    required: true,
    min: limits.durationMs.min,
    max: limits.durationMs.max,
    step: 1,
    value: 500,
  });
  const rate = h(
    'select',
    { id: 'acq-rate' },
    ...RATES.filter((r) => r >= limits.sampleRate.min && r <= limits.sampleRate.max).map((r) =>
      h('option', { value: r, selected: r === 48_000 }, rateLabel(r)),
    ),
  );
  const boxes = receivers.map((r) => h('input', { type: 'checkbox', value: r.id, checked: true }));
  const submit = h('button', { type: 'submit' }, 'Start acquisition');

  async function onsubmit(event) {
    event.preventDefault();
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (chosen.length === 0) return say('Choose at least one receiver.', 'error');
    const body = {
      frequencyHz: Math.round(Number(frequency.value) * 1e6),
      durationMs: Number(duration.value),
      sampleRate: Number(rate.value),
      receivers: chosen,
    };
    const samples = Math.round((body.durationMs * body.sampleRate) / 1000);
    if (samples > limits.maxSamplesPerReceiver) {
      return say(
        `That is ${samples.toLocaleString()} samples per receiver; the limit is ${limits.maxSamplesPerReceiver.toLocaleString()}. Shorten the duration or lower the rate.`,
        'error',
      );
    }
    await whileBusy(
      submit,
      (message) => say(message, 'error'),
      async () => {
        const { taskId } = await api('POST', '/api/v1/acquisition/acquire', body);
        say('');
        onStarted(taskId, body);
      },
    );
  }

  return h(
    'form',
    { class: 'card acq-form', 'aria-labelledby': 'acq-form-title', onsubmit },
    h('h2', { id: 'acq-form-title' }, 'New acquisition'),
    h(
      'div',
      { class: 'acq-form-grid' },
      field('Frequency (MHz)', frequency, `${mhz(limits.frequencyHz.min)} to ${mhz(limits.frequencyHz.max)}`),
      field('Duration (ms)', duration, `${limits.durationMs.min} to ${limits.durationMs.max} ms`),
      field('Sample rate', rate),
    ),
    h(
      'fieldset',
      { class: 'acq-receivers' },
      h('legend', {}, 'Receivers'),
      ...boxes.map((box, i) => receiverChoice(box, receivers[i])),
    ),
    h('div', { class: 'toolbar' }, submit),
  );
}

function fileLink(file, text, receiverId) {
  if (!file.available) return h('span', { class: 'muted' }, `${text} (removed)`);
  return h('a', { class: 'button', href: file.downloadUrl, 'aria-label': `Download ${text} of ${receiverId}` }, text);
}

function measurementsTable(session) {
  const errors = session.result?.errors ?? [];
  return h(
    'div',
    {},
    session.measurements.length
      ? h(
          'table',
          { class: 'table' },
          h('caption', { class: 'visually-hidden' }, `Measurements of the ${mhz(session.frequencyHz)} acquisition`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Receiver', 'Samples', 'Size', 'SNR', 'SHA-256', 'Download'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            ...session.measurements.map((m) =>
              h(
                'tr',
                {},
                h('td', {}, m.receiverId),
                h('td', {}, m.sampleCount.toLocaleString()),
                h('td', {}, formatBytes(m.size)),
                h('td', {}, m.snrDb === null ? '—' : `${m.snrDb.toFixed(1)} dB`),
                h('td', {}, h('code', { title: m.sha256 }, `${m.sha256.slice(0, 12)}…`)),
                h(
                  'td',
                  {},
                  h(
                    'div',
                    { class: 'actions' },
                    fileLink(m.npy, '.npy', m.receiverId),
                    fileLink(m.metadata, 'metadata', m.receiverId),
                  ),
                ),
              ),
            ),
          ),
        )
      : notice('No measurement was stored.', 'info'),
    ...errors.map((e) => notice(`${e.receiverId}: ${e.message}`, 'error')),
  );
}

/** A row of the sessions table plus the (initially hidden) row that shows its files. */
function sessionRows(task, signal) {
  const stateCell = h('td', {}, stateBadge(task.state));
  const detailsCell = h('td', { colspan: 5 });
  const details = h('tr', { hidden: true }, detailsCell);
  const toggle = h('button', { type: 'button', class: 'button-secondary', 'aria-expanded': 'false' }, 'Show files');
  toggle.addEventListener('click', async () => {
    const open = toggle.getAttribute('aria-expanded') === 'true';
    toggle.setAttribute('aria-expanded', String(!open));
    toggle.textContent = open ? 'Show files' : 'Hide files';
    details.hidden = open;
    if (open) return;
    detailsCell.replaceChildren(notice('Loading…'));
    try {
      detailsCell.replaceChildren(measurementsTable(await api('GET', `/api/v1/acquisition/sessions/${task.taskId}`)));
    } catch (err) {
      detailsCell.replaceChildren(notice(`Could not load the files: ${err.message}`, 'error'));
    }
  });
  if (!FINAL.has(task.state)) {
    const live = liveProgress(`Progress of the ${mhz(task.frequencyHz)} acquisition`);
    stateCell.replaceChildren(live.el);
    watchTask(task.taskId, signal, (status) => {
      live.update(status);
      if (FINAL.has(status.state)) stateCell.replaceChildren(stateBadge(status.state));
    });
  }
  const row = h(
    'tr',
    {},
    h('td', {}, formatDate(task.createdAt)),
    h('td', {}, mhz(task.frequencyHz)),
    h('td', {}, `${task.receivers.length} receivers · ${task.durationMs} ms at ${rateLabel(task.sampleRate)}`),
    stateCell,
    h('td', {}, toggle),
  );
  return [row, details];
}

function sessionsList(signal) {
  const body = h('tbody', {});
  const empty = h('p', { class: 'empty', hidden: true }, 'No acquisitions yet.');
  const more = h('button', { type: 'button', class: 'button-secondary', hidden: true }, 'Load more');
  const status = h('div', {});
  let cursor = null;

  async function load() {
    more.disabled = true;
    try {
      const page = await api('GET', `/api/v1/acquisition/sessions?limit=20${cursor ? `&cursor=${cursor}` : ''}`);
      if (signal.aborted) return;
      for (const task of page.items) body.append(...sessionRows(task, signal));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.hidden = body.children.length > 0;
      table.hidden = !empty.hidden;
      status.replaceChildren();
    } catch (err) {
      if (!signal.aborted) status.replaceChildren(notice(`Could not load your acquisitions: ${err.message}`, 'error'));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', load);

  const table = h(
    'table',
    { class: 'table' },
    h('caption', { class: 'visually-hidden' }, 'My acquisitions, newest first'),
    h(
      'thead',
      {},
      h('tr', {}, ...['Started', 'Frequency', 'Capture', 'State', 'Files'].map((t) => h('th', { scope: 'col' }, t))),
    ),
    body,
  );
  const el = h(
    'section',
    { 'aria-labelledby': 'acq-list-title' },
    h('h2', { id: 'acq-list-title' }, 'My acquisitions'),
    table,
    empty,
    status,
    h('div', { class: 'toolbar' }, more),
  );
  return {
    el,
    load,
    reload() {
      body.replaceChildren();
      cursor = null;
      return load();
    },
  };
}

export default {
  id: 'acquisition',
  title: 'Acquisition',
  async render(root, { signal }) {
    root.replaceChildren(
      h('h1', {}, 'Acquisition'),
      h(
        'p',
        { class: 'muted' },
        'Capture raw IQ samples from several WebSDR receivers at once. Each receiver gives a NumPy .npy file (complex64) and a metadata JSON file.',
      ),
    );
    const loading = notice('Loading…');
    root.append(loading);
    let options;
    try {
      options = await api('GET', '/api/v1/acquisition/receivers');
    } catch (err) {
      loading.replaceWith(notice(`Could not load the receivers: ${err.message}`, 'error'));
      return;
    }
    if (signal.aborted) return;
    loading.remove();

    const formStatus = h('div', {});
    const say = (text, tone) => formStatus.replaceChildren(text ? notice(text, tone) : '');
    const sessions = sessionsList(signal);
    const current = h('section', { class: 'card acq-live', 'aria-labelledby': 'acq-live-title', hidden: true });
    const form = acquisitionForm(options, {
      say,
      onStarted(taskId, request) {
        const live = liveProgress('Acquisition progress');
        current.hidden = false;
        current.replaceChildren(
          h('h2', { id: 'acq-live-title' }, `Acquisition at ${mhz(request.frequencyHz)}`),
          live.el,
        );
        watchTask(taskId, signal, (status) => {
          live.update(status);
          if (FINAL.has(status.state)) sessions.reload();
        });
      },
    });
    root.append(form, formStatus, current, sessions.el);
    await sessions.load();
  },
};
