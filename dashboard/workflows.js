// workflows.js — the workflows list (filters: name contains, tag, status) and a workflow's
// page: its DAG, a form to start a run, its versions and the diff between two of them.

import { h, replace, f, badge, time, workflowStatus, jsonBlock, WORKFLOW_STATUSES } from './dom.js';
import { call } from './api.js';
import { go, errorBox, pager, pageToken, filterForm } from './ui.js';
import { drawDag } from './dag.js';

export async function workflowsPage(main, _params, query) {
  const name = query.get('name') || '';
  const tag = query.get('tag') || '';
  const status = query.get('status') || '';
  const res = await call('ListWorkflows', {
    pageSize: 25, pageToken: pageToken(query), nameContains: name, tag,
    status: status ? `WORKFLOW_STATUS_${status.toUpperCase()}` : '',
  });
  const form = filterForm('Filter workflows', '#/workflows', [
    ['name', 'Name contains', name, null], ['tag', 'Tag', tag, null], ['status', 'Status', status, WORKFLOW_STATUSES]]);
  const rows = (res.workflows || []).map((w) => h('tr', null,
    h('td', null, h('a', { href: `#/workflows/${encodeURIComponent(w.id)}` }, w.name || w.id)),
    h('td', null, badge(workflowStatus(w.status))),
    h('td', { class: 'tags' }, (w.tags || []).map((t, i) => [i ? ', ' : '', h('a', { href: `#/workflows?tag=${encodeURIComponent(t)}` }, t)])),
    h('td', null, String(f(w, 'currentVersion') ?? '')),
    h('td', null, time(f(w, 'updatedAt')))));
  replace(main, h('h1', null, 'Workflows'), form,
    rows.length
      ? h('table', { id: 'workflows' }, h('caption', { class: 'muted' }, `${rows.length} shown`),
        h('thead', null, h('tr', null, ['Name', 'Status', 'Tags', 'Version', 'Updated'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows))
      : h('p', { class: 'muted' }, 'No workflows match.'),
    pager('#/workflows', query, f(res, 'nextPageToken')));
}

export async function workflowPage(main, { id }) {
  const w = await call('GetWorkflow', { workflowId: id });
  const steps = f(w.definition, 'steps') || [];
  const current = f(w, 'currentVersion') || 1;
  const versions = h('section', { 'aria-labelledby': 'versions-h' }, h('h2', { id: 'versions-h' }, 'Versions'), h('p', { class: 'muted' }, 'Loading…'));
  replace(main,
    h('h1', null, w.name || w.id),
    h('dl', { class: 'meta' },
      h('dt', null, 'Id'), h('dd', { class: 'mono' }, w.id),
      h('dt', null, 'Status'), h('dd', null, badge(workflowStatus(w.status))),
      h('dt', null, 'Version'), h('dd', null, String(current)),
      h('dt', null, 'Tags'), h('dd', null, (w.tags || []).join(', ') || '—'),
      h('dt', null, 'Description'), h('dd', null, w.description || '—'),
      h('dt', null, 'Runs'), h('dd', null, h('a', { href: `#/runs?workflow=${encodeURIComponent(w.id)}` }, 'Runs of this workflow'))),
    startForm(w),
    h('section', { 'aria-labelledby': 'dag-h' }, h('h2', { id: 'dag-h' }, `Steps (${steps.length})`),
      h('div', { class: 'dag-wrap' }, drawDag(steps, () => '', `DAG of ${w.name || w.id}`))),
    versions);
  loadVersions(versions, w, current).catch((err) => versions.append(errorBox(err)));
}

function startForm(w) {
  const sample = (f(w, 'testInputs') || [])[0] || {};
  const inputs = h('textarea', { id: 'run-inputs', name: 'inputs', rows: 4 }, JSON.stringify(sample, null, 2));
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'card', id: 'start-run', 'aria-labelledby': 'start-h',
    onsubmit: async (ev) => {
      ev.preventDefault();
      replace(message);
      let parsed;
      try { parsed = inputs.value.trim() ? JSON.parse(inputs.value) : {}; } catch (err) {
        replace(message, h('p', { class: 'alert', role: 'alert' }, `Inputs are not valid JSON: ${err.message}`));
        return;
      }
      try {
        const run = await call('StartRun', { workflowId: w.id, inputs: parsed });
        go(`#/runs/${encodeURIComponent(run.id)}`);
      } catch (err) {
        replace(message, errorBox(err));
      }
    },
  },
  h('h2', { id: 'start-h' }, 'Start a run'),
  h('label', { for: 'run-inputs' }, 'Inputs (JSON object)', inputs),
  h('p', null, h('button', { type: 'submit', class: 'primary' }, 'Start run')), message);
  return form;
}

