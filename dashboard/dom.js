// dom.js — building the page without innerHTML: every value from the server becomes a text
// node or an attribute set through the DOM, so nothing it sends can turn into markup.

/** h('a', {href: '#/x', class: 'y'}, 'text', child, [more]) -> an element. Attribute values
 *  and children are set with setAttribute / createTextNode; `on*` keys add listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The same for SVG elements. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el) el.value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces everything inside el with the given children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A field of a proto3 JSON object, read under its lowerCamel name or its original one. */
export function f(obj, camel) {
  if (!obj) return undefined;
  if (camel in obj) return obj[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  return obj[snake];
}

/** "RUN_STATUS_COMPLETED" -> "completed" (enums may come as names or numbers). */
export function enumName(value, prefix, names) {
  if (value === undefined || value === null) return names ? names[0] : 'unspecified';
  if (typeof value === 'number') return names && names[value] !== undefined ? names[value] : String(value);
  const str = String(value);
  return (str.startsWith(prefix) ? str.slice(prefix.length) : str).toLowerCase();
}

export const RUN_STATUSES = ['unspecified', 'queued', 'running', 'paused', 'completed', 'failed', 'canceled'];
export const STEP_STATUSES = ['unspecified', 'pending', 'running', 'retrying', 'paused', 'completed', 'failed', 'skipped', 'canceled'];
export const WORKFLOW_STATUSES = ['unspecified', 'draft', 'active', 'paused', 'archived'];

export const runStatus = (v) => enumName(v, 'RUN_STATUS_', RUN_STATUSES);
export const stepStatus = (v) => enumName(v, 'STEP_STATUS_', STEP_STATUSES);
export const workflowStatus = (v) => enumName(v, 'WORKFLOW_STATUS_', WORKFLOW_STATUSES);

/** A status as a badge: the word is always shown, so colour is never the only cue. */
export function badge(status) {
  return h('span', { class: `badge st-${status}` }, status);
}

/** A timestamp (RFC 3339) shown in the reader's locale, with the exact value in <time>. */
export function time(ts) {
  if (!ts) return h('span', { class: 'muted' }, '—');
  const d = new Date(ts);
  return h('time', { datetime: ts, title: ts }, isNaN(d) ? ts : d.toLocaleString());
}

/** Milliseconds between two timestamps, as "1.2 s" / "340 ms"; '' when either is missing. */
export function duration(from, to) {
  if (!from || !to) return '';
  const ms = new Date(to) - new Date(from);
  if (!(ms >= 0)) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

/** Any JSON value, pretty-printed in a <pre> (text, never markup). */
export function jsonBlock(value, label) {
  return h('pre', { class: 'json', 'aria-label': label || 'JSON' },
    value === undefined ? '—' : JSON.stringify(value, null, 2));
}
