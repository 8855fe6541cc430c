// app.js — the dashboard's shell: hash routing (#/workflows, #/runs/ID, ...), the login page,
// and what every page shares (errors, paging, focus after navigation).

import { h, replace } from './dom.js';
import { call, token, ApiError } from './api.js';
import { go, showError } from './ui.js';
import { workflowsPage, workflowPage } from './workflows.js';
import { runsPage, runPage } from './runs.js';
import { approvalsPage } from './approvals.js';
import { schedulesPage } from './schedules.js';

const main = document.getElementById('main');
const logout = document.getElementById('logout');
let cleanup = null; // the current page's teardown (e.g. closing a live stream)
let renders = 0; // counts navigations, so a slow page cannot overwrite a newer one

/** [pattern, page]: a pattern's ':name' parts become params. */
const PAGES = [
  ['/login', loginPage],
  ['/workflows', workflowsPage],
  ['/workflows/:id', workflowPage],
  ['/runs', runsPage],
  ['/runs/:id', runPage],
  ['/approvals', approvalsPage],
  ['/schedules', schedulesPage],
];

/** "#/runs/ID?x=1" -> {path: '/runs/ID', query: URLSearchParams}. */
function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/workflows';
  const [path, q] = raw.split('?');
  return { path, query: new URLSearchParams(q || '') };
}

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, page] of PAGES) {
    const want = pattern.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(':') ? ((params[w.slice(1)] = decodeURIComponent(parts[i])), true) : w === parts[i]))) {
      return { page, params };
    }
  }
  return null;
}

async function render() {
  const generation = ++renders;
  if (cleanup) { try { cleanup(); } catch { /* a page's teardown must not stop the next */ } cleanup = null; }
  const { path, query } = parseHash();
  const found = match(path);
  logout.hidden = !token.get();
  for (const a of document.querySelectorAll('.top nav a')) {
    const here = path === a.getAttribute('href').slice(1) || path.startsWith(a.getAttribute('href').slice(1) + '/');
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  if (!found) {
    replace(main, h('h1', null, 'Not found'), h('p', null, 'No page at ', h('code', null, path), '. ', h('a', { href: '#/workflows' }, 'Workflows')));
    return;
  }
  if (found.page !== loginPage && !token.get()) {
    go(`#/login?next=${encodeURIComponent(location.hash || '#/workflows')}`);
    return;
  }
  // A page renders into a view of its own, swapped in when it is ready; a render overtaken by
  // a newer navigation (the reader clicked on meanwhile) is dropped, never shown late.
  const view = h('div', { class: 'view' });
  replace(main, h('p', { class: 'muted' }, 'Loading…'));
  let teardown = null;
  try {
    teardown = (await found.page(view, found.params, query)) || null;
  } catch (err) {
    showError(view, err);
  }
  if (generation !== renders) {
    if (teardown) teardown();
    return;
  }
  cleanup = teardown;
  replace(main, view);
  const heading = view.querySelector('h1');
  document.title = heading ? `${heading.textContent} · Spindle` : 'Spindle';
  const first = view.querySelector('[autofocus]');
  if (first) first.focus(); else main.focus({ preventScroll: true });
}

async function loginPage(container, _params, query) {
  const next = query.get('next') || '#/workflows';
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, autofocus: true, 'aria-describedby': 'token-help' });
  const message = h('div', { id: 'login-message', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', {
    class: 'card', id: 'login',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const t = input.value.trim();
      replace(message);
      if (!t) { replace(message, h('p', { class: 'alert', role: 'alert' }, 'Enter a token.')); return; }
      button.disabled = true;
      try {
        await call('ListWorkflows', { pageSize: 1 }, { tokenOverride: t });
        token.set(t);
        go(next.startsWith('#/login') ? '#/workflows' : next);
      } catch (err) {
        const why = err instanceof ApiError && err.unauthenticated
          ? `The server refused this token (${err.message}). Check that it was copied whole, or mint a new one with: spindle token --tenant NAME`
          : `Could not sign in: ${err.message}`;
        replace(message, h('p', { class: 'alert', role: 'alert' }, why));
        input.focus();
      } finally {
        button.disabled = false;
      }
    },
  },
  h('label', { for: 'token' }, 'API token', input),
  h('p', { id: 'token-help', class: 'muted' }, 'A JWT from `spindle token --tenant NAME`, or a key from --api-keys-file. It is kept in this tab only (sessionStorage) and sent as Authorization: Bearer.'),
  button, message);
  replace(container, h('h1', null, 'Sign in'), form);
}

logout.addEventListener('click', () => { token.clear(); go('#/login'); });
window.addEventListener('hashchange', render);
render();
