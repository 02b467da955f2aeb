// The live monitoring pages (#monitor/agents|chats|queues), for supervisors
// and admins. They poll GET /AgentAPI/monitor every second while shown and
// visible (a change is on screen within about a second): one request reads
// the configuration revision, the agents and the open chats, and today's
// counters at most every 15 s (shared/stats/monitor). Ending and
// transferring use the chat actions every agent uses (POST
// /chats/{id}/end, /chats/{id}/transfer).
import { h, ago } from './dom.js';
import { dur, table, csvButton, field, subnav, dayString } from './statsui.js';

const PAGES = [['#monitor/agents', 'Agents'], ['#monitor/chats', 'Chats'], ['#monitor/queues', 'Queues']];
const POLL_MS = 1000;

export function renderMonitor(ctx, page) {
  const { api, view, onStop } = ctx;
  const titles = { agents: 'Agents', chats: 'Chats', queues: 'Queues' };
  if (!titles[page]) page = 'agents';
  document.title = `${titles[page]} · Monitoring · smsdesk`;
  const body = h('div', { id: 'monitor-body' }, h('p', { class: 'hint' }, 'Loading…'));
  const stamp = h('p', { class: 'hint', id: 'monitor-stamp', role: 'status' });
  const ui = { filters: { group: 'upcoming', queue: '', agent: '', type: '', startType: '' }, past: null, snap: null, busy: false };
  const header = h('div', { class: 'stats-head' }, h('h1', null, `Monitoring: ${titles[page]}`), csvButton(api, `/monitor?format=csv&table=${page}`, 'Download CSV'));
  view.replaceChildren(...[header, subnav('Monitoring pages', PAGES, `#monitor/${page}`), stamp, page === 'chats' ? filters() : null, body].filter(Boolean));

  let timer = 0;
  let stopped = false;
  onStop(() => {
    stopped = true;
    clearTimeout(timer);
  });
  async function poll() {
    if (stopped) return;
    if (!document.hidden && !ui.busy) {
      try {
        ui.snap = await api.get('/monitor');
        if (stopped) return;
        draw();
        stamp.textContent = `Live · updated ${new Date(ui.snap.generatedAt).toLocaleTimeString()}`;
      } catch (e) {
        stamp.textContent = `Not updating: ${e.message}`;
      }
    }
    timer = setTimeout(poll, POLL_MS);
  }
  poll();

  function draw() {
    const s = ui.snap;
    if (!s) return;
    if (page === 'agents') body.replaceChildren(agentsTable(s, statusControl));
    else if (page === 'queues') body.replaceChildren(queuesTable(s));
    else drawChats();
  }

  function filters() {
    const sel = (name, opts) => {
      const el = h('select', { id: `mf-${name}`, onchange: () => { ui.filters[name] = el.value; if (name === 'group') loadPast(); drawChats(); } },
        opts.map(([v, t]) => h('option', { value: v }, t)));
      el.value = ui.filters[name];
      return el;
    };
    return h('div', { class: 'stats-filters', role: 'group', 'aria-label': 'Filters' },
      field('Show', sel('group', [['upcoming', 'Upcoming (menu, waiting, offered)'], ['ongoing', 'Ongoing'], ['past', 'Past (ended today)']])),
      field('Queue', h('input', { id: 'mf-queue', list: 'mf-queues', placeholder: 'any', oninput: (e) => { ui.filters.queue = e.target.value.trim(); drawChats(); } })),
      h('datalist', { id: 'mf-queues' }),
      field('Agent', h('input', { id: 'mf-agent', placeholder: 'any', oninput: (e) => { ui.filters.agent = e.target.value.trim().toLowerCase(); drawChats(); } })),
      field('Type', sel('type', [['', 'any'], ['SMS', 'SMS'], ['outbound SMS', 'outbound SMS']])),
      field('Start type', sel('startType', [['', 'any'], ['manual', 'manual answer'], ['auto', 'auto answer'], ['outbound', 'outbound'], ['deflected', 'deflected'], ['wait-time', 'wait-time'], ['in-call', 'in-call'], ['inbound', 'not answered yet']])));
  }

  async function loadPast() {
    if (ui.filters.group !== 'past') return;
    const day = ui.snap?.day || dayString(new Date());
    try {
      const hist = await api.get(`/stats/history?from=${day}&to=${day}`);
      ui.past = hist.chats;
    } catch (e) {
      ui.past = [];
      stamp.textContent = `Cannot load the ended chats: ${e.message}`;
    }
    drawChats();
  }

  function drawChats() {
    const s = ui.snap;
    if (!s || page !== 'chats') return;
    const dl = view.querySelector('#mf-queues');
    if (dl && dl.children.length !== s.queues.length) dl.replaceChildren(...s.queues.map((q) => h('option', { value: q.path })));
    const f = ui.filters;
    let rows = f.group === 'past' ? (ui.past || []) : s.chats.filter((c) => (f.group === 'ongoing' ? c.state === 'active' : c.state !== 'active'));
    rows = rows.filter((c) => (!f.queue || c.queuePath.toLowerCase().includes(f.queue.toLowerCase()))
      && (!f.agent || `${c.agentName || ''} ${c.agentId || ''} ${c.offeredTo || ''}`.toLowerCase().includes(f.agent))
      && (!f.type || c.type === f.type) && (!f.startType || c.startType === f.startType));
    const now = new Date(s.generatedAt).getTime();
    const cols = [
      { key: 'state', label: 'State', render: (c) => (c.state === 'offered' ? `offered to ${name(c.offeredTo)}` : c.state) },
      { key: 'queuePath', label: 'Queue' },
      { key: 'startLabel', label: 'Start type' },
      { key: 'type', label: 'Type' },
      { key: 'consumer', label: 'Consumer' },
      { key: 'agent', label: 'Agent', render: (c) => c.agentName || c.agentId || '' },
      { key: 'wait', label: 'Waiting', num: true, render: (c) => dur(c.waitMs) },
      { key: 'handle', label: 'Handle time', num: true, render: (c) => (c.assignedAt ? dur(c.handleMs) : '') },
      { key: 'last', label: 'Last message', render: (c) => lastMessage(c, now) },
      { key: 'actions', label: 'Actions', render: (c) => actions(c) },
    ];
    const t = table({ id: 'monitor-chats', columns: cols, rows, empty: 'No chats match.', rowAttrs: (c) => ({ dataset: { chat: c.id, state: c.state } }) });
    const focused = document.activeElement?.closest?.('#monitor-chats') ? document.activeElement.dataset.focusId : null;
    body.replaceChildren(h('p', { class: 'hint' }, `${rows.length} chat${rows.length === 1 ? '' : 's'}${s.truncated ? ' (the oldest 500 open chats only)' : ''}`), t);
    if (focused) body.querySelector(`[data-focus-id="${CSS.escape(focused)}"]`)?.focus();
  }

  const name = (id) => (ui.snap?.agents.find((a) => a.id === id)?.name) || id || '';

  // A supervisor sets an agent's status from here (AgentAPI's PUT
  // /agents/{id}/status, which takes the agent's offers back when away).
  function statusControl(a) {
    const sel = h('select', {
      'aria-label': `Status of ${a.name}`, 'data-focus-id': `status-${a.id}`, class: 'monitor-status',
      onfocus: () => { ui.busy = true; }, onblur: () => { ui.busy = false; },
    }, ['available', 'away', 'offline'].map((v) => h('option', { value: v }, v)));
    sel.value = a.status;
    sel.addEventListener('change', async () => {
      ui.busy = true;
      try {
        await api.put(`/agents/${encodeURIComponent(a.id)}/status`, { status: sel.value });
        ctx.announce?.(`${a.name} is now ${sel.value}`);
      } catch (e) {
        stamp.textContent = `Cannot set ${a.name}'s status: ${e.message}`;
        sel.value = a.status;
      } finally {
        ui.busy = false;
      }
    });
    return h('span', null, sel, a.statusReason ? ` (${a.statusReason})` : '');
  }

  function actions(c) {
    const open = h('a', { href: `#chat/${encodeURIComponent(c.id)}`, 'data-focus-id': `open-${c.id}` }, 'Transcript');
    // A supervisor ends or transfers a chat an agent holds (as the desk).
    if (c.state !== 'active') return open;
    const end = h('button', { type: 'button', class: 'small danger', 'data-focus-id': `end-${c.id}`, onclick: () => act(c, 'end') }, 'End');
    const target = h('select', { 'aria-label': `Transfer chat with ${c.consumer} to`, 'data-focus-id': `to-${c.id}`, onfocus: () => { ui.busy = true; }, onblur: () => { ui.busy = false; } },
      h('option', { value: '' }, 'Transfer to…'),
      h('optgroup', { label: 'Queues' }, ui.snap.queues.filter((q) => q.leaf).map((q) => h('option', { value: `q:${q.id}` }, q.path))),
      h('optgroup', { label: 'Agents' }, ui.snap.agents.filter((a) => a.id !== c.agentId).map((a) => h('option', { value: `a:${a.id}` }, `${a.name} (${a.status}, ${a.load}/${a.capacity})`))));
    target.addEventListener('change', () => { if (target.value) act(c, 'transfer', target.value); });
    return h('span', { class: 'monitor-actions' }, open, ' ', end, ' ', target);
  }

  async function act(c, what, to) {
    ui.busy = true;
    try {
      if (what === 'end') {
        if (!confirm(`End the chat with ${c.consumer}?`)) return;
        await api.post(`/chats/${encodeURIComponent(c.id)}/end`, {});
        ctx.announce?.(`Ended the chat with ${c.consumer}`);
      } else {
        const body = to.startsWith('q:') ? { toQueue: to.slice(2) } : { toAgent: to.slice(2) };
        const path = `/chats/${encodeURIComponent(c.id)}/transfer`;
        try {
          await api.post(path, body);
        } catch (e) {
          // Nobody can take it there now: the server asks to confirm.
          if (e.status !== 409 || !/"force"/.test(e.message) || !confirm(`${e.message.replace(/ \(send .*$/, '')}. Transfer anyway?`)) throw e;
          await api.post(path, { ...body, force: true });
        }
        ctx.announce?.(`Transfer of the chat with ${c.consumer} started`);
      }
    } catch (e) {
      stamp.textContent = `Cannot ${what} the chat with ${c.consumer}: ${e.message}`;
    } finally {
      ui.busy = false;
    }
  }
}

