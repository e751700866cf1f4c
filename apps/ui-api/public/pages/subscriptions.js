// "Subscriptions": what my report email contains and when it comes — devices, formats, monthly or weekly
// at a UTC slot, time zone, paused — with a "render now" preview of the last complete period (no email).
// Administrators also see every follower's subscription and can open one (#/subscriptions?user=<id>).
import { api } from '../lib/api.js';
import { dataTable, formatDate, h, notice, whileBusy } from '../lib/ui.js';

const FREQUENCY_TEXT = { monthly: 'Monthly, on the 1st', weekly: 'Weekly, on Monday' };
const FORMAT_TEXT = { both: 'PDF and Excel', pdf: 'PDF only', xlsx: 'Excel only' };

function userFromHash() {
  return new URLSearchParams(location.hash.split('?')[1] ?? '').get('user') ?? 'me';
}

function field(id, label, control, hint) {
  return h(
    'div',
    { class: 'stack' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'muted' }, hint) : null,
  );
}

function settingsForm(state, onSaved) {
  const { subscription: s, devices, user } = state;
  const status = h('div', { class: 'form-status' });
  const frequency = h(
    'select',
    { id: 'sub-frequency' },
    ...Object.entries(FREQUENCY_TEXT).map(([v, t]) => h('option', { value: v, selected: s.frequency === v }, t)),
  );
  const slot = h('input', { id: 'sub-slot', type: 'time', step: 60, required: true, value: s.slot });
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const timeZone = h('input', {
    id: 'sub-tz',
    list: 'sub-tz-list',
    required: true,
    value: s.timeZone,
    autocomplete: 'off',
  });
  const zoneList = h('datalist', { id: 'sub-tz-list' }, ...['UTC', ...zones].map((z) => h('option', { value: z })));
  const formats = h(
    'select',
    { id: 'sub-formats' },
    ...Object.entries(FORMAT_TEXT).map(([v, t]) => h('option', { value: v, selected: s.formats === v }, t)),
  );
  const allDevices = h('input', { id: 'sub-all-devices', type: 'checkbox', checked: s.deviceIds === null });
  const deviceBoxes = devices.map((d) =>
    h('input', {
      type: 'checkbox',
      value: d.id,
      id: `sub-dev-${d.id}`,
      checked: s.deviceIds === null || s.deviceIds.includes(d.id),
      disabled: s.deviceIds === null,
    }),
  );
  allDevices.addEventListener('change', () => {
    for (const b of deviceBoxes) b.disabled = allDevices.checked;
  });
  const paused = h('input', { id: 'sub-paused', type: 'checkbox', checked: s.paused });
  const save = h('button', { type: 'submit' }, 'Save');

  return h(
    'form',
    {
      class: 'card stack',
      'aria-labelledby': 'sub-settings-title',
      onsubmit: async (e) => {
        e.preventDefault();
        const failed = (message) => status.replaceChildren(notice(`Could not save: ${message}`, 'error'));
        await whileBusy(save, failed, async () => {
          const body = {
            frequency: frequency.value,
            slot: slot.value.slice(0, 5),
            timeZone: timeZone.value.trim(),
            formats: formats.value,
            deviceIds: allDevices.checked ? null : deviceBoxes.filter((b) => b.checked).map((b) => b.value),
            paused: paused.checked,
          };
          const res = await api('PATCH', `/api/v1/subscriptions/${user.id}`, body);
          status.replaceChildren(notice('Saved.', 'success'));
          onSaved(res.subscription);
        });
      },
    },
    h('h2', { id: 'sub-settings-title' }, 'Settings'),
    field('sub-frequency', 'How often', frequency),
    field(
      'sub-slot',
      'Send at (UTC)',
      slot,
      'The report covers the last month or week complete at that moment in your time zone.',
    ),
    field('sub-tz', 'Time zone (period boundaries and dates in the report)', h('div', {}, timeZone, zoneList)),
    field('sub-formats', 'Files', formats),
    h(
      'fieldset',
      { class: 'stack' },
      h('legend', {}, 'Devices'),
      h('div', { class: 'toolbar' }, allDevices, h('label', { for: 'sub-all-devices' }, 'Every device I follow')),
      ...devices.map((d, i) =>
        h(
          'div',
          { class: 'toolbar' },
          deviceBoxes[i],
          h('label', { for: `sub-dev-${d.id}` }, d.site ? `${d.name} (${d.site})` : d.name),
        ),
      ),
    ),
    h('div', { class: 'toolbar' }, paused, h('label', { for: 'sub-paused' }, 'Pause (send nothing until unpaused)')),
    h('div', { class: 'toolbar' }, save),
    status,
  );
}

