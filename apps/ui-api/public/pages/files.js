// "My files": everything I own that is ready, newest first. Downloads are plain links to the API,
// which answers with a redirect to a short-lived storage URL; the browser follows it.
import { api } from '../lib/api.js';
import { dataTable, formatBytes, formatDate, h, notice, progressBar } from '../lib/ui.js';

const KINDS = [
  ['', 'All kinds'],
  ['export', 'Exports'],
  ['report', 'Reports'],
  ['acquisition', 'Acquisitions'],
  ['upload', 'Uploads'],
  ['debug', 'Diagnostics'],
];

/** PUT straight to storage with upload progress (fetch can't report it; XHR can). */
function putWithProgress(upload, file, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method, upload.uploadUrl);
    // The presigned URL is the credential: no cookies go to storage.
    xhr.withCredentials = false;
    for (const [name, value] of Object.entries(upload.headers ?? {})) xhr.setRequestHeader(name, value);
    // Local storage URLs are on this origin, so the session cookie rides along and the API's CSRF
    // check applies; S3 is cross-origin and gets no extra header (it would need a CORS preflight).
    if (new URL(upload.uploadUrl, location.href).origin === location.origin) {
      xhr.setRequestHeader('X-Requested-With', 'pulse');
    }
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total);
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(`storage answered ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('the upload failed (network)'));
    signal.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

export default {
  id: 'files',
  title: 'My files',
  async render(root, { signal }) {
    let kind = '';
    let cursor = null;
    const items = [];

    const status = h('div', { class: 'form-status' });
    const say = (text, tone) => status.replaceChildren(text ? notice(text, tone) : '');
    const listArea = h('div', {});
    const more = h(
      'button',
      { type: 'button', class: 'button-secondary', hidden: true, onclick: () => load(false) },
      'Load more',
    );

    const kindSelect = h(
      'select',
      {
        id: 'kind',
        onchange: () => {
          kind = kindSelect.value;
          load(true);
        },
      },
      ...KINDS.map(([value, label]) => h('option', { value }, label)),
    );
    const fileInput = h('input', {
      id: 'upload',
      type: 'file',
      class: 'visually-hidden',
      onchange: () => uploadFile(),
    });
    const uploadArea = h('div', { class: 'upload-area' });

    async function uploadFile() {
      const file = fileInput.files?.[0];
      if (!file) return;
      const bar = progressBar(`Uploading ${file.name}`);
      uploadArea.replaceChildren(h('span', {}, `Uploading ${file.name}`), bar.el);
      try {
        const upload = await api('POST', '/api/v1/files/uploads', {
          filename: file.name,
          contentType: file.type || 'application/octet-stream',
          size: file.size,
        });
        await putWithProgress(upload, file, (done, total) => bar.update(done, total), signal);
        await api('POST', `/api/v1/files/${upload.fileId}/complete`);
        uploadArea.replaceChildren();
        say(`${file.name} uploaded.`, 'success');
        await load(true);
      } catch (err) {
        uploadArea.replaceChildren();
        say(`Upload failed: ${err.message}`, 'error');
      } finally {
        fileInput.value = '';
      }
    }

    async function remove(item) {
      if (!confirm(`Delete ${item.filename}? This cannot be undone.`)) return;
      try {
        await api('DELETE', `/api/v1/files/${item.id}`);
        say(`${item.filename} deleted.`, 'success');
        await load(true);
      } catch (err) {
        say(`Could not delete: ${err.message}`, 'error');
      }
    }

    function draw() {
      if (items.length === 0) {
        listArea.replaceChildren(h('p', { class: 'empty' }, 'No files yet. Exports, reports and uploads appear here.'));
        return;
      }
      listArea.replaceChildren(
        dataTable({
          caption: 'My files',
          columns: [
            { title: 'Name', cell: (f) => h('span', { class: 'filename', title: f.filename }, f.filename) },
            { title: 'Kind', cell: (f) => h('span', { class: `badge badge-${f.kind}` }, f.kind) },
            { title: 'Size', cell: (f) => formatBytes(f.size) },
            { title: 'Created', cell: (f) => formatDate(f.createdAt) },
            {
              title: 'Actions',
              cell: (f) =>
                h(
                  'div',
                  { class: 'actions' },
                  h('a', { class: 'button', href: f.downloadUrl, 'aria-label': `Download ${f.filename}` }, 'Download'),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'button-secondary',
                      'aria-label': `Delete ${f.filename}`,
                      onclick: () => remove(f),
                    },
                    'Delete',
                  ),
                ),
            },
          ],
          rows: items,
        }),
      );
    }

    async function load(reset) {
      if (reset) {
        items.length = 0;
        cursor = null;
      }
      const params = new URLSearchParams({ limit: '25' });
      if (kind) params.set('kind', kind);
      if (cursor) params.set('cursor', cursor);
      try {
        const page = await api('GET', `/api/v1/me/files?${params}`);
        if (signal.aborted) return;
        items.push(...page.items);
        cursor = page.nextCursor;
        more.hidden = !cursor;
        draw();
      } catch (err) {
        if (!signal.aborted) say(`Could not load your files: ${err.message}`, 'error');
      }
    }

    root.replaceChildren(
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, 'My files'),
        h(
          'div',
          { class: 'toolbar' },
          h('label', { for: 'kind', class: 'visually-hidden' }, 'Show'),
          kindSelect,
          h('label', { for: 'upload', class: 'button' }, 'Upload a file'),
          fileInput,
        ),
      ),
      uploadArea,
      status,
      listArea,
      more,
    );
    listArea.replaceChildren(notice('Loading…'));
    await load(true);
  },
};
