// ui.js — what every page shares: navigation, error messages, paging by page tokens.

import { h, replace } from './dom.js';
import { token, ApiError } from './api.js';

/** Goes to HASH ('#/runs/ID'); the hashchange listener renders it. */
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** An error as a page: a refused token sends the reader back to the login page. */
export function showError(container, err) {
  if (err instanceof ApiError && err.unauthenticated) {
    token.clear();
    document.getElementById('logout').hidden = true;
    replace(container, h('h1', null, 'Signed out'),
      h('p', { class: 'alert', role: 'alert' }, `The server refused the token: ${err.message}`),
      h('p', null, h('a', { href: `#/login?next=${encodeURIComponent(location.hash)}` }, 'Sign in again')));
    return;
  }
  replace(container, h('h1', null, 'Error'), errorBox(err));
}

/** A message box for a failed call (role=alert, so it is announced). */
export function errorBox(err) {
  const code = err instanceof ApiError && err.code ? `${err.code}: ` : '';
  const http = err instanceof ApiError && err.httpStatus ? ` (HTTP ${err.httpStatus})` : '';
  const violations = (err.details || []).flatMap((d) => d.fieldViolations || d.field_violations || []);
  return h('div', { class: 'alert', role: 'alert' }, h('p', { class: 'flush' }, `${code}${err.message}${http}`),
    violations.length ? h('ul', { class: 'violations' }, violations.map((v) => h('li', null, h('code', null, v.field), `: ${v.description}`))) : null);
}

/** Previous / next links for a list paged by page tokens. TOKENS is the stack of tokens that
 *  led to this page (kept in the hash as `pages`), NEXT the response's next_page_token. */
export function pager(baseHash, query, next) {
  const stack = (query.get('pages') || '').split(',').filter(Boolean);
  const withStack = (s) => {
    const q = new URLSearchParams(query);
    if (s.length) q.set('pages', s.join(',')); else q.delete('pages');
    const str = q.toString();
    return `${baseHash}${str ? '?' + str : ''}`;
  };
  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  if (stack.length) nav.append(h('a', { href: withStack(stack.slice(0, -1)), rel: 'prev' }, '← Previous page'));
  nav.append(h('span', { class: 'muted' }, `Page ${stack.length + 1}`));
  if (next) nav.append(h('a', { href: withStack([...stack, encodeURIComponent(next)]), rel: 'next' }, 'Next page →'));
  return nav;
}

/** The token of the page the hash asks for ('' for the first). */
export function pageToken(query) {
  const stack = (query.get('pages') || '').split(',').filter(Boolean);
  return stack.length ? decodeURIComponent(stack[stack.length - 1]) : '';
}


/** A search form whose fields go into the hash's query: FIELDS are [name, label, value,
 *  options] with options a list of enum words for a <select> ('' = any), or null for text. */
export function filterForm(ariaLabel, baseHash, fields) {
  const form = h('form', {
    class: 'filters', role: 'search', 'aria-label': ariaLabel,
    onsubmit: (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams();
      for (const [name] of fields) if (form.elements[name].value.trim()) q.set(name, form.elements[name].value.trim());
      go(`${baseHash}${q.toString() ? '?' + q : ''}`);
    },
  },
  fields.map(([name, label, value, options]) => h('label', null, label, options
    ? h('select', { name }, options.map((st, i) => h('option', { value: i ? st : '', selected: st === value || (!i && !value) }, i ? st : 'any')))
    : h('input', { name, type: 'search', value }))),
  h('button', { type: 'submit' }, 'Filter'));
  return form;
}