/** A slot is set in UTC: show it in UTC, so it reads the same as the "Send at (UTC)" field. */
function slotTime(iso) {
  const at = new Date(iso).toLocaleString(undefined, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
  });
  return `${at} UTC`;
}

function summary(state, refresh) {
  const { subscription: s, user } = state;
  const status = h('div', { class: 'form-status' });
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'button-secondary',
      onclick: async () => {
        try {
          await api('PATCH', `/api/v1/subscriptions/${user.id}`, { subscribed: Boolean(s.unsubscribedAt) });
          await refresh();
        } catch (err) {
          status.replaceChildren(notice(err.message, 'error'));
        }
      },
    },
    s.unsubscribedAt ? 'Resubscribe' : 'Unsubscribe',
  );
  let line;
  if (s.unsubscribedAt) line = `Unsubscribed since ${formatDate(s.unsubscribedAt)}: no reports are sent.`;
  else if (s.paused) line = 'Paused: no reports are sent.';
  else line = `Next report: ${slotTime(s.nextDelivery.at)} (covers ${s.nextDelivery.period}).`;
  return h(
    'section',
    { class: 'card stack', 'aria-labelledby': 'sub-status-title' },
    h('h2', { id: 'sub-status-title' }, `Report emails to ${user.email}`),
    h('p', { id: 'sub-status' }, line),
    h('div', { class: 'toolbar' }, toggle),
    status,
  );
}

function previewCard(user) {
  const out = h('div', { class: 'stack' });
  const button = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        button.disabled = true;
        out.replaceChildren(notice('Rendering…'));
        try {
          const p = await api('POST', `/api/v1/subscriptions/${user.id}/preview`);
          out.replaceChildren(
            h(
              'p',
              { class: 'muted' },
              `Period ${p.period}, ${p.devices} device${p.devices === 1 ? '' : 's'}. First page of the PDF — nothing was emailed.`,
            ),
            h('img', { src: p.image, alt: `First page of the ${p.period} report`, class: 'preview', width: 566 }),
          );
        } catch (err) {
          out.replaceChildren(notice(`Could not render: ${err.message}`, 'error'));
        } finally {
          button.disabled = false;
        }
      },
    },
    'Render now',
  );
  return h(
    'section',
    { class: 'card stack', 'aria-labelledby': 'sub-preview-title' },
    h('h2', { id: 'sub-preview-title' }, 'Preview'),
    h('p', { class: 'muted' }, 'Renders the report for the last complete period with the saved settings.'),
    h('div', { class: 'toolbar' }, button),
    out,
  );
}

async function adminList() {
  const { items } = await api('GET', '/api/v1/subscriptions');
  return h(
    'section',
    { class: 'stack', 'aria-labelledby': 'sub-all-title' },
    h('h2', { id: 'sub-all-title' }, 'All subscriptions (administrators)'),
    dataTable({
      caption: 'Every follower’s subscription',
      columns: [
        { title: 'Follower', cell: (i) => h('a', { href: `#/subscriptions?user=${i.user.id}` }, i.user.email) },
        { title: 'Schedule', cell: (i) => `${FREQUENCY_TEXT[i.subscription.frequency]} ${i.subscription.slot} UTC` },
        { title: 'Files', cell: (i) => FORMAT_TEXT[i.subscription.formats] },
        { title: 'Time zone', cell: (i) => i.subscription.timeZone },
        {
          title: 'State',
          cell: (i) => (i.subscription.unsubscribedAt ? 'Unsubscribed' : i.subscription.paused ? 'Paused' : 'Active'),
        },
      ],
      rows: items,
    }),
  );
}

export default {
  id: 'subscriptions',
  title: 'Subscriptions',
  async render(root, { user: me }) {
    const body = h('div', { class: 'stack' }, notice('Loading…'));
    root.replaceChildren(h('div', { class: 'page-head' }, h('h1', {}, 'Subscriptions')), body);
    const refresh = async () => {
      try {
        const state = await api('GET', `/api/v1/subscriptions/${userFromHash()}`);
        body.replaceChildren(
          summary(state, refresh),
          settingsForm(state, () => refresh()),
          previewCard(state.user),
          ...(me?.role === 'admin' ? [await adminList()] : []),
        );
      } catch (err) {
        body.replaceChildren(notice(`Could not load the subscription: ${err.message}`, 'error'));
      }
    };
    await refresh();
  },
};