// lastMessage is the latest text, shortened, with who wrote it and when.
function lastMessage(c, now) {
  if (!c.lastMessage) return c.state === 'ended' ? c.endReason : `${ago(c.lastActivityAt, now)} ago`;
  const text = c.lastMessage.length > 60 ? `${c.lastMessage.slice(0, 59)}…` : c.lastMessage;
  return h('span', { title: c.lastMessage }, `${c.lastAuthor || ''} ${ago(c.lastMessageAt || c.lastActivityAt, now)} ago: `, h('q', null, text));
}

function agentsTable(s, statusControl) {
  const now = new Date(s.generatedAt).getTime();
  return table({
    id: 'monitor-agents',
    columns: [
      { key: 'name', label: 'Agent' },
      { key: 'status', label: 'Status', render: statusControl },
      { key: 'inStatus', label: 'Time in status', num: true, render: (a) => (a.statusSince ? ago(a.statusSince, now) : '') },
      { key: 'chats', label: 'Chats / capacity', num: true, render: (a) => `${a.chats}${a.offered ? ` (+${a.offered} offered)` : ''} / ${a.capacity}` },
      { key: 'answeredToday', label: 'Answered today', num: true },
    ],
    rows: s.agents,
    rowAttrs: (a) => ({ dataset: { agent: a.id, status: a.status } }),
  });
}

