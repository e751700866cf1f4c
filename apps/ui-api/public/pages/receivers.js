// "Receivers" (administrators): the registry acquisitions capture from. Add a KiwiSDR, rtl_tcp or
// synthetic receiver, enable or disable it, remove it, and see each one's last contact. Passwords are
// never shown: only whether a secret reference is set.
import { api } from '../lib/api.js';
import { actionButton, dataTable, formatDate, h, notice, whileBusy } from '../lib/ui.js';

const STATUS = { online: 'succeeded', failing: 'failed', unknown: 'queued' };
const KINDS = [
  ['kiwisdr', 'KiwiSDR (WebSocket)'],
  ['rtl_tcp', 'rtl_tcp'],
  ['synthetic', 'Synthetic'],
];
const address = (r) => (r.host ? `${r.host}:${r.port}` : '—');
const mhz = (hz) => `${+(hz / 1e6).toFixed(3)}`;

function input(id, label, attrs = {}) {
  const el = h('input', { id, name: id, ...attrs });
  return { el, field: h('div', { class: 'field' }, h('label', { for: id }, label), el) };
}

/** The "Add a receiver" form: only filled fields are sent; the API fills the kind's defaults. */
function createForm(onCreated, say) {
  const id = input('rx-id', 'Id', { required: true, pattern: '[A-Za-z0-9._-]{1,64}' });
  const name = input('rx-name', 'Name', { required: true, maxlength: 100 });
  const kind = h('select', { id: 'rx-kind' }, ...KINDS.map(([v, t]) => h('option', { value: v }, t)));
  const host = input('rx-host', 'Host', { placeholder: 'kiwi.example.org' });
  const port = input('rx-port', 'Port', { type: 'number', min: 1, max: 65535, placeholder: '8073' });
  const secret = input('rx-password-ref', 'Password reference', { placeholder: 'env:KIWI_PASSWORD' });
  const lat = input('rx-lat', 'Latitude', { type: 'number', step: 'any', min: -90, max: 90 });
  const lon = input('rx-lon', 'Longitude', { type: 'number', step: 'any', min: -180, max: 180 });
  const submit = h('button', { type: 'submit' }, 'Add receiver');

  async function onsubmit(event) {
    event.preventDefault();
    const body = { id: id.el.value.trim(), name: name.el.value.trim(), kind: kind.value };
    if (host.el.value) body.host = host.el.value.trim();
    if (port.el.value) body.port = Number(port.el.value);
    if (secret.el.value) body.passwordRef = secret.el.value.trim();
    if (lat.el.value) body.latitude = Number(lat.el.value);
    if (lon.el.value) body.longitude = Number(lon.el.value);
    await whileBusy(
      submit,
      (message) => say(message, 'error'),
      async () => {
        const created = await api('POST', '/api/v1/admin/receivers', body);
        event.target.reset();
        say(`Receiver ${created.id} added.`);
        onCreated();
      },
    );
  }

  return h(
    'form',
    { class: 'card acq-form', 'aria-labelledby': 'rx-form-title', onsubmit },
    h('h2', { id: 'rx-form-title' }, 'Add a receiver'),
    h(
      'div',
      { class: 'acq-form-grid' },
      id.field,
      name.field,
      h('div', { class: 'field' }, h('label', { for: 'rx-kind' }, 'Kind'), kind),
      host.field,
      port.field,
      secret.field,
      lat.field,
      lon.field,
    ),
    h('div', { class: 'toolbar' }, submit),
  );
}

export default {
  id: 'receivers',
  title: 'Receivers',
  adminOnly: true,
  async render(root, { signal }) {
    const status = h('div', { 'aria-live': 'polite' });
    const say = (text, kind = 'info') => status.replaceChildren(text ? notice(text, kind) : '');
    const list = h('section', { class: 'card', 'aria-labelledby': 'rx-list-title' });

    async function refresh() {
      const { items } = await api('GET', '/api/v1/admin/receivers');
      if (signal.aborted) return;
      const action = (label, run) =>
        actionButton(
          label,
          async () => {
            await run();
            await refresh();
          },
          (message) => say(message, 'error'),
        );
      list.replaceChildren(
        h('h2', { id: 'rx-list-title' }, 'Registered receivers'),
        items.length === 0
          ? notice('No receivers yet.')
          : dataTable({
              caption: 'Receivers',
              columns: [
                { title: 'Id', cell: (r) => r.id },
                { title: 'Name', cell: (r) => r.name },
                { title: 'Kind', cell: (r) => r.kind },
                { title: 'Address', cell: (r) => address(r) + (r.hasPassword ? ' 🔒' : '') },
                { title: 'Range (MHz)', cell: (r) => `${mhz(r.minFrequencyHz)}–${mhz(r.maxFrequencyHz)}` },
                {
                  title: 'Status',
                  cell: (r) =>
                    h(
                      'span',
                      { title: r.lastError ?? `last seen ${formatDate(r.lastSeenAt)}` },
                      h('span', { class: `badge badge-${STATUS[r.status]}` }, r.status),
                      r.lastError ? h('small', { class: 'muted' }, ` ${r.lastError}`) : null,
                    ),
                },
                { title: 'Enabled', cell: (r) => (r.enabled ? 'yes' : 'no') },
                {
                  title: 'Actions',
                  cell: (r) =>
                    h(
                      'span',
                      { class: 'toolbar' },
                      action(r.enabled ? `Disable ${r.id}` : `Enable ${r.id}`, () =>
                        api('PATCH', `/api/v1/admin/receivers/${r.id}`, { enabled: !r.enabled }),
                      ),
                      action(`Delete ${r.id}`, async () => {
                        if (!confirm(`Remove receiver ${r.id}? Stored measurements stay.`)) return;
                        await api('DELETE', `/api/v1/admin/receivers/${r.id}`);
                      }),
                    ),
                },
              ],
              rows: items,
            }),
      );
    }

    root.replaceChildren(h('h1', {}, 'Receivers'), status, createForm(refresh, say), list);
    await refresh();
  },
};
