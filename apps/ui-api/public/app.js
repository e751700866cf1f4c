// The shell: who is signed in, the navigation, and a hash router (#/files, #/exports, …) that renders
// one page module at a time into <main>.
import { api } from './lib/api.js';
import { h, notice } from './lib/ui.js';
import { pages } from './pages/index.js';
import login from './pages/login.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const account = document.getElementById('account');

let user = null;
// Aborted when the user navigates away, so pages stop polling and drop late answers.
let leaving = new AbortController();

/** Administrators also get the admin pages (the API checks the role on every call anyway). */
const visiblePages = () => pages.filter((p) => !p.adminOnly || user?.role === 'admin');

function currentPage() {
  const id = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return visiblePages().find((p) => p.id === id) ?? pages[0];
}

function renderChrome() {
  const signedIn = Boolean(user);
  nav.hidden = !signedIn;
  account.hidden = !signedIn;
  if (!signedIn) return;
  const active = currentPage();
  nav.replaceChildren(
    ...visiblePages().map((p) =>
      h('a', { href: `#/${p.id}`, 'aria-current': p === active ? 'page' : undefined }, p.title),
    ),
  );
  account.replaceChildren(
    h('span', { class: 'muted' }, user.email),
    h('button', { type: 'button', class: 'button-secondary', onclick: signOut }, 'Sign out'),
  );
}

async function render() {
  leaving.abort();
  leaving = new AbortController();
  renderChrome();
  main.replaceChildren();
  if (!user) {
    document.title = 'Sign in · Pulse';
    login.render(main, { onSignedIn });
    return;
  }
  const page = currentPage();
  document.title = `${page.title} · Pulse`;
  try {
    await page.render(main, { user, signal: leaving.signal });
  } catch (err) {
    main.replaceChildren(notice(`This page could not be shown: ${err.message}`, 'error'));
  }
}

function onSignedIn(signedInUser) {
  user = signedInUser;
  if (!location.hash) location.hash = `#/${pages[0].id}`;
  render();
}

async function signOut() {
  try {
    await api('POST', '/api/v1/auth/logout');
  } finally {
    user = null;
    render();
  }
}

window.addEventListener('hashchange', () => {
  render();
  main.focus();
});
// Any 401 (session expired or revoked elsewhere) brings the sign-in form back.
window.addEventListener('pulse:unauthorized', () => {
  if (!user) return;
  user = null;
  render();
});

try {
  user = await api('GET', '/api/v1/me');
} catch {
  user = null;
}
render();
