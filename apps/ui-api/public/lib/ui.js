// Small DOM helpers shared by every page: no framework, no build step.

/** `h('a', {href: '#', class: 'x', onclick: fn}, 'text', childNode)` */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A labelled, accessible progress bar; `update(done, total)` moves it. */
export function progressBar(label) {
  const bar = h('progress', { max: 100, value: 0, 'aria-label': label });
  const text = h('span', { class: 'progress-text' }, '0%');
  const wrap = h('div', { class: 'progress' }, bar, text);
  return {
    el: wrap,
    update(done, total) {
      const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
      bar.value = pct;
      text.textContent = `${pct}%`;
    },
  };
}

/** `dataTable({caption, columns: [{title, cell: (row) => node|string}], rows})` */
export function dataTable({ caption, columns, rows }) {
  return h(
    'table',
    { class: 'table' },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c.title)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...columns.map((c) => h('td', {}, c.cell(row)))))),
  );
}

/**
 * Runs a form's request with its button disabled (no double submits), hands a failure's message to
 * `onError` and re-enables the button whatever happened.
 */
export async function whileBusy(button, onError, action) {
  button.disabled = true;
  try {
    await action();
  } catch (err) {
    onError(err.message);
  } finally {
    button.disabled = false;
  }
}

/** A secondary button for a row's action (replay, disable, delete…); a failure's message goes to `onError`. */
export function actionButton(label, action, onError) {
  const onclick = () => action().catch((err) => onError(err.message));
  return h('button', { type: 'button', class: 'button-secondary', onclick }, label);
}

/** A status line pages reuse for "Loading…", errors and confirmations. */
export function notice(text, kind = 'info') {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDate(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}
