// runs.js — the runs list (paged, filtered by workflow and status) and a run's page, which
// follows the run live over SSE: the DAG's steps change colour, the timeline of attempts
// grows, and outputs and errors appear as they happen.

import { h, replace, f, badge, time, duration, jsonBlock, runStatus, stepStatus, RUN_STATUSES } from './dom.js';
import { call } from './api.js';
import { errorBox, pager, pageToken, filterForm } from './ui.js';
import { drawDag } from './dag.js';
import { watchRun } from './sse.js';
import { decisionForm } from './approvals.js';

export async function runsPage(main, _params, query) {
  const workflow = query.get('workflow') || '';
  const status = query.get('status') || '';
  const res = await call('ListRuns', {
    pageSize: 25, pageToken: pageToken(query), workflowId: workflow,
    status: status ? `RUN_STATUS_${status.toUpperCase()}` : '',
  });
  const form = filterForm('Filter runs', '#/runs', [['workflow', 'Workflow id', workflow, null], ['status', 'Status', status, RUN_STATUSES]]);
  const rows = (res.runs || []).map((r) => h('tr', null,
    h('td', { class: 'mono' }, h('a', { href: `#/runs/${encodeURIComponent(r.id)}` }, r.id)),
    h('td', { class: 'mono' }, h('a', { href: `#/workflows/${encodeURIComponent(f(r, 'workflowId'))}` }, f(r, 'workflowId')), ` v${f(r, 'workflowVersion') || ''}`),
    h('td', null, badge(runStatus(r.status))),
    h('td', null, `${f(r, 'progressPercent') || 0}%`),
    h('td', null, time(f(r, 'createdAt'))),
    h('td', null, duration(f(r, 'startedAt'), f(r, 'finishedAt')))));
  replace(main, h('h1', null, 'Runs'), form,
    rows.length
      ? h('table', { id: 'runs' },
        h('thead', null, h('tr', null, ['Run', 'Workflow', 'Status', 'Progress', 'Created', 'Duration'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows))
      : h('p', { class: 'muted' }, 'No runs match.'),
    pager('#/runs', query, f(res, 'nextPageToken')));
}

/** A timeline time: the time of day to the millisecond (events come close together). */
function clock(ts) {
  const d = new Date(ts);
  if (!ts || isNaN(d)) return h('span', { class: 'muted' }, '—');
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return h('time', { datetime: ts, title: ts, class: 'mono' },
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`);
}

const NO_OUTPUTS = { completed: 'No outputs.', failed: 'The run failed: no outputs.', canceled: 'The run was canceled: no outputs.' };

const FINISHED = new Set(['completed', 'failed', 'skipped', 'canceled']);
const STEP_EVENT_STATUS = {
  step_started: 'running', step_retrying: 'retrying', step_completed: 'completed', step_failed: 'failed',
  step_skipped: 'skipped', step_paused: 'paused', step_canceled: 'canceled',
};

/** The run page. Returns its teardown (closing the stream). */
export async function runPage(main, { id }) {
  let run = await call('GetRun', { runId: id });
  const workflowId = f(run, 'workflowId');
  const version = f(run, 'workflowVersion');
  let definition = [];
  try {
    const v = await call('GetVersion', { workflowId, version });
    definition = f(v.definition, 'steps') || [];
  } catch {
    // Without the definition (e.g. a purged workflow) the DAG has no edges, only the steps.
    definition = (run.steps || []).map((st) => ({ id: f(st, 'stepId'), type: st.type, dependsOn: [] }));
  }
  const steps = new Map((run.steps || []).map((st) => [f(st, 'stepId'), { ...st }]));
  const statusOf = (sid) => (steps.has(sid) ? stepStatus(steps.get(sid).status) : 'pending');

  const statusEl = h('span', { id: 'run-status' }, badge(runStatus(run.status)));
  const progress = h('progress', { id: 'run-progress', max: 100, value: f(run, 'progressPercent') || 0 });
  const progressText = h('span', null, `${f(run, 'progressPercent') || 0}%`);
  const conn = h('span', { id: 'stream-state', class: 'muted' }, 'connecting…');
  const dag = drawDag(definition, statusOf, `DAG of run ${id}`);
  const stepsBody = h('tbody');
  const timeline = h('ol', { class: 'timeline', id: 'timeline', 'aria-label': 'Events, oldest first' });
  const outputs = h('section', { id: 'outputs', 'aria-labelledby': 'out-h' });
  const actions = h('div', { id: 'run-actions' });

  // The steps table is redrawn as events come; a <details> the reader opened stays open.
  const detail = (sid, what, value) => h('details', { 'data-key': `${sid}:${what}` },
    h('summary', null, what === 'output' ? 'Output' : 'Input'), jsonBlock(value, `${what} of ${sid}`));
  const renderSteps = () => {
    const open = new Set([...stepsBody.querySelectorAll('details[open]')].map((d) => d.dataset.key));
    replace(stepsBody, [...steps.values()].map((st) => {
      const sid = f(st, 'stepId');
      const err = st.error;
      return h('tr', { 'data-step': sid },
        h('td', { class: 'mono' }, sid), h('td', null, st.type),
        h('td', null, badge(stepStatus(st.status))), h('td', null, String(st.attempts || 0)),
        h('td', null, time(f(st, 'startedAt'))), h('td', null, duration(f(st, 'startedAt'), f(st, 'finishedAt'))),
        h('td', null,
          err ? h('p', { class: 'alert' }, `${err.code}: ${err.message}`) : null,
          st.output !== undefined ? detail(sid, 'output', st.output) : null,
          st.input !== undefined ? detail(sid, 'input', st.input) : null));
    }));
    for (const d of stepsBody.querySelectorAll('details')) if (open.has(d.dataset.key)) d.open = true;
  };

  // Actions: Cancel while the run can be canceled, and one decision form per paused step,
  // each kept (with what the reader typed) for as long as its step stays paused.
  const cancel = h('button', {
    type: 'button', class: 'danger', id: 'cancel-run', hidden: true,
    onclick: async () => {
      cancel.disabled = true;
      try { await call('CancelRun', { runId: id, reason: 'canceled from the dashboard' }); } catch (err) { actions.append(errorBox(err)); cancel.disabled = false; }
    },
  }, 'Cancel run');
  actions.append(cancel);
  const decisions = new Map();
  const renderOutcome = () => {
    const st = runStatus(run.status);
    replace(outputs, h('h2', { id: 'out-h' }, 'Outputs and errors'),
      run.error ? h('p', { class: 'alert', id: 'run-error' }, `${run.error.code}: ${run.error.message}`) : null,
      run.outputs ? jsonBlock(run.outputs, 'run outputs') : h('p', { class: 'muted' }, NO_OUTPUTS[st] || 'Outputs appear when the run completes.'));
    const cancelable = ['queued', 'running', 'paused'].includes(st);
    if (cancel.isConnected && !cancelable) cancel.remove();
    const paused = [...steps.values()].filter((s) => stepStatus(s.status) === 'paused').map((s) => f(s, 'stepId'));
    for (const [sid, el] of decisions) if (!paused.includes(sid)) { el.remove(); decisions.delete(sid); }
    for (const sid of paused) {
      if (decisions.has(sid) || !cancelable) continue;
      const el = h('section', { class: 'card', 'data-waiting': sid, 'aria-label': `Step ${sid} waits for approval` },
        h('h2', null, `Step ${sid} waits for approval`),
        run.pause && f(run.pause, 'stepId') === sid ? h('p', null, run.pause.message || '') : null,
        decisionForm(id, sid));
      decisions.set(sid, el);
      actions.append(el);
    }
    cancel.hidden = !cancelable;
  };

  const setProgress = () => {
    const all = [...steps.values()];
    const pct = all.length ? Math.floor((100 * all.filter((st) => FINISHED.has(stepStatus(st.status))).length) / all.length) : 0;
    progress.value = pct;
    progressText.textContent = `${pct}%`;
  };

  const addTimeline = (kind, ev) => {
    const err = ev.error;
    const pa = f(ev, 'pauseAction');
    timeline.append(h('li', { class: err ? 'err' : '', 'data-seq': ev.seq, 'data-type': kind },
      clock(ev.time), ' ', h('strong', null, kind.replace(/_/g, ' ')),
      f(ev, 'stepId') ? ` · ${f(ev, 'stepId')}` : '',
      ev.attempt ? ` · attempt ${ev.attempt}` : '',
      err ? ` · ${err.code}: ${err.message}` : '',
      pa ? ` · ${String(pa.action || '').replace('PAUSE_ACTION_', '').toLowerCase()}${pa.comment ? ` (“${pa.comment}”)` : ''}` : ''));
  };

  const apply = (kind, ev) => {
    const sid = f(ev, 'stepId');
    if (sid && STEP_EVENT_STATUS[kind]) {
      const st = steps.get(sid) || { stepId: sid, type: '' };
      st.status = STEP_EVENT_STATUS[kind];
      if (kind === 'step_started') { st.attempts = ev.attempt || (st.attempts || 0) + 1; st.startedAt = st.startedAt || ev.time; }
      if (kind === 'step_completed') { st.output = ev.output; st.finishedAt = ev.time; st.error = undefined; }
      if (kind === 'step_failed' || kind === 'step_retrying') st.error = ev.error;
      if (FINISHED.has(st.status)) st.finishedAt = st.finishedAt || ev.time;
      steps.set(sid, st);
      dag.setStatus(sid, st.status);
    }
    const rs = f(ev, 'runStatus');
    if (rs) run.status = rs;
    if (kind === 'run_completed') run.outputs = ev.output;
    if ((kind === 'run_failed' || kind === 'run_canceled') && ev.error) run.error = ev.error;
    replace(statusEl, badge(runStatus(run.status)));
  };

  replace(main,
    h('h1', null, 'Run ', h('span', { class: 'mono' }, id)),
    h('dl', { class: 'meta' },
      h('dt', null, 'Status'), h('dd', { 'aria-live': 'polite' }, statusEl),
      h('dt', null, 'Progress'), h('dd', null, h('label', { class: 'inline' }, h('span', { class: 'sr-only' }, 'Progress'), progress), ' ', progressText),
      h('dt', null, 'Workflow'), h('dd', null, h('a', { href: `#/workflows/${encodeURIComponent(workflowId)}` }, workflowId), ` v${version}`),
      h('dt', null, 'Created'), h('dd', null, time(f(run, 'createdAt'))),
      h('dt', null, 'Live'), h('dd', null, conn)),
    actions,
    h('section', { 'aria-labelledby': 'dag-h' }, h('h2', { id: 'dag-h' }, 'DAG'), h('div', { class: 'dag-wrap' }, dag)),
    outputs,
    h('section', { 'aria-labelledby': 'steps-h' }, h('h2', { id: 'steps-h' }, 'Steps'),
      h('table', { id: 'steps' },
        h('thead', null, h('tr', null, ['Step', 'Type', 'Status', 'Attempts', 'Started', 'Took', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
        stepsBody)),
    h('section', { 'aria-labelledby': 'tl-h' }, h('h2', { id: 'tl-h' }, 'Timeline'), timeline));
  renderSteps();
  renderOutcome();

  let pending = null; // coalesces re-rendering of the tables to one per frame
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(() => { pending = null; renderSteps(); setProgress(); }, 0);
  };
  const stream = watchRun(id, {
    onEvent: (kind, ev) => {
      apply(kind, ev);
      addTimeline(kind, ev);
      refresh();
      renderOutcome();
    },
    onStatus: async (state, detail) => {
      conn.textContent = { connecting: 'connecting…', live: 'live', reconnecting: `reconnecting (after event ${detail || 0})…`, done: 'finished: stream closed', error: `stream refused: ${detail}` }[state] || state;
      conn.dataset.state = state;
      if (state === 'done') {
        // The terminal event is in; the full run (every step's input and output) comes once more.
        try { run = await call('GetRun', { runId: id }); for (const st of run.steps || []) steps.set(f(st, 'stepId'), { ...st }); } catch { /* the live view stands */ }
        renderSteps(); setProgress(); renderOutcome();
        conn.dataset.state = 'final';
      }
    },
  });
  window.spindleStream = stream; // for the browser tests: drop() cuts the connection
  return () => stream.close();
}
