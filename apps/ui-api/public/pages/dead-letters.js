// "Dead letters" (administrators): jobs the workers gave up on, with why. Replay revives the job and
// publishes it again (once; recorded with who did it), discard drops it; the same as `pnpm pulse dlq`.
import { api } from '../lib/api.js';
import { actionButton, dataTable, formatDate, h, notice } from '../lib/ui.js';

const payloadText = (p) => {
  const s = JSON.stringify(p) ?? '';
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
};

export default {
  id: 'dead-letters',
  title: 'Dead letters',
  adminOnly: true,
  async render(root, { signal }) {
    const status = h('div', { 'aria-live': 'polite' });
    const say = (text, kind = 'info') => status.replaceChildren(text ? notice(text, kind) : '');
    const list = h('section', { class: 'card', 'aria-labelledby': 'dlq-list-title' });
    const history = h('section', { class: 'card', 'aria-labelledby': 'dlq-history-title' });

    async function refresh() {
      const [{ items }, actions] = await Promise.all([
        api('GET', '/api/v1/admin/dead-letters'),
        api('GET', '/api/v1/admin/dead-letters/actions'),
      ]);
      if (signal.aborted) return;
      const action = (label, run) =>
        actionButton(
          label,
          async () => {
            say(await run());
            await refresh();
          },
          (message) => say(message, 'error'),
        );
      list.replaceChildren(
        h('h2', { id: 'dlq-list-title' }, 'Waiting'),
        items.length === 0
          ? notice('No dead letters: every job was done or is still being retried.')
          : dataTable({
              caption: 'Dead letters, oldest first',
              columns: [
                { title: 'Seq', cell: (d) => String(d.seq) },
                { title: 'Subject', cell: (d) => d.subject },
                { title: 'Failed at', cell: (d) => formatDate(d.deadAt) },
                { title: 'Deliveries', cell: (d) => String(d.deliveryCount) },
                { title: 'Payload', cell: (d) => h('code', {}, payloadText(d.payload)) },
                { title: 'Reason', cell: (d) => h('span', { class: 'dlq-reason' }, d.reason) },
                {
                  title: 'Actions',
                  cell: (d) =>
                    h(
                      'span',
                      { class: 'toolbar' },
                      action(`Replay ${d.seq}`, async () => {
                        await api('POST', `/api/v1/admin/dead-letters/${d.seq}/replay`);
                        return `Dead letter ${d.seq} replayed: its job runs again.`;
                      }),
                      action(`Discard ${d.seq}`, async () => {
                        if (!confirm(`Discard dead letter ${d.seq} for good?`)) return '';
                        await api('POST', `/api/v1/admin/dead-letters/${d.seq}/discard`);
                        return `Dead letter ${d.seq} discarded.`;
                      }),
                    ),
                },
              ],
              rows: items,
            }),
      );
      history.replaceChildren(
        h('h2', { id: 'dlq-history-title' }, 'Recent actions'),
        actions.items.length === 0
          ? notice('Nothing replayed or discarded yet.')
          : dataTable({
              caption: 'Who replayed or discarded what',
              columns: [
                { title: 'When', cell: (a) => formatDate(a.createdAt) },
                { title: 'Action', cell: (a) => a.action },
                { title: 'Seq', cell: (a) => String(a.streamSeq) },
                { title: 'Subject', cell: (a) => a.subject },
                { title: 'By', cell: (a) => a.actor },
                { title: 'Reason it failed', cell: (a) => a.reason },
              ],
              rows: actions.items,
            }),
      );
    }

    root.replaceChildren(h('h1', {}, 'Dead letters'), status, list, history);
    await refresh();
  },
};