function queuesTable(s) {
  const types = [...new Set(s.queues.flatMap((q) => Object.keys(q.byType || {})))].sort();
  return table({
    id: 'monitor-queues',
    columns: [
      { key: 'path', label: 'Queue' },
      { key: 'menu', label: 'In the menu', num: true },
      { key: 'waiting', label: 'Waiting', num: true },
      { key: 'offered', label: 'Offered', num: true },
      { key: 'active', label: 'Active', num: true },
      { key: 'longest', label: 'Longest wait', num: true, render: (q) => (q.waiting + q.offered ? dur(q.longestWaitMs) : '') },
      { key: 'ewt', label: 'Estimated wait', num: true, render: (q) => (!q.leaf ? '' : q.ewtSeconds < 0 ? 'no agent available' : dur(q.ewtSeconds * 1000)) },
      { key: 'agents', label: 'Agents (free slots)', num: true, render: (q) => `${q.agents} (${q.freeSlots})` },
      { key: 'byType', label: 'By type (waiting / active)', render: (q) => types.map((t) => `${t}: ${(q.byType[t] || {}).waiting || 0} / ${(q.byType[t] || {}).active || 0}`).join(' · ') },
    ],
    rows: s.queues,
    rowAttrs: (q) => ({ dataset: { queue: q.id } }),
  });
}
