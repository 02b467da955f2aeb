// The report pages (#reports/chat|performance|history|charts), for
// supervisors and admins: the chat report per agent, team or queue and per
// day or hour; performance metrics with a type breakdown; the individual
// chat history; charts. Every table is also a CSV download from the same
// AgentAPI request with format=csv, so the file has the rows on screen.
import { h } from './dom.js';
import { dur, pct, usd, table, csvButton, field, subnav, dayString, addDays } from './statsui.js';
import { chart } from './charts.js';

const PAGES = [['#reports/chat', 'Chat report'], ['#reports/performance', 'Performance metrics'], ['#reports/history', 'Chat history'], ['#reports/charts', 'Charts']];
const END_REASONS = ['Finished', 'Timeout Agent No Message', 'Timeout End User No Message', 'End User Stopped', 'Abandoned', 'Deflected', 'Failed', 'Expired', 'Dismissed'];

export function renderReport(ctx, page) {
  const { api, view } = ctx;
  const titles = Object.fromEntries(PAGES.map(([href, t]) => [href.split('/')[1], t]));
  if (!titles[page]) page = 'chat';
  document.title = `${titles[page]} · Reports · smsdesk`;
  const body = h('div', { id: 'report-body' });
  const today = dayString(new Date());
  const q = { from: addDays(today, -6), to: today, by: 'agent', per: '' };
  const from = h('input', { type: 'date', id: 'rf-from', value: q.from, required: true });
  const to = h('input', { type: 'date', id: 'rf-to', value: q.to, required: true });
  const controls = [field('From', from), field('To', to)];
  const by = h('select', { id: 'rf-by' }, [['agent', 'Agent (Users & teams)'], ['team', 'Team'], ['queue', 'Queue'], ['all', 'Whole business (Calls & chats)'], ['number', 'Number'], ['startType', 'Start type']].map(([v, t]) => h('option', { value: v }, t)));
  const per = h('select', { id: 'rf-per' }, [['', 'Whole range'], ['day', 'Per day'], ['hour', 'Per hour']].map(([v, t]) => h('option', { value: v }, t)));
  const hist = {
    consumer: h('input', { id: 'rf-consumer', type: 'tel', placeholder: '+14155550100' }),
    agent: h('input', { id: 'rf-agent', placeholder: 'agent id' }),
    queue: h('input', { id: 'rf-queue', placeholder: 'queue id' }),
    endReason: h('select', { id: 'rf-end' }, h('option', { value: '' }, 'any'), END_REASONS.map((r) => h('option', { value: r }, r))),
  };
  if (page === 'chat') controls.push(field('By', by), field('Split', per));
  if (page === 'performance') controls.push(field('By', by));
  if (page === 'history') controls.push(field('Consumer number', hist.consumer), field('Agent', hist.agent), field('Queue', hist.queue), field('End reason', hist.endReason));
  const form = h('form', { class: 'stats-filters', id: 'report-form', onsubmit: (e) => { e.preventDefault(); load(); } }, controls, h('button', { type: 'submit' }, 'Show'));
  view.replaceChildren(h('h1', null, `Reports: ${titles[page]}`), subnav('Report pages', PAGES, `#reports/${page}`), form, body);

  let names = new Map();
  async function loadNames() {
    try {
      const snap = await api.get('/monitor');
      names = new Map([...snap.agents.map((a) => [a.id, a.name]), ...snap.queues.map((x) => [x.id, x.path])]);
    } catch {
      // Ids are shown instead.
    }
  }

  async function load() {
    body.replaceChildren(h('p', { class: 'hint' }, 'Loading…'));
    const range = `from=${from.value}&to=${to.value}`;
    try {
      if (!names.size) await loadNames();
      if (page === 'chat') await chatReport(range);
      else if (page === 'performance') await performance(range);
      else if (page === 'history') await history(range);
      else await charts(range);
    } catch (e) {
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Cannot load the report: ${e.message}`));
    }
  }
  const label = (key, dim) => (dim === 'all' ? 'All chats' : names.get(key) || key || '(none)');

  async function chatReport(range) {
    const path = `/stats?${range}&by=${by.value}${per.value ? `&per=${per.value}` : ''}`;
    const r = await api.get(path);
    const ends = [...new Set(r.rows.flatMap((x) => Object.keys(x.endReasons)))].sort();
    const cols = [
      per.value ? { key: 'day', label: 'Day' } : null,
      per.value === 'hour' ? { key: 'hour', label: 'Hour', render: (x) => `${String(x.hour).padStart(2, '0')}:00` } : null,
      { key: 'key', label: { agent: 'Agent', team: 'Team', queue: 'Queue', all: 'Business', number: 'Number', startType: 'Start type' }[r.by], render: (x) => label(x.key, r.by) },
      { key: 'chats', label: 'Chats', num: true },
      { key: 'offered', label: r.by === 'agent' ? 'Offers' : 'Offered', num: true },
      { key: 'answered', label: 'Answered', num: true },
      { key: 'answerRate', label: 'Answer rate', num: true, render: (x) => pct(x.answerRate) },
      { key: 'averageWaitMs', label: 'Avg wait', num: true, render: (x) => dur(x.averageWaitMs) },
      { key: 'averageHandleMs', label: 'Avg handle', num: true, render: (x) => dur(x.averageHandleMs) },
      { key: 'transfers', label: 'Transfers', num: true },
      ...ends.map((e) => ({ key: `end-${e}`, label: e, num: true, render: (x) => x.endReasons[e] || 0 })),
    ].filter(Boolean);
    body.replaceChildren(h('div', { class: 'stats-head' }, h('h2', null, `${r.from} to ${r.to}`), csvButton(api, `${path}&format=csv`)),
      table({ id: 'report-chat', columns: cols, rows: r.rows, empty: 'No chats ended in this range.', rowAttrs: (x) => ({ dataset: { key: x.key, day: x.day || '' } }) }));
  }

  async function performance(range) {
    const path = `/stats?${range}&by=${by.value}`;
    const r = await api.get(path);
    const cols = [
      { key: 'key', label: 'Group', render: (x) => label(x.key, r.by) },
      { key: 'messagesTotal', label: 'Total SMS', num: true },
      { key: 'in', label: 'Inbound SMS', num: true, render: (x) => x.smsIn + x.mmsIn },
      { key: 'out', label: 'Outbound SMS', num: true, render: (x) => x.smsOut + x.mmsOut },
      { key: 'mms', label: 'of which MMS', num: true, render: (x) => x.mmsIn + x.mmsOut },
      { key: 'segments', label: 'Segments', num: true },
      { key: 'costMicros', label: 'Estimated carrier cost', num: true, render: (x) => usd(x.costMicros) },
      { key: 'outbound', label: 'Outbound chats', num: true },
      { key: 'averageFirstResponseMs', label: 'Avg first response', num: true, render: (x) => dur(x.averageFirstResponseMs) },
      { key: 'averageDurationMs', label: 'Avg duration', num: true, render: (x) => dur(x.averageDurationMs) },
    ];
    const types = [...new Set(r.rows.flatMap((x) => Object.keys(x.startTypes)))].sort();
    const typeCols = [{ key: 'key', label: 'Group', render: (x) => label(x.key, r.by) }, ...types.map((t) => ({ key: t, label: t, num: true, render: (x) => x.startTypes[t] || 0 }))];
    body.replaceChildren(h('div', { class: 'stats-head' }, h('h2', null, `SMS ${r.from} to ${r.to}`), csvButton(api, `${path}&format=csv`)),
      table({ id: 'report-performance', columns: cols, rows: r.rows, empty: 'No chats ended in this range.' }),
      h('h2', null, 'Chats by start type'), table({ id: 'report-types', columns: typeCols, rows: r.rows }));
  }

  async function history(range) {
    const params = new URLSearchParams(range);
    if (hist.consumer.value.trim()) params.set('consumer', hist.consumer.value.trim());
    if (hist.agent.value.trim()) params.set('agent', hist.agent.value.trim());
    if (hist.queue.value.trim()) params.set('queue', hist.queue.value.trim());
    if (hist.endReason.value) params.set('endReason', hist.endReason.value);
    const path = `/stats/history?${params}`;
    const r = await api.get(path);
    const cols = [
      { key: 'endedAt', label: 'Ended', render: (c) => new Date(c.endedAt).toLocaleString() },
      { key: 'type', label: 'Type' },
      { key: 'startLabel', label: 'Start type' },
      { key: 'consumer', label: 'Consumer' },
      { key: 'queuePath', label: 'Queue' },
      { key: 'agent', label: 'Agent', render: (c) => c.agentName || c.agentId || '' },
      { key: 'waitMs', label: 'Wait', num: true, render: (c) => dur(c.waitMs) },
      { key: 'handleMs', label: 'Handle time', num: true, render: (c) => (c.assignedAt ? dur(c.handleMs) : '') },
      { key: 'endReason', label: 'End reason' },
      { key: 'open', label: 'Transcript', render: (c) => h('a', { href: `#chat/${encodeURIComponent(c.id)}` }, 'Open') },
    ];
    body.replaceChildren(h('div', { class: 'stats-head' }, h('h2', null, `${r.chats.length} chat${r.chats.length === 1 ? '' : 's'}${r.limited ? ' (the newest only: narrow the search)' : ''}`), csvButton(api, `${path}&format=csv`)),
      table({ id: 'report-history', columns: cols, rows: r.chats, empty: 'No ended chat matches.', rowAttrs: (c) => ({ dataset: { chat: c.id } }) }));
  }

  async function charts(range) {
    const [hours, all, queues] = await Promise.all([api.get(`/stats?${range}&by=all&per=hour`), api.get(`/stats?${range}&by=all`), api.get(`/stats?${range}&by=queue&per=day`)]);
    // Messages per hour of the day over the range.
    const xs = [...Array(24).keys()];
    const inb = xs.map(() => 0), outb = xs.map(() => 0);
    for (const r of hours.rows) {
      inb[r.hour] += r.smsIn + r.mmsIn;
      outb[r.hour] += r.smsOut + r.mmsOut;
    }
    const hh = (v) => `${String(v).padStart(2, '0')}:00`;
    // Wait-time distribution of the answered chats.
    const buckets = ['0-30s', '30s-1m', '1-2m', '2-5m', '5-10m', '10-30m', '30m+'];
    const waits = all.rows[0]?.waits || {};
    // Answer rate per queue over the days.
    const days = [];
    for (let d = from.value; d <= to.value && days.length < 370; d = addDays(d, 1)) days.push(d);
    const qs = [...new Set(queues.rows.map((r) => r.key))].sort();
    const rate = new Map(queues.rows.map((r) => [`${r.key}|${r.day}`, r]));
    const series = qs.map((k) => ({ label: label(k, 'queue'), values: days.map((d) => { const r = rate.get(`${k}|${d}`); return r && r.answered + r.missed ? 100 * r.answerRate : null; }) }));
    body.replaceChildren(
      chart({ id: 'chart-messages', title: 'Messages per hour of the day', x: xs, xLabel: hh, series: [{ label: 'Inbound', values: inb }, { label: 'Outbound', values: outb }], bars: true, yLabel: 'messages' }),
      table({ id: 'chart-messages-table', caption: 'Messages per hour', columns: [{ key: 'hour', label: 'Hour' }, { key: 'in', label: 'Inbound', num: true }, { key: 'out', label: 'Outbound', num: true }],
        rows: xs.filter((x) => inb[x] + outb[x]).map((x) => ({ hour: hh(x), in: inb[x], out: outb[x] })) }),
      chart({ id: 'chart-waits', title: 'Wait before an agent took the chat', x: buckets.map((_, i) => i), xLabel: (i) => buckets[i] ?? '', series: [{ label: 'Chats', values: buckets.map((b) => waits[b] || 0) }], bars: true, yLabel: 'chats' }),
      table({ id: 'chart-waits-table', caption: 'Wait-time distribution', columns: [{ key: 'b', label: 'Wait' }, { key: 'n', label: 'Chats', num: true }], rows: buckets.map((b) => ({ b, n: waits[b] || 0 })) }),
      chart({ id: 'chart-answer-rate', title: 'Answer rate per queue (%)', x: days.map((_, i) => i), xLabel: (i) => days[i]?.slice(5) ?? '', series, yLabel: '%', yMax: 100 }));
  }

  load();
}
