// schedules.js — the tenant's schedules: pause / resume, and delete (asked twice).

import { h, replace, f, time } from './dom.js';
import { call } from './api.js';
import { errorBox } from './ui.js';

export async function schedulesPage(main) {
  const res = await call('ListSchedules', {});
  const list = res.schedules || [];
  const message = h('div', { id: 'schedule-message', 'aria-live': 'polite' });
  const act = async (rpc, params, done) => {
    replace(message);
    try {
      await call(rpc, params);
    } catch (err) {
      replace(message, errorBox(err));
      return;
    }
    await schedulesPage(main); // the list as the server has it now, then what was done
    replace(main.querySelector('#schedule-message'), h('p', { class: 'ok', role: 'status' }, done));
  };
  const rows = list.map((sc) => {
    const paused = !!sc.paused;
    const del = h('button', {
      type: 'button', class: 'danger', 'data-action': 'delete',
      onclick: () => {
        if (del.dataset.armed) { act('DeleteSchedule', { scheduleId: sc.id }, `Deleted schedule ${sc.id}.`); return; }
        del.dataset.armed = '1';
        del.textContent = 'Confirm delete';
      },
    }, 'Delete');
    return h('tr', { 'data-schedule': sc.id },
      h('td', { class: 'mono' }, sc.id),
      h('td', { class: 'mono' }, h('a', { href: `#/workflows/${encodeURIComponent(f(sc, 'workflowId'))}` }, f(sc, 'workflowId'))),
      h('td', { class: 'mono' }, sc.cron), h('td', null, f(sc, 'timeZone') || 'UTC'),
      h('td', null, paused ? h('span', null, 'paused since ', time(f(sc, 'pausedAt'))) : 'active'),
      h('td', null, time(f(sc, 'nextRunAt'))),
      h('td', null, f(sc, 'lastRunId') ? h('a', { href: `#/runs/${encodeURIComponent(f(sc, 'lastRunId'))}` }, time(f(sc, 'lastRunAt'))) : '—'),
      h('td', null, h('div', { class: 'row' },
        h('button', {
          type: 'button', 'data-action': paused ? 'resume' : 'pause',
          onclick: () => act('PauseSchedule', { scheduleId: sc.id, paused: !paused }, `${paused ? 'Resumed' : 'Paused'} schedule ${sc.id}.`),
        }, paused ? 'Resume' : 'Pause'), del)));
  });
  replace(main, h('h1', null, 'Schedules'), message,
    rows.length
      ? h('table', { id: 'schedules' },
        h('thead', null, h('tr', null, ['Schedule', 'Workflow', 'Cron', 'Zone', 'State', 'Next run', 'Last run', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows))
      : h('p', { class: 'muted' }, 'No schedules.'));
}