async function loadVersions(section, w, current) {
  const res = await call('ListVersions', { workflowId: w.id, pageSize: 200 });
  const list = res.versions || [];
  const numbers = list.map((v) => v.number).sort((a, b) => b - a);
  const pick = (id, label, chosen) => h('label', null, label, h('select', { id, name: id },
    numbers.map((n) => h('option', { value: n, selected: n === chosen }, `v${n}`))));
  const out = h('div', { id: 'diff', 'aria-live': 'polite' });
  const form = h('form', {
    class: 'row', 'aria-label': 'Compare versions',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const from = Number(form.elements.from.value);
      const to = Number(form.elements.to.value);
      replace(out, h('p', { class: 'muted' }, 'Loading…'));
      try { replace(out, await renderDiff(w.id, from, to)); } catch (err) { replace(out, errorBox(err)); }
    },
  }, pick('from', 'From', Math.max(1, current - 1)), pick('to', 'To', current), h('button', { type: 'submit' }, 'Show diff'));
  replace(section, h('h2', { id: 'versions-h' }, `Versions (${list.length})`),
    h('table', { id: 'versions' },
      h('thead', null, h('tr', null, ['Version', 'Change', 'Definition hash', 'Created'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, list.map((v) => h('tr', null,
        h('td', null, `v${v.number}`), h('td', null, f(v, 'changeSummary') || '—'),
        h('td', { class: 'mono', title: f(v, 'definitionHash') }, (f(v, 'definitionHash') || '').slice(0, 12)),
        h('td', null, time(f(v, 'createdAt'))))))),
    numbers.length > 1 ? form : h('p', { class: 'muted' }, 'Only one version: nothing to compare yet.'), out);
}

/** A JSON Pointer's segments (RFC 6901: ~1 is '/', ~0 is '~'). */
export function pointerParts(pointer) {
  if (!pointer) return [];
  return pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at POINTER in DOC; segments are tried as written and in lowerCamel, since the
 *  diff is over the engine's JSON and versions come back in proto3 JSON. */
function at(doc, parts) {
  let cur = doc;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const camel = p.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    cur = p in cur ? cur[p] : cur[camel];
  }
  return cur;
}

/** "/steps/2/config/url" -> "step fetch › config › url", naming steps by id. */
function readablePath(parts, doc) {
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === 'steps' && /^\d+$/.test(parts[i + 1] || '')) {
      const st = at(doc, parts.slice(0, i + 2));
      out.push(st && st.id ? `step “${st.id}”` : `step #${Number(parts[i + 1]) + 1}`);
      i++;
    } else out.push(parts[i]);
  }
  return out.join(' › ') || '(whole definition)';
}

async function renderDiff(workflowId, from, to) {
  const [diff, a, b] = await Promise.all([
    call('DiffVersions', { workflowId, fromVersion: from, toVersion: to }),
    call('GetVersion', { workflowId, version: from }).catch(() => null),
    call('GetVersion', { workflowId, version: to }).catch(() => null),
  ]);
  const before = (a && a.definition) || {};
  const after = (b && b.definition) || {};
  const ops = diff.operations || [];
  const rows = ops.map((op) => {
    const parts = pointerParts(op.path);
    const name = op.op === 'add' ? readablePath(parts, after) : readablePath(parts, before);
    const old = op.op === 'replace' || op.op === 'remove' ? at(before, parts) : undefined;
    return h('tr', null,
      h('td', null, h('span', { class: `op op-${op.op}` }, op.op)),
      h('td', null, h('div', null, name), h('div', { class: 'mono muted' }, op.path), op.from ? h('div', { class: 'mono muted' }, `from ${op.from}`) : null),
      h('td', null, old !== undefined ? jsonBlock(old, 'before') : ''),
      h('td', null, op.value !== undefined ? jsonBlock(op.value, 'after') : ''));
  });
  return h('div', { class: 'diff' },
    h('p', null, h('strong', null, `v${from} → v${to}: `), diff.summary || (ops.length ? `${ops.length} changes` : 'No changes')),
    ops.length ? h('table', null,
      h('thead', null, h('tr', null, ['Change', 'Where', 'Before', 'After'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows)) : null);
}
