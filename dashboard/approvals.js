// approvals.js — the queue of runs waiting for a person, each with approve / decline /
// override (and a comment), and the same decision form the run page shows for a paused run.

import { h, replace, f, time } from './dom.js';
import { call } from './api.js';
import { errorBox, pager, pageToken } from './ui.js';

const DONE = { APPROVE: 'Approved', DECLINE: 'Declined', OVERRIDE: 'Overridden' };

const ACTIONS = [
  ['APPROVE', 'Approve', 'primary'],
  ['DECLINE', 'Decline', 'danger'],
  ['OVERRIDE', 'Override', ''],
];

/** A form deciding on RUN's paused step STEPID; onDone(run) after the server accepted it. */
export function decisionForm(runId, stepId, onDone) {
  const key = `${runId}-${stepId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const comment = h('textarea', { id: `comment-${key}`, name: 'comment', rows: 2 });
  const output = h('textarea', { id: `output-${key}`, name: 'output', rows: 2, placeholder: '{"value": 1}' });
  const message = h('div', { 'aria-live': 'polite' });
  const buttons = ACTIONS.map(([action, label, cls]) => h('button', {
    type: 'button', class: cls, 'data-action': action.toLowerCase(),
    onclick: async () => {
      const req = { runId, stepId, action: `PAUSE_ACTION_${action}`, comment: comment.value, userId: 'dashboard' };
      if (action === 'OVERRIDE') {
        try { req.output = output.value.trim() ? JSON.parse(output.value) : null; } catch (err) {
          replace(message, h('p', { class: 'alert', role: 'alert' }, `Override output is not valid JSON: ${err.message}`));
          return;
        }
      }
      for (const b of buttons) b.disabled = true;
      replace(message, h('p', { class: 'muted' }, `${label}…`));
      try {
        const run = await call('ProcessPauseAction', req);
        replace(message, h('p', { class: 'ok', role: 'status' }, `${DONE[action]}: step ${stepId} of run ${runId}.`));
        if (onDone) onDone(run);
      } catch (err) {
        replace(message, errorBox(err));
        for (const b of buttons) b.disabled = false;
      }
    },
  }, label));
  return h('form', { class: 'decision', 'aria-label': `Decide on step ${stepId} of run ${runId}`, onsubmit: (ev) => ev.preventDefault() },
    h('div', { class: 'row' },
      h('label', { for: `comment-${key}` }, 'Comment', comment),
      h('label', { for: `output-${key}` }, 'Output for override (JSON)', output)),
    h('div', { class: 'row' }, buttons), message);
}

export async function approvalsPage(main, _params, query) {
  const res = await call('ListPausedRuns', { pageSize: 50, pageToken: pageToken(query) });
  const runs = res.runs || [];
  const cards = runs.map((run) => {
    const pause = run.pause || {};
    const stepId = f(pause, 'stepId') || (f(run, 'currentSteps') || [])[0] || '';
    return h('article', { class: 'card approval', 'data-run': run.id, 'aria-labelledby': `ap-${run.id}` },
      h('h2', { id: `ap-${run.id}` }, 'Run ', h('a', { href: `#/runs/${encodeURIComponent(run.id)}` }, run.id), ` · step ${stepId}`),
      h('dl', { class: 'meta' },
        h('dt', null, 'Workflow'), h('dd', null, h('a', { href: `#/workflows/${encodeURIComponent(f(run, 'workflowId'))}` }, f(run, 'workflowId'))),
        h('dt', null, 'Message'), h('dd', null, pause.message || '—'),
        h('dt', null, 'Paused'), h('dd', null, time(f(pause, 'pausedAt')))),
      decisionForm(run.id, stepId));
  });
  replace(main, h('h1', null, 'Approvals'),
    h('p', { class: 'muted' }, 'Runs waiting for a person, oldest pause first.'),
    cards.length ? h('div', { id: 'approvals' }, cards) : h('p', { id: 'approvals-empty', class: 'muted' }, 'Nothing is waiting for approval.'),
    pager('#/approvals', query, f(res, 'nextPageToken')));
}
