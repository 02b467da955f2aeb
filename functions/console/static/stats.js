// The statistics area: "My statistics" for every agent (#stats), the live
// monitoring pages for supervisors and admins (#monitor/agents|chats|queues,
// monitor.js) and the reports (#reports/..., reports.js). It owns
// #stats-view and shows it instead of the desk while its hash is current;
// the server decides what each person may read (an agent gets only their
// own figures and their teams' averages from GET /stats/me).
import { $, h, show } from './dom.js';
import { dur, pct, table, field, dayString, addDays } from './statsui.js';
import { renderMonitor } from './monitor.js';
import { renderReport } from './reports.js';

export function setupStats({ api, announce }) {
  const view = $('#stats-view');
  const links = { stats: $('#stats-link'), monitor: $('#monitor-link'), reports: $('#reports-link') };
  const st = { me: null, page: '', stop: null };

  // After the other areas' listeners (admin.js shows the desk for any hash
  // not its own).
  window.addEventListener('hashchange', () => setTimeout(route, 0));

  function applyMe(me) {
    st.me = me;
    const supervisor = !!me && (me.role === 'supervisor' || me.role === 'admin');
    show(links.stats, !!me?.agent);
    show(links.monitor, supervisor);
    show(links.reports, supervisor);
    if (!me) {
      leave();
      return;
    }
    queueMicrotask(route);
  }

  function leave() {
    st.stop?.();
    st.stop = null;
    st.page = '';
    if (!view.hidden) {
      show(view, false);
      view.replaceChildren();
      if (st.me && !/^#admin/.test(location.hash)) show($('#workspace'));
    }
  }

  function route() {
    if (!st.me) return;
    const m = /^#(stats|monitor|reports)(?:\/([a-z-]+))?/.exec(location.hash);
    if (!m) {
      leave();
      return;
    }
    const page = `${m[1]}/${m[2] || ''}`;
    show($('#workspace'), false);
    show($('#admin-view'), false);
    show(view);
    if (page === st.page) return;
    st.stop?.();
    st.stop = null;
    st.page = page;
    const supervisor = st.me.role === 'supervisor' || st.me.role === 'admin';
    const ctx = { api: api(), view, announce, me: st.me, onStop: (f) => { st.stop = f; } };
    if (m[1] === 'stats') {
      renderMine(ctx);
    } else if (!supervisor) {
      view.replaceChildren(h('h1', null, 'Not available'), h('p', null, 'Monitoring and reports are for supervisors and admins.'));
    } else if (m[1] === 'monitor') {
      renderMonitor(ctx, m[2] || 'agents');
    } else {
      renderReport(ctx, m[2] || 'chat');
    }
  }

  return { applyMe };
}

// renderMine is the agent statistics page: chats answered and average
// duration (and the rest of the row) beside the team average, for today,
// this week and a chosen range.
async function renderMine({ api, view, me }) {
  document.title = 'My statistics · smsdesk';
  if (!me.agent) {
    view.replaceChildren(h('h1', null, 'My statistics'), h('p', null, 'Only agents have statistics of their own.'));
    return;
  }
  const out = h('div', { id: 'my-stats-body' }, h('p', { class: 'hint' }, 'Loading…'));
  const today = dayString(new Date());
  const from = h('input', { type: 'date', id: 'my-from', value: addDays(today, -29) });
  const to = h('input', { type: 'date', id: 'my-to', value: today });
  const form = h('form', { class: 'stats-filters', onsubmit: (e) => { e.preventDefault(); load(); } },
    field('From', from), field('To', to), h('button', { type: 'submit' }, 'Show'));
  view.replaceChildren(h('h1', null, 'My statistics'),
    h('p', { class: 'hint' }, 'Your SMS chats beside your team\'s average agent. Chats count on the day they ended.'), form, out);
  async function load() {
    let s;
    try {
      s = await api.get(`/stats/me?from=${from.value}&to=${to.value}`);
    } catch (e) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Cannot load your statistics: ${e.message}`));
      return;
    }
    const periods = [['Today', s.today], ['This week', s.week]];
    if (s.range) periods.push([`${s.range.from} to ${s.range.to}`, s.range]);
    out.replaceChildren(...periods.map(([title, p]) => period(title, p)));
  }
  load();
}

// Each figure of the page: how to show it from a row (yours) and, for
// counts, from the team's per-member fractions (pm).
const MINE = [
  ['answered', 'Chats answered', (r, pm) => (pm ? pm.answered : r.answered)],
  ['averageDurationMs', 'Average duration', (r) => dur(r.averageDurationMs)],
  ['averageHandleMs', 'Average handle time', (r) => dur(r.averageHandleMs)],
  ['averageFirstResponseMs', 'Average first response', (r) => dur(r.averageFirstResponseMs)],
  ['offered', 'Offers', (r, pm) => (pm ? pm.offered : r.offered)],
  ['missedOffers', 'Missed offers', (r, pm) => (pm ? pm.missedOffers : r.missedOffers)],
  ['answerRate', 'Offers taken', (r) => pct(r.answerRate)],
  ['transferred', 'Transferred', (r, pm) => (pm ? pm.transferred : r.transferred)],
  ['smsIn', 'SMS in', (r, pm) => (pm ? pm.smsIn : r.smsIn + r.mmsIn)],
  ['smsOut', 'SMS out', (r, pm) => (pm ? pm.smsOut : r.smsOut + r.mmsOut)],
];

function period(title, p) {
  const cols = [{ key: 'figure', label: 'SMS chats' }, { key: 'me', label: 'You', num: true },
    ...p.teams.map((t) => ({ key: `team-${t.teamId}`, label: `${t.name || t.teamId} average (${t.members})`, num: true }))];
  const rows = MINE.map(([key, label, f]) => {
    const row = { figure: label, me: f(p.me), key };
    for (const t of p.teams) row[`team-${t.teamId}`] = f(t.average, t.perMember);
    return row;
  });
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { class: 'stats-period', 'aria-label': title },
    h('h2', null, title),
    table({ id: `my-stats-${slug}`, columns: cols, rows, rowAttrs: (r) => ({ dataset: { figure: r.key } }) }),
    p.teams.length ? null : h('p', { class: 'hint' }, 'You are in no team, so there is no team average.'));
}
