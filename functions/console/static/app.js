// The smsdesk agent console: sign-in, inbox, conversation. Plain modules, no
// framework, no build step; everything it shows comes from AgentAPI.
//
// Live updates are polling, not server-sent events or WebSockets. Measured
// (functions/e2e console_test.go, and Firestore reads counted with
// shared/store/counting):
//   - Latency: GET /inbox every second (config.json pollMillis) while the tab
//     is visible. A consumer's text is routed 3 ms (embedded) to 80 ms
//     (emulators) after the webhook answers; it is on screen at the next
//     poll: 1.0-1.07 s after the webhook in the worst phase (text arriving
//     just after a poll), about half a second on average.
//   - Cost: a poll of /inbox reads 7 Firestore documents for an agent with
//     one active and one ended chat (one more per chat listed); the open
//     chat (15 reads with 12 messages) is re-read only when its version in
//     the inbox changed or an outbound message awaits its delivery report,
//     the recently ended list (a read per listed chat) every 30 polls or when
//     a chat left the active list,
//     else every 5 s; /me every 15 s (11 reads, plus one per business
//     number for an agent who may start SMS chats: 13 for Ana in the demo).
//     About 39,500 reads, $0.024 at list price, per agent-hour, plus 4,600
//     short requests. An event
//     stream would keep one request open per agent all shift (Cloud
//     Functions bill the instance while a request is open, and cut it at 60
//     minutes), and would still need a Firestore listener per agent behind
//     it; a poll is a short request a warm instance serves in milliseconds
//     alongside 80 others, survives any proxy, and needs no state.
//   - Polling slows to every 15 s while the tab is hidden (an offer lasts
//     minutes, so a background tab still sees it and the tab title shows
//     it) and runs at once when it is shown; failures back off to 15 s.
import { API, APIError, uuid } from './api.js';
import { createAuth } from './auth.js';
import { $, h, show, when, timeEl, ago, reconcile } from './dom.js';
import { measure, MAX_CHARACTERS } from './segments.js';
import { renderCounter } from './counter.js';
import { setupOutbound } from './outbound.js';
import { setupAdmin } from './admin.js';
import { setupStats } from './stats.js';
import { setupNotes } from './notes.js';
import { setupLabels } from './labels.js';
import { setupInboxFilter } from './inboxfilter.js';
import { setupWrapUp, wrapUpText } from './wrapup.js';
import { setupOfferPreview } from './offerpreview.js';
import { setupNotify } from './notify.js';
import { setupContact } from './contact.js';
import { setupInCall } from './incall.js';
import { setupKeys } from './keys.js';
import { setupPicker } from './picker.js';
import { setupSmartEncoding } from './smartenc.js';

const MAX_MEDIA_SHOWN = 10;
const HIDDEN_POLL_MS = 15000;
const ENDED_EVERY = 30;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_ATTACHMENTS = 10;
// An outbound message's ticks are re-read every poll for this long after it
// was written; later the chat is re-read every SLOW_REFRESH_MS at most.
const FRESH_OUTBOUND_MS = 3 * 60 * 1000;
const SLOW_REFRESH_MS = 5000;
// A text whose send waits longer than this is shown held, not queued.
const HELD_MS = 60 * 1000;

const state = {
  cfg: null,
  auth: null,
  api: null,
  me: null,
  queues: new Map(), // id → name, for display
  myQueues: [], // [{id, name}]: the queues the person works
  transferQueues: [], // [{id, name}]: every queue a chat can be transferred to
  agentNames: new Map(), // id → name
  namesVersion: 0, // bumped when names load: lists rendered with raw ids are redrawn
  chatId: null,
  detail: null,
  detailFetchedAt: 0,
  loadingChat: null,
  canned: [],
  cannedUsed: null, // {id, body} of the last inserted canned reply
  attachments: [], // {name, contentType, size, preview}
  pendingSend: null, // {key, requestId}: a retry of the same send reuses its id
  seenVersion: new Map(), // chat id → version last seen; 0 = never opened
  seenInbound: new Map(), // chat id → the consumer's text count last seen
  notifiedInbound: new Map(), // chat id → the consumer's text count last notified
  notify: null, // desktop notifications (notify.js)
  unreadCount: 0,
  detailListed: false, // the open chat was in the last inbox
  seenOffers: new Set(),
  firstInbox: true,
  polls: 0,
  poller: null,
  outbound: null, // the New SMS dialog (outbound.js)
  admin: null, // the Admin area (admin.js)
  notes: null, // private notes and mentions (notes.js)
  labels: null, // the chat's labels (labels.js)
  filter: null, // the inbox filter (inboxfilter.js)
  wrapUp: null, // wrap-up codes in the End dialog (wrapup.js)
  offerPreview: null, // the offer card's preview (offerpreview.js)
};

// ---- start ---------------------------------------------------------------

async function main() {
  try {
    const res = await fetch(new URL('config.json', import.meta.url), { cache: 'no-store' });
    state.cfg = await res.json();
  } catch {
    banner('Cannot load the console settings; reload the page.');
    return;
  }
  wireStaticControls();
  try {
    state.auth = await createAuth(state.cfg);
  } catch (err) {
    showSignIn(`Cannot load sign-in: ${err.message}`);
    return;
  }
  if (await state.auth.restore()) await startSession();
  else showSignIn();
}

function showSignIn(message = '') {
  state.poller?.stop();
  show($('#workspace'), false);
  show($('#session-bar'), false);
  show($('#signin-view'));
  const dev = state.cfg.auth === 'dev';
  show($('#dev-form'), dev);
  show($('#firebase-form'), !dev);
  $('#signin-error').textContent = message;
  (dev ? $('#dev-role') : $('#email')).focus();
  document.title = 'Sign in · smsdesk';
}

async function signInFrom(form) {
  const data = Object.fromEntries(new FormData(form));
  const err = $('#signin-error');
  err.textContent = '';
  if (state.cfg.auth === 'dev') {
    data.agentId = (data.agentId || '').trim();
    if (data.role === 'agent' && !data.agentId) {
      err.textContent = 'An agent needs an agent id (ana, ben or carla in the demo).';
      $('#dev-agent').focus();
      return;
    }
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await state.auth.signIn(data);
    await startSession();
  } catch (e) {
    err.textContent = e.message;
  } finally {
    button.disabled = false;
  }
}

async function startSession() {
  state.api = new API(state.cfg.agentAPI, () => state.auth.token(), (msg) => signOut(`Signed out: ${msg}`));
  try {
    state.me = await state.api.get('/me');
  } catch (e) {
    if (e.status === 401) return;
    const role = state.auth.principal?.role;
    showSignIn(e.status === 403
      ? `This console is for agents and supervisors${role ? ` (you are signed in as ${role})` : ''}: ${e.message}`
      : `Cannot load your profile: ${e.message}`);
    await state.auth.signOut();
    return;
  }
  if (state.me.agentId && !state.me.agent) {
    // A token naming an agent with no agent document would open an empty
    // console that is offered nothing: say so instead.
    const demo = state.cfg.auth === 'dev' ? ' (the demo agents are ana, ben and carla)' : '';
    const id = state.me.agentId;
    state.me = null;
    await state.auth.signOut();
    showSignIn(`There is no agent “${id}” on file${demo}; check the agent id, or ask an admin to add the agent.`);
    return;
  }
  applyMe(state.me);
  show($('#signin-view'), false);
  show($('#workspace'));
  show($('#session-bar'));
  if (state.cfg.simulator) {
    $('#simulator-link').href = state.cfg.simulator;
    show($('#simulator-link'));
  }
  loadAgentNames();
  state.poller = new Poller(pollOnce, state.cfg.pollMillis || 1000);
  state.poller.start();
  state.notes.start();
  route();
}

// signOut ends the session. An agent who signs out themselves is set
// offline first, so no chat is offered to someone who left; a session the
// API refused (message set) cannot, and the server's presence check makes
// that agent away once their polls stop.
async function signOut(message = '') {
  state.poller?.stop();
  state.notes?.stop();
  if (!message && state.me?.agent && state.me.agent.status !== 'offline') {
    try {
      await state.api.put('/me/status', { status: 'offline' });
    } catch {
      // Signed out anyway; presence takes over.
    }
  }
  await state.auth.signOut();
  // Nothing of this person's session stays for the next one in this tab.
  Object.assign(state, {
    me: null, chatId: null, detail: null, firstInbox: true, canned: [], cannedUsed: null, pendingSend: null,
    queues: new Map(), myQueues: [], transferQueues: [], agentNames: new Map(), seenVersion: new Map(), seenOffers: new Set(),
    endedList: undefined, endedStale: false, activeCount: undefined, polls: 0, unreadCount: 0, detailListed: false,
  });
  clearAttachments();
  state.outbound.applyMe(null);
  state.admin.applyMe(null);
  state.stats.applyMe(null);
  for (const list of document.querySelectorAll('.chat-list, #history-list, #transcript')) list.replaceChildren();
  $('#reply').value = '';
  document.title = 'Sign in · smsdesk';
  show($('#conversation'), false);
  show($('#no-chat'));
  history.replaceState(null, '', location.pathname + location.search);
  showSignIn(message);
}

function applyMe(me) {
  state.outbound.applyMe(me);
  state.admin.applyMe(me);
  state.stats.applyMe(me);
  state.myQueues = me.queues || [];
  state.transferQueues = me.transferQueues || state.myQueues;
  for (const q of state.transferQueues) state.queues.set(q.id, q.name || q.id);
  for (const q of state.myQueues) state.queues.set(q.id, q.name || q.id);
  const a = me.agent;
  const who = a ? `${a.name || a.id}` : me.uid;
  $('#who').textContent = `${who} · ${me.role}`;
  if (a) {
    state.agentNames.set(a.id, a.name || a.id);
    show($('#status-wrap'));
    const sel = $('#agent-status');
    if (document.activeElement !== sel) sel.value = a.status;
    // Routing changes the status by itself (a missed offer makes an agent
    // away): say why next to it.
    $('#status-reason').textContent = a.statusReason ? `(${a.statusReason})` : '';
  } else {
    show($('#status-wrap'), false);
  }
}

async function loadAgentNames() {
  try {
    const agents = await state.api.get('/agents');
    for (const a of agents || []) state.agentNames.set(a.id, a.name || a.id);
    state.agents = agents || []; // the @mention suggestions (notes.js)
    // Lists and the header drawn before the names arrived show raw ids:
    // draw them again.
    state.namesVersion++;
    if (state.lastInbox) renderInbox(state.lastInbox);
    if (state.detail) renderDetail(state.detail);
    const list = $('#transfer-agents');
    list.replaceChildren(...(agents || [])
      .filter((a) => a.id !== state.me?.agentId)
      .map((a) => h('option', { value: a.id }, `${a.name} (${a.status})`)));
  } catch {
    // Agents may not list agents (supervisors only): the transfer dialog
    // then takes an agent id as typed.
  }
}

// ---- polling -------------------------------------------------------------

// Poller runs fn every ms while the tab is visible and every HIDDEN_POLL_MS
// while it is hidden, never two at a time; now() runs it at once (after an
// action). Failures back off to 15 s.
class Poller {
  constructor(fn, ms) {
    this.fn = fn;
    this.ms = ms;
    this.timer = 0;
    this.busy = false;
    this.again = false;
    this.on = false;
    this.failures = 0;
    this.onVisibility = () => {
      if (!this.on) return;
      if (!document.hidden) this.now();
    };
  }

  start() {
    this.on = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.now();
  }

  stop() {
    this.on = false;
    clearTimeout(this.timer);
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  now() {
    if (!this.on) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.tick();
  }

  async tick() {
    if (!this.on) return;
    this.busy = true;
    try {
      await this.fn();
      this.failures = 0;
      setPollState('');
    } catch (e) {
      this.failures++;
      setPollState(e.status === 0 ? 'Reconnecting…' : `Update failed: ${e.message}`);
    } finally {
      this.busy = false;
      if (this.on) {
        if (this.again) {
          this.again = false;
          this.tick();
        } else {
          let wait = Math.min(this.ms * 2 ** this.failures, 15000);
          if (document.hidden) wait = Math.max(wait, HIDDEN_POLL_MS);
          this.timer = setTimeout(() => this.tick(), wait);
        }
      }
    }
  }
}

function setPollState(text) {
  const el = $('#poll-state');
  if (el.textContent !== text) el.textContent = text;
}

async function pollOnce() {
  const me = state.me;
  // The recently ended list is read every ENDED_EVERY polls, or at once when
  // a chat left the active list: each listed chat is a Firestore read.
  const withEnded = state.endedList === undefined || state.endedStale || state.polls % ENDED_EVERY === 0;
  const inbox = (await state.api.get(withEnded ? '/inbox' : '/inbox?ended=false')) || {};
  if (state.me !== me) return; // signed out meanwhile
  const active = (inbox.active || []).length;
  if (withEnded) {
    state.endedList = inbox.ended || [];
    state.endedStale = false;
  } else {
    inbox.ended = state.endedList;
    state.endedStale = active < (state.activeCount ?? active);
  }
  state.activeCount = active;
  renderInbox(inbox);
  if (state.chatId && chatNeedsRefresh(inbox)) await loadChat(state.chatId);
  if (++state.polls % 15 === 0) {
    const fresh = await state.api.get('/me');
    if (state.me !== me) return;
    state.me = fresh;
    applyMe(fresh);
  }
}

function chatNeedsRefresh(inbox) {
  const d = state.detail;
  if (!d || d.chat.id !== state.chatId) return true;
  const listed = findInInbox(inbox, state.chatId);
  const wasListed = state.detailListed;
  state.detailListed = Boolean(listed);
  if (listed && listed.version !== d.chat.version) return true;
  // A transfer this person made, of a chat now in none of their lists: its
  // end shows only in the chat itself, so read it each poll until then.
  if (!listed && pendingTransfer(d.chat)?.fromAgent === state.me?.agentId) return true;
  // The chat left this person's lists (a colleague accepted the transfer,
  // a supervisor ended it): what changed is only in the chat itself.
  if (!listed && wasListed) return true;
  const now = Date.now();
  const awaiting = (d.messages || []).some((m) => m.author !== 'consumer'
    && tickState(m).state !== 'delivered' && tickState(m).state !== 'failed'
    && now - new Date(m.createdAt).getTime() < FRESH_OUTBOUND_MS);
  if (awaiting) return true;
  return now - state.detailFetchedAt >= SLOW_REFRESH_MS;
}

function findInInbox(inbox, id) {
  for (const k of ['offered', 'active', 'waiting', 'ended']) {
    const c = (inbox[k] || []).find((x) => x.id === id);
    if (c) return c;
  }
  return null;
}

// ---- inbox ---------------------------------------------------------------

const queueName = (id) => state.queues.get(id) || id || '';
const agentName = (id) => (id && state.agentNames.get(id)) || id || '';

function pendingTransfer(c) {
  const t = (c.transfers || []).at(-1);
  return t && t.state === 'pending' ? t : null;
}

function renderInbox(inbox) {
  state.lastInbox = inbox;
  for (const [id, name] of Object.entries(inbox.queues || {})) state.queues.set(id, name);
  const lists = {
    offered: inbox.offered || [],
    active: inbox.active || [],
    waiting: inbox.waiting || [],
    ended: inbox.ended || [],
  };
  for (const c of [...lists.active, ...lists.ended]) {
    // The unread count: the consumer's texts since the chat was last seen.
    if (state.firstInbox || c.id === state.chatId) state.seenInbound.set(c.id, c.inbound || 0);
    else if (!state.seenInbound.has(c.id)) state.seenInbound.set(c.id, 0);
    if (state.firstInbox || c.id === state.chatId) state.seenVersion.set(c.id, c.version);
    // A chat that reached the active list without being opened (answered
    // automatically, or accepted in another tab) is unread until opened.
    else if (!state.seenVersion.has(c.id)) state.seenVersion.set(c.id, 0);
  }
  const fresh = lists.offered.filter((c) => !state.seenOffers.has(c.id));
  if (!state.firstInbox && fresh.length) {
    announce(fresh.map((c) => `New chat offered from ${c.consumer}${c.queueId ? ` in ${queueName(c.queueId)}` : ''}.`).join(' '));
  }
  const unread = lists.active.filter(isUnread);
  const newlyUnread = unread.length > state.unreadCount;
  if (!state.firstInbox && newlyUnread) {
    const names = unread.filter((c) => !state.seenVersion.get(c.id)).map((c) => c.consumer);
    if (names.length) announce(`New chat from ${names.join(', ')}.`);
  }
  if (!state.firstInbox && (fresh.length || newlyUnread)) chime();
  notifyInbox(fresh, lists.active);
  state.unreadCount = unread.length;
  state.seenOffers = new Set(lists.offered.map((c) => c.id));
  state.offerPreview.keep(state.seenOffers);
  state.firstInbox = false;

  // The filter (inboxfilter.js) picks what is shown; the signals above
  // were decided on every chat.
  const shown = state.filter.apply(lists, inbox.open);
  const nv = `${state.namesVersion}`;
  const lv = (c) => (c.labels || []).join(',');
  reconcile($('#offered-list'), shown.offered, (c) => c.id,
    (c) => `${c.version}|${c.offer?.expiresAt}|${nv}|${lv(c)}`, renderOffer);
  reconcile($('#active-list'), shown.active, (c) => c.id,
    (c) => `${c.version}|${c.id === state.chatId}|${isUnread(c)}|${nv}|${lv(c)}`, (c) => renderChatLink(c, 'active'));
  reconcile($('#waiting-list'), shown.waiting, (c) => c.id,
    (c) => `${c.version}|${lv(c)}`, renderWaiting);
  reconcile($('#ended-list'), shown.ended, (c) => c.id,
    (c) => `${c.version}|${c.id === state.chatId}|${nv}|${lv(c)}`, (c) => renderChatLink(c, 'ended'));
  for (const k of Object.keys(lists)) {
    const items = shown[k];
    $(`#${k}-count`).textContent = items.length ? `(${items.length}${shown.filtering && items.length !== lists[k].length ? ` of ${lists[k].length}` : ''})` : '';
    show($(`#${k}-empty`), items.length === 0);
  }
  renderSupervisorView(shown.open);
  updateCountdowns();
  // Offers and unread chats both wait for the person: the title counts
  // them, so a background tab shows that something came in.
  state.waitingCount = lists.offered.length + unread.length;
  updateTitle();
}

// updateTitle counts what waits for the person: offers, unread chats and
// unread mentions.
function updateTitle() {
  const waiting = (state.waitingCount || 0) + (state.notes?.count() || 0);
  document.title = `${waiting ? `(${waiting}) ` : ''}smsdesk console`;
}

// notifyInbox shows desktop notifications (notify.js) for new offers and
// for consumer texts in active chats since the last poll; notify.js shows
// them only while the person is not looking at the tab.
function notifyInbox(fresh, active) {
  const first = state.firstInbox;
  for (const c of fresh) {
    if (!first) state.notify.notify({ title: 'New chat offered', body: `${c.consumer}${c.queueId ? ` · ${queueName(c.queueId)}` : ''}`, tag: c.id, chatId: c.id });
  }
  for (const c of active) {
    const before = state.notifiedInbound.get(c.id);
    state.notifiedInbound.set(c.id, c.inbound || 0);
    if (!first && (before === undefined || (c.inbound || 0) > before) && c.lastAuthor === 'consumer') {
      state.notify.notify({ title: `New text from ${c.consumer}`, body: c.lastBody || '', tag: c.id, chatId: c.id });
    }
  }
}

// chime plays a short two-tone sound for an offer or a chat that came in
// unopened. Browsers allow sound after the person interacted with the page
// (signing in is a click); where they refuse, the title and the live
// announcement remain. data-chimes counts the chimes played (tests).
let audio = null;
function chime() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    const t = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.15, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.5);
    gain.connect(audio.destination);
    for (const [freq, at] of [[880, 0], [1320, 0.15]]) {
      const osc = audio.createOscillator();
      osc.frequency.value = freq;
      osc.connect(gain);
      osc.start(t + at);
      osc.stop(t + at + 0.3);
    }
    const root = document.documentElement;
    root.dataset.chimes = String(Number(root.dataset.chimes || 0) + 1);
  } catch {
    // No Web Audio: the title and the announcement still tell.
  }
}

function isUnread(c) {
  return c.id !== state.chatId && state.seenVersion.has(c.id) && state.seenVersion.get(c.id) !== c.version;
}

function renderOffer(c) {
  const t = pendingTransfer(c);
  // What the consumer wrote, the queue path and their past chats, before
  // accepting (offerpreview.js fills it once per offer and version).
  const preview = h('div', { class: 'offer-preview', 'aria-live': 'off' });
  state.offerPreview.fill(preview, c);
  return h('li', { class: 'chat-item offered', dataset: { shownAt: String(Date.now()) } },
    h('p', { class: 'chat-line' },
      h('span', { class: 'consumer' }, c.consumer),
      h('span', { class: 'queue' }, queueName(c.queueId))),
    t ? h('p', { class: 'note' }, `Transfer from ${agentName(t.fromAgent) || 'a colleague'}${t.note ? `: “${t.note}”` : ''}`) : null,
    preview,
    h('p', { class: 'meta' }, 'Answer within ',
      h('span', { class: 'countdown', 'data-expires': c.offer?.expiresAt || '' }, '')),
    h('div', { class: 'item-actions' },
      h('button', { type: 'button', 'data-focus-id': 'accept', 'data-action': 'accept', 'aria-label': `Accept chat from ${c.consumer}`, onclick: () => accept(c.id) }, 'Accept'),
      h('button', { type: 'button', class: 'secondary', 'data-focus-id': 'decline', 'aria-label': `Decline chat from ${c.consumer}`, onclick: () => decline(c.id) }, 'Decline')));
}

function renderChatLink(c, kind) {
  const current = c.id === state.chatId;
  const t = pendingTransfer(c);
  const unread = isUnread(c);
  const detail = kind === 'ended'
    ? [c.endReason || 'Ended', ' · ', timeEl(c.endedAt || c.updatedAt)]
    : [queueName(c.queueId), t ? ` · transfer to ${agentName(t.toAgent) || queueName(t.toQueue)} pending` : '', ' · ', timeEl(c.updatedAt)];
  return h('li', { class: `chat-item${current ? ' current' : ''}` },
    h('a', { href: `#chat/${encodeURIComponent(c.id)}`, 'aria-current': current ? 'page' : null, 'data-focus-id': 'open' },
      h('span', { class: 'consumer' }, c.consumer),
      unread ? h('span', { class: 'unread' }, h('span', { class: 'visually-hidden' }, ' (new activity)')) : null,
      unread && newTexts(c) > 0 ? h('span', { class: 'unread-count', 'aria-label': `${newTexts(c)} new`, title: `${newTexts(c)} new from the consumer` }, String(newTexts(c))) : null),
    h('p', { class: 'meta' }, detail),
    renderPreview(c),
    renderLabelChips(c));
}

function newTexts(c) {
  return Math.max(0, (c.inbound || 0) - (state.seenInbound.get(c.id) ?? (c.inbound || 0)));
}

// renderPreview is the chat's latest consumer or agent text.
function renderPreview(c) {
  if (!c.lastBody) return null;
  const who = c.lastAuthor === 'agent' ? (c.agentId === state.me?.agentId ? 'You: ' : `${agentName(c.agentId)}: `) : '';
  return h('p', { class: 'chat-preview' }, who, c.lastBody);
}

function renderLabelChips(c) {
  const labels = c.labels || [];
  return labels.length ? h('p', { class: 'chat-labels' }, h('span', { class: 'visually-hidden' }, 'Labels: '),
    labels.map((l) => h('span', { class: 'label-chip small' }, l))) : null;
}

// renderSupervisorView lists every open chat for supervisors (the inbox's
// open lists); agents have none.
function renderSupervisorView(open) {
  const section = $('#open-section');
  show(section, Boolean(open));
  if (!open) return;
  const all = [...(open.active || []), ...(open.queued || []), ...(open.menu || [])];
  reconcile($('#open-list'), all, (c) => c.id, (c) => `${c.version}|${c.id === state.chatId}|${state.namesVersion}`, (c) => {
    const current = c.id === state.chatId;
    const where = c.status === 'active' ? `with ${agentName(c.agentId)}`
      : c.status === 'queued' ? (c.offer ? `offered to ${agentName(c.offer.agentId)}` : 'waiting') : 'in the menu';
    return h('li', { class: `chat-item${current ? ' current' : ''}` },
      h('a', { href: `#chat/${encodeURIComponent(c.id)}`, 'aria-current': current ? 'page' : null, 'data-focus-id': 'open' },
        h('span', { class: 'consumer' }, c.consumer)),
      h('p', { class: 'meta' }, [queueName(c.queueId), where].filter(Boolean).join(' · '), ' · ', timeEl(c.updatedAt)));
  });
  $('#open-count').textContent = all.length ? `(${all.length})` : '';
  show($('#open-empty'), all.length === 0);
}

function renderWaiting(c) {
  // An agent takes a chat of their own queues (a supervisor sees every
  // queue's); routing still decides whether they may (available, room,
  // language) and the API says why not.
  const mine = Boolean(state.me?.agentId) && state.myQueues.some((q) => q.id === c.queueId);
  return h('li', { class: 'chat-item waiting' },
    h('p', { class: 'chat-line' },
      h('span', { class: 'consumer' }, c.consumer),
      h('span', { class: 'queue' }, queueName(c.queueId))),
    h('p', { class: 'meta' }, 'Waiting ', h('span', { class: 'since', 'data-since': c.queuedAt || c.createdAt }, ago(c.queuedAt || c.createdAt))),
    mine ? h('div', { class: 'item-actions' },
      h('button', { type: 'button', 'data-focus-id': 'take', 'data-action': 'take', 'aria-label': `Take chat from ${c.consumer}`, onclick: () => take(c.id) }, 'Take'))
      : null);
}

async function take(id) {
  try {
    await state.api.post(`/chats/${encodeURIComponent(id)}/take`);
    location.hash = `#chat/${encodeURIComponent(id)}`;
  } catch (e) {
    banner(`Could not take the chat: ${e.message}`);
  }
  state.poller.now();
}

function updateCountdowns() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.countdown[data-expires]')) {
    const left = Math.max(0, Math.round((new Date(el.dataset.expires).getTime() - now) / 1000));
    el.textContent = el.dataset.expires ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` : '—';
  }
  for (const el of document.querySelectorAll('.since[data-since]')) el.textContent = ago(el.dataset.since, now);
}

async function accept(id) {
  try {
    await state.api.post(`/chats/${encodeURIComponent(id)}/accept`);
    location.hash = `#chat/${encodeURIComponent(id)}`;
  } catch (e) {
    banner(`Could not accept the chat: ${e.message}`);
  }
  state.poller.now();
}

async function decline(id) {
  try {
    await state.api.post(`/chats/${encodeURIComponent(id)}/decline`);
    announce('Offer declined.');
  } catch (e) {
    banner(`Could not decline the chat: ${e.message}`);
  }
  state.poller.now();
}

// ---- conversation ----------------------------------------------------------

function route() {
  const m = /^#chat\/(.+)$/.exec(location.hash);
  const id = m ? decodeURIComponent(m[1]) : null;
  if (id) openChat(id, true);
  else closeChat();
}

function closeChat() {
  saveDraft();
  state.chatId = null;
  state.detail = null;
  show($('#conversation'), false);
  show($('#no-chat'));
}

// Drafts are kept in localStorage per person and chat, so a reload or a
// crashed tab does not lose a half-written answer; sending clears it.
function draftKey(id) {
  return `smsdesk.draft.${state.me?.uid || ''}.${id}`;
}

function saveDraft() {
  if (!state.chatId || !state.me) return;
  const text = $('#reply').value;
  try {
    if (text) localStorage.setItem(draftKey(state.chatId), text);
    else localStorage.removeItem(draftKey(state.chatId));
  } catch {
    // Storage full or refused: the draft lives as long as the tab.
  }
}

function loadDraft(id) {
  try {
    return localStorage.getItem(draftKey(id)) || '';
  } catch {
    return '';
  }
}

async function openChat(id, focus) {
  if (state.chatId !== id) {
    saveDraft();
    state.chatId = id;
    state.detail = null;
    state.canned = [];
    state.cannedUsed = null;
    state.pendingSend = null;
    clearAttachments();
    // A fresh log element: the transcript loaded on opening is not read out
    // as new messages; only messages appended later are.
    const log = h('ol', { id: 'transcript', class: 'transcript', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Transcript' });
    $('#transcript').replaceWith(log);
    $('#reply').value = loadDraft(id);
    $('#composer-error').textContent = '';
    $('#conv-title').textContent = 'Loading…';
    $('#conv-meta').textContent = '';
    $('#history-list').replaceChildren();
    show($('#no-chat'), false);
    show($('#conversation'));
    updateCounter();
    state.poller?.now(); // mark the chat current in the inbox at once
  }
  await loadChat(id);
  if (state.chatId !== id || !state.detail) return;
  if (focus) {
    $('#conv-title').setAttribute('tabindex', '-1');
    $('#conv-title').focus();
  }
  loadCanned(id);
  loadHistory(state.detail.chat.consumer);
  state.contact.open(id);
}

// loadChat reads a chat and renders it. One read runs at a time; a second
// call for the same chat shares it, one for another chat waits for it.
async function loadChat(id) {
  if (state.loadingChat && state.loadingChat.id === id) return state.loadingChat.done;
  if (state.loadingChat) await state.loadingChat.done.catch(() => {});
  const done = (async () => {
    try {
      // A chat already shown is read from its first message whose ticks may
      // still change (the rest cannot): each message is a Firestore read,
      // and a full transcript every 5 s was most of a busy agent's reads.
      const prev = state.detail && state.detail.chat.id === id ? state.detail : null;
      const after = prev ? settledUpTo(prev.messages || []) : 0;
      const d = await state.api.get(`/chats/${encodeURIComponent(id)}${after > 0 ? `?after=${after}` : ''}`);
      if (after > 0 && state.detail === prev) {
        d.messages = [...(prev.messages || []).filter((m) => m.seq <= after), ...(d.messages || [])];
      }
      if (state.chatId !== id) return;
      state.detailFetchedAt = Date.now();
      renderDetail(d);
    } catch (e) {
      if (state.chatId !== id) return;
      state.detailFetchedAt = Date.now();
      if (e.status === 403 || e.status === 404) {
        state.detail = null;
        $('#conv-title').textContent = 'Chat not available';
        $('#conv-meta').textContent = e.status === 403
          ? 'This chat is no longer yours (it was transferred, or taken by someone else).'
          : 'There is no such chat.';
        setComposerEnabled(false, '');
      } else {
        throw e;
      }
    } finally {
      if (state.loadingChat?.done === done) state.loadingChat = null;
    }
  })();
  state.loadingChat = { id, done };
  return done;
}

function renderDetail(d) {
  state.detail = d;
  const c = d.chat;
  state.seenVersion.set(c.id, c.version);
  state.seenInbound.set(c.id, c.inbound || 0);
  $('#conv-title').textContent = `Chat with ${c.consumer}`;
  const status = {
    menu: 'choosing from the menu',
    queued: c.offer ? `offered to ${agentName(c.offer.agentId)}` : 'waiting in the queue',
    active: c.agentId === state.me?.agentId ? 'with you' : `with ${agentName(c.agentId)}`,
    ended: `ended${c.endReason ? ` (${c.endReason})` : ''}`,
  }[c.status] || c.status;
  $('#conv-meta').textContent = [queueName(c.queueId), c.language && c.language.toUpperCase(), status, `to ${c.number}`]
    .filter(Boolean).join(' · ');
  if (c.previousChatId) {
    // The thread goes on from an earlier chat (reopened within the number's
    // conversation window, or a returning consumer): its history is a click away.
    $('#conv-meta').append(' · ', h('a', {
      href: '#', class: 'previous-chat',
      onclick: (ev) => { ev.preventDefault(); openChat(c.previousChatId); },
    }, c.returningMatch ? 'returning consumer: earlier chat' : 'continues an earlier chat'));
  }
  renderConsent(d.consent);
  renderTransferState(c);
  renderTranscript(d.messages || []);
  state.notes.render(d);
  state.labels.render(d);
  state.incall?.render(d);
  const wrap = $('#wrap-up-shown');
  wrap.textContent = wrapUpText(c);
  // The server says what this person may do: a supervisor transfers and
  // ends any active chat, an agent only their own.
  const actions = d.actions || [];
  $('#transfer-open').disabled = !actions.includes('transfer') || Boolean(pendingTransfer(c));
  $('#end-open').disabled = !actions.includes('end');
  setComposerEnabled(d.canReply, d.replyBlocked || (c.status === 'ended' ? 'The chat has ended.' : 'You cannot reply to this chat.'));
}

const consentSources = {
  'consumer-first-message': 'texted the business first',
  keyword: 'replied with a keyword',
  carrier: 'reported by the carrier',
  business: 'the business texted first',
};

function renderConsent(consent) {
  const el = $('#consent');
  const c = consent || {};
  const how = c.keyword ? `replied ${c.keyword}` : (consentSources[c.source] || c.source || '');
  let text;
  let cls;
  if (c.state === 'opted-in') {
    text = `Opted in since ${when(c.updatedAt)}${how ? ` (${how})` : ''}`;
    cls = 'badge badge-ok';
  } else if (c.state === 'opted-out') {
    text = `Opted out ${when(c.updatedAt)}${how ? ` (${how})` : ''}`;
    cls = 'badge badge-bad';
  } else {
    text = 'No consent recorded yet';
    cls = 'badge badge-neutral';
  }
  el.className = cls;
  el.replaceChildren(h('span', { class: 'visually-hidden' }, 'Consent: '), text);
}

function renderTransferState(c) {
  const el = $('#transfer-state');
  const t = (c.transfers || []).at(-1);
  let text = '';
  if (t && t.state === 'pending' && !t.toAgent) {
    text = `Transfer to ${queueName(t.toQueue)} pending: waiting for an agent of the queue…`;
  } else if (t && t.state === 'pending') {
    text = `Transfer to ${agentName(t.toAgent)} pending…`;
  } else if (t && t.state === 'failed' && Date.now() - new Date(t.endedAt || t.startedAt).getTime() < 10 * 60 * 1000) {
    text = `Transfer to ${t.toAgent ? agentName(t.toAgent) : queueName(t.toQueue)} failed${t.reason ? `: ${t.reason}` : ''}.`;
  } else if (t && t.state === 'ended' && t.toAgent && t.toAgent === state.me?.agentId) {
    // The note is for whoever takes the chat over: keep it in sight.
    text = `Transferred to you by ${agentName(t.fromAgent) || 'a colleague'}${t.note ? `: “${t.note}”` : '.'}`;
  } else if (t && t.state === 'ended' && t.fromAgent && t.fromAgent === state.me?.agentId && c.agentId !== state.me?.agentId) {
    text = `Transferred to ${agentName(t.toAgent)}${t.toQueue ? ` (${queueName(t.toQueue)})` : ''}.`;
  }
  if (el.textContent !== text) el.textContent = text;
}

function renderTranscript(messages) {
  const log = $('#transcript');
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const have = new Map();
  for (const li of log.children) have.set(li.dataset.seq, li);
  let added = false;
  for (const m of messages) {
    const li = have.get(String(m.seq));
    if (li) {
      // Only the delivery line of a written message changes; it sits in an
      // aria-live="off" element, so the update is not read out again.
      const sig = tickSignature(m);
      if (li.dataset.tick !== sig) {
        li.querySelector('.msg-status')?.replaceChildren(...statusParts(m));
        li.dataset.tick = sig;
      }
      continue;
    }
    log.append(renderMessage(m));
    added = true;
  }
  if (added && nearBottom) log.scrollTop = log.scrollHeight;
}

function authorLabel(m) {
  if (m.author === 'consumer') return 'Consumer';
  if (m.author === 'agent') {
    return m.agentId && m.agentId === state.me?.agentId ? 'You' : (agentName(m.agentId) || 'Agent');
  }
  return 'System';
}

const kindLabels = {
  'opt-in': 'opt-in message',
  'opt-out-confirmation': 'opt-out confirmation',
  'resubscribe-confirmation': 'resubscribe confirmation',
  help: 'help',
  command: 'command',
  menu: 'menu',
  'invalid-choice': 'invalid choice',
  waiting: 'waiting',
  'agent-assigned': 'agent assigned',
  'queue-timeout': 'queue timeout',
  'dismissed-chat': 'dismissed',
  'chat-ended': 'chat ended',
};

function renderMessage(m) {
  const outbound = m.author !== 'consumer';
  let kind = m.author === 'system' && kindLabels[m.kind] ? ` · ${kindLabels[m.kind]}` : '';
  if (m.kind === 'outbound') kind = ' · outbound SMS';
  return h('li', {
    class: `msg msg-${m.author}`,
    dataset: { seq: String(m.seq), shownAt: String(Date.now()), tick: tickSignature(m) },
  },
  h('p', { class: 'msg-meta' },
    h('span', { class: 'msg-author' }, authorLabel(m) + kind), ' ', timeEl(m.createdAt)),
  m.body ? h('p', { class: 'msg-body' }, m.body) : null,
  renderMedia(m),
  outbound ? h('p', { class: 'msg-status', 'aria-live': 'off' }, statusParts(m)) : null);
}

function renderMedia(m) {
  const items = (m.media || []).slice(0, MAX_MEDIA_SHOWN);
  if (!items.length) return null;
  const n = items.length;
  return h('ul', { class: 'msg-media', 'aria-label': `${n} attachment${n === 1 ? '' : 's'}` },
    items.map((x, i) => {
      const type = x.contentType || '';
      let el;
      if (type.startsWith('image/')) {
        el = h('a', { href: x.url, target: '_blank', rel: 'noopener noreferrer' },
          h('img', { src: x.url, alt: `Image ${i + 1} of ${n}${m.author === 'consumer' ? ' from the consumer' : ''}`, loading: 'lazy', decoding: 'async' }));
      } else if (type.startsWith('video/')) {
        el = h('video', { src: x.url, controls: true, preload: 'metadata', 'aria-label': `Video ${i + 1} of ${n}` });
      } else {
        el = h('a', { href: x.url, target: '_blank', rel: 'noopener noreferrer' }, `Attachment ${i + 1} (${type || 'file'})`);
      }
      return h('li', null, el);
    }));
}

// tickState maps our send state and the carrier's delivery report onto the
// four ticks agents see.
function tickState(m) {
  const s = m.send || {};
  const d = m.delivery || {};
  if (['failed', 'undelivered', 'canceled'].includes(d.status) || s.state === 'failed' || s.state === 'suppressed') {
    const code = d.errorCode || s.errorCode || '';
    const reason = [code && `error ${code}`, d.errorMessage || s.error].filter(Boolean).join(': ');
    return { state: 'failed', label: s.state === 'suppressed' ? 'Not sent' : 'Failed', code, reason };
  }
  if (d.status === 'delivered' || d.status === 'read') return { state: 'delivered', label: d.status === 'read' ? 'Read' : 'Delivered' };
  if (d.status === 'sent' || s.state === 'sent') return { state: 'sent', label: 'Sent' };
  // Quiet hours hold a proactive text for hours; a paced slot only for
  // seconds, which "Queued" says well enough.
  if (s.notBefore && new Date(s.notBefore).getTime() - Date.now() > HELD_MS) {
    return { state: 'queued', label: `Held until ${when(s.notBefore)}` };
  }
  return { state: 'queued', label: 'Queued' };
}

// settledUpTo is the highest sequence number up to which no message can
// change any more: below the first outbound text whose delivery is not
// final, else the last message.
function settledUpTo(messages) {
  let upTo = 0;
  for (const m of messages) {
    const final = m.author === 'consumer' || ['delivered', 'failed'].includes(tickState(m).state);
    if (!final) return Math.min(upTo, m.seq - 1);
    upTo = Math.max(upTo, m.seq);
  }
  return upTo;
}

function tickSignature(m) {
  const t = tickState(m);
  return `${t.state}|${t.label}|${t.reason || ''}`;
}

const tickIcons = { queued: '◷', sent: '✓', delivered: '✓✓', failed: '✕' };

function statusParts(m) {
  const t = tickState(m);
  const parts = [
    h('span', { class: `tick tick-${t.state}`, title: t.reason ? `${t.label}: ${t.reason}` : t.label, 'data-state': t.state },
      h('span', { 'aria-hidden': 'true', class: 'tick-icon' }, tickIcons[t.state]), ' ',
      h('span', { class: 'tick-label' }, t.label + (t.code ? ` (${t.code})` : '')),
      t.reason ? h('span', { class: 'visually-hidden' }, `: ${t.reason}`) : null),
  ];
  const media = (m.media || []).length;
  if (media) {
    // An MMS is billed as one message, not in segments.
    parts.push(h('span', { class: 'msg-size' }, ` · MMS · ${media} attachment${media === 1 ? '' : 's'}`));
  } else if (m.encoding && m.segments) {
    parts.push(h('span', { class: 'msg-size' }, ` · ${m.encoding} · ${m.segments} segment${m.segments === 1 ? '' : 's'}`));
  }
  return parts;
}

async function loadHistory(consumer) {
  const id = state.chatId;
  try {
    const chats = await state.api.get(`/consumers/${encodeURIComponent(consumer)}/chats`);
    if (state.chatId !== id) return;
    const list = $('#history-list');
    const items = (chats || []).slice().sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    list.replaceChildren(...items.map((c) => h('li', null,
      c.id === id
        ? h('span', { 'aria-current': 'page' }, `This chat, ${when(c.createdAt)}`)
        : h('a', { href: `#chat/${encodeURIComponent(c.id)}` }, `Chat of ${when(c.createdAt)}`),
      ` · ${queueName(c.queueId)} · ${c.status === 'ended' ? (c.endReason || 'ended') : c.status}`,
      c.agentId ? ` · ${agentName(c.agentId)}` : '')));
    if (!items.length) list.replaceChildren(h('li', null, 'No other chats.'));
  } catch (e) {
    $('#history-list').replaceChildren(h('li', null, `History unavailable: ${e.message}`));
  }
}

// ---- composer ------------------------------------------------------------

function setComposerEnabled(on, reason) {
  const blocked = $('#reply-blocked');
  for (const el of $('#composer').querySelectorAll('textarea, select, button, input')) el.disabled = !on;
  $('.file-label').classList.toggle('disabled', !on);
  show(blocked, !on && Boolean(reason));
  blocked.textContent = on ? '' : reason;
  if (on) updateCounter();
}

let lastAnnounced = '';
function updateCounter() {
  const { over, summary } = renderCounter($('#counter'), $('#reply').value);
  if (!$('#reply').disabled) $('#send').disabled = over;
  // Tell screen reader users when the cost changes, not at every key.
  if (summary !== lastAnnounced) {
    if (lastAnnounced && summary) announce(summary);
    lastAnnounced = summary;
  }
}

function insertCanned() {
  const id = $('#canned').value;
  const c = state.canned.find((x) => x.id === id);
  if (!c) return;
  const reply = $('#reply');
  const { selectionStart: s, selectionEnd: e, value } = reply;
  reply.value = value.slice(0, s) + c.body + value.slice(e);
  state.cannedUsed = { id: c.id, body: c.body };
  reply.focus();
  reply.setSelectionRange(s + c.body.length, s + c.body.length);
  updateCounter();
}

async function loadCanned(id) {
  try {
    const list = await state.api.get(`/chats/${encodeURIComponent(id)}/canned`);
    if (state.chatId !== id) return;
    state.canned = list || [];
  } catch {
    state.canned = [];
  }
  $('#canned').replaceChildren(
    h('option', { value: '' }, state.canned.length ? 'Choose…' : 'None for this chat'),
    ...state.canned.map((c) => h('option', { value: c.id }, c.language ? `${c.title} (${c.language})` : c.title)));
}

async function attach(file) {
  const err = $('#composer-error');
  err.textContent = '';
  if (!file) return;
  if (!file.type.startsWith('image/')) {
    err.textContent = `${file.name} is not an image; attach a JPEG, PNG or GIF.`;
    return;
  }
  if (file.size > MAX_IMAGE_BYTES) {
    // Exact bytes: rounded megabytes read "5.0 MB; at most 5 MB" for a
    // file a few hundred bytes over.
    err.textContent = `${file.name} is ${bytes(file.size)}, ${bytes(file.size - MAX_IMAGE_BYTES)} over the limit of ${bytes(MAX_IMAGE_BYTES)} (5 MB) for an image.`;
    return;
  }
  if (state.attachments.length >= MAX_ATTACHMENTS) {
    err.textContent = `A message can carry at most ${MAX_ATTACHMENTS} images.`;
    return;
  }
  const id = state.chatId;
  const form = new FormData();
  form.append('file', file, file.name);
  const label = $('.file-label');
  label.classList.add('busy');
  try {
    const res = await state.api.post(`/chats/${encodeURIComponent(id)}/media`, form);
    if (state.chatId !== id) return;
    // name is the stored object the reply refers to; the person knows the
    // file by its own name.
    state.attachments.push({ ...res.media, fileName: file.name, preview: URL.createObjectURL(file) });
    renderAttachments();
    announce(`${file.name} attached.`);
  } catch (e) {
    err.textContent = `Could not attach ${file.name}: ${e.message}`;
  } finally {
    label.classList.remove('busy');
  }
}

function renderAttachments() {
  $('#attachments').replaceChildren(...state.attachments.map((a, i) => h('li', { class: 'attachment' },
    h('img', { src: a.preview, alt: '' }),
    h('span', null, a.fileName || a.name),
    h('button', {
      type: 'button', class: 'secondary small', 'aria-label': `Remove ${a.fileName || a.name}`,
      onclick: () => {
        URL.revokeObjectURL(a.preview);
        state.attachments.splice(i, 1);
        renderAttachments();
        $('#attach').focus();
      },
    }, 'Remove'))));
}

const bytes = (n) => `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;

function clearAttachments() {
  for (const a of state.attachments) URL.revokeObjectURL(a.preview);
  state.attachments = [];
  renderAttachments();
}

async function send() {
  const id = state.chatId;
  const reply = $('#reply');
  const body = reply.value;
  const err = $('#composer-error');
  err.textContent = '';
  if (!body.trim() && !state.attachments.length) {
    err.textContent = 'Write a message or attach an image first.';
    reply.focus();
    return;
  }
  if (measure(body).characters > MAX_CHARACTERS) {
    err.textContent = `The message is over ${MAX_CHARACTERS.toLocaleString()} characters.`;
    return;
  }
  const media = state.attachments.map(({ name, contentType }) => ({ name, contentType }));
  // The same text and images sent again after a failure reuse the request
  // id, so a send that did reach the server is not texted twice.
  const key = JSON.stringify([id, body, media]);
  if (!state.pendingSend || state.pendingSend.key !== key) state.pendingSend = { key, requestId: uuid() };
  // An unedited canned reply is sent by id: the server renders it for the
  // chat (placeholders) and records which one was used.
  const payload = state.cannedUsed && state.cannedUsed.body === body
    ? { cannedId: state.cannedUsed.id, requestId: state.pendingSend.requestId }
    : { body, requestId: state.pendingSend.requestId };
  if (media.length) payload.media = media;
  const button = $('#send');
  button.disabled = true;
  try {
    await state.api.post(`/chats/${encodeURIComponent(id)}/messages`, payload);
    if (state.chatId === id) {
      reply.value = '';
      saveDraft();
      state.pendingSend = null;
      state.cannedUsed = null;
      clearAttachments();
      updateCounter();
    }
    await loadChat(id);
  } catch (e) {
    err.textContent = `Not sent: ${e.message}${e.problems?.length ? ` (${e.problems.map((p) => `${p.field}: ${p.message}`).join('; ')})` : ''}`;
  } finally {
    button.disabled = $('#reply').disabled;
    updateCounter();
  }
}

// ---- dialogs ---------------------------------------------------------------

function openDialog(dialog, opener) {
  dialog.returnFocusTo = opener;
  dialog.querySelector('.error').textContent = '';
  dialog.showModal();
}

function closeDialog(dialog) {
  dialog.close();
  dialog.returnFocusTo?.focus();
}

function openTransfer() {
  loadAgentNames(); // fresh statuses in the agent suggestions
  const sel = $('#transfer-queue');
  // Any queue a chat can wait in, not only the person's own: the API
  // accepts a transfer to every queue that is not a menu.
  sel.replaceChildren(...state.transferQueues.map((q) => h('option', { value: q.id }, q.name || q.id)));
  $('#transfer-agent').value = '';
  $('#transfer-note').value = '';
  syncTransferTarget();
  openDialog($('#transfer-dialog'), $('#transfer-open'));
  state.picker.open(); // the searchable directory; it takes the focus
}

function syncTransferTarget() {
  const toQueue = $('#transfer-form').elements.target.value === 'queue';
  // A warning holds for the target it was given about only.
  $('#transfer-error').textContent = '';
  show($('#transfer-force'), false);
  show($('#transfer-agent-field'), !toQueue);
  show($('#transfer-queue-field'), toQueue);
}

// submitTransfer sends the dialog's transfer. A queue no agent could take
// the chat in now answers 409 naming why: the dialog shows it and offers
// "Transfer anyway", which sends it again with force.
async function submitTransfer(force = false) {
  const form = $('#transfer-form');
  const toQueue = form.elements.target.value === 'queue';
  const body = { note: $('#transfer-note').value.trim() };
  if (toQueue) body.toQueue = $('#transfer-queue').value;
  else body.toAgent = $('#transfer-agent').value.trim();
  if (force) body.force = true;
  const err = $('#transfer-error');
  if (!body.toQueue && !body.toAgent) {
    err.textContent = toQueue ? 'Pick a queue.' : 'Type the id of the agent to transfer to.';
    (toQueue ? $('#transfer-queue') : $('#transfer-agent')).focus();
    return;
  }
  const button = $('#transfer-submit');
  const anyway = $('#transfer-force');
  button.disabled = anyway.disabled = true;
  show(anyway, false);
  try {
    await state.api.post(`/chats/${encodeURIComponent(state.chatId)}/transfer`, body);
    closeDialog($('#transfer-dialog'));
    announce(`Transfer to ${body.toAgent || queueName(body.toQueue)} started.`);
    await loadChat(state.chatId);
    state.poller.now();
  } catch (e) {
    err.textContent = e.message;
    if (e.status === 409 && toQueue && !force && /^transfer not started: /.test(e.message)) {
      const why = e.message.replace(/^transfer not started: /, '').replace(/ \(send "force": true to transfer anyway\)$/, '');
      err.textContent = `${why.charAt(0).toUpperCase()}${why.slice(1)}.`;
      show(anyway);
      anyway.focus();
    }
  } finally {
    button.disabled = anyway.disabled = false;
  }
}

async function submitEnd() {
  const missing = state.wrapUp.check();
  if (missing) {
    $('#end-error').textContent = missing;
    $('#wrap-up-code').focus();
    return;
  }
  const button = $('#end-submit');
  button.disabled = true;
  try {
    const body = { wrapUp: $('#wrap-up').value.trim() };
    if (state.wrapUp.value()) body.wrapUpCode = state.wrapUp.value();
    await state.api.post(`/chats/${encodeURIComponent(state.chatId)}/end`, body);
    closeDialog($('#end-dialog'));
    $('#wrap-up').value = '';
    state.endedStale = true; // list it under Recently ended at the next poll
    announce('Chat ended.');
    await loadChat(state.chatId);
    if (state.detail) loadHistory(state.detail.chat.consumer);
    state.poller.now();
  } catch (e) {
    $('#end-error').textContent = e.message;
  } finally {
    button.disabled = false;
  }
}

// ---- wiring ----------------------------------------------------------------

function wireStaticControls() {
  state.stats = setupStats({ api: () => state.api, announce });
  state.admin = setupAdmin({
    cfg: state.cfg,
    token: () => state.auth.token(),
    unauthorized: (msg) => signOut(`Signed out: ${msg}`),
    announce,
  });
  state.outbound = setupOutbound({
    api: () => state.api,
    openChat: (id) => { location.hash = `#chat/${encodeURIComponent(id)}`; },
    openDialog,
    closeDialog,
    announce,
  });
  state.notes = setupNotes({
    api: () => state.api,
    me: () => state.me || {},
    agents: () => (state.agents || []).map((a) => ({ id: a.id, name: a.name, status: a.status })),
    alert: (text, ring, chatId) => {
      announce(text);
      if (ring) {
        chime();
        state.notify.notify({ title: 'You were mentioned', body: text, tag: `mention-${chatId || ''}`, chatId });
      }
    },
    changed: () => state.lastInbox && updateTitle(),
  });
  state.labels = setupLabels({
    api: () => state.api,
    alert: announce,
    changed: () => state.poller?.now(),
  });
  state.filter = setupInboxFilter({
    changed: () => state.lastInbox && renderInbox(state.lastInbox),
    queueName,
    api: () => state.api,
    describe: (c) => ({ menu: 'in the menu', queued: 'waiting', active: `with ${agentName(c.agentId)}`, ended: 'ended' }[c.status] || c.status),
  });
  state.wrapUp = setupWrapUp();
  state.offerPreview = setupOfferPreview({ api: () => state.api });
  state.notify = setupNotify({ announce });
  state.contact = setupContact({ api: () => state.api, queueName, agentName, announce });
  state.incall = setupInCall({ api: () => state.api, announce, sent: () => state.chatId && loadChat(state.chatId) });
  state.keys = setupKeys({ announce }); // keyboard shortcuts (keys.js)
  state.picker = setupPicker({ api: () => state.api, me: () => state.me }); // transfer targets (picker.js)
  state.smartEncoding = setupSmartEncoding({ api: () => state.api, queueOf: () => state.detail?.chat?.queueId, announce }); // GSM-7 look-alikes (smartenc.js)
  $('#dev-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signInFrom(e.target);
  });
  $('#firebase-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signInFrom(e.target);
  });
  $('#dev-role').addEventListener('change', (e) => {
    const agent = e.target.value === 'agent';
    const field = $('#dev-agent');
    field.required = agent;
    // The pre-filled "ana" would bind a supervisor's session to Ana's
    // profile; a supervisor who also takes chats types their own id.
    if (!agent) field.value = '';
  });
  $('#sign-out').addEventListener('click', () => signOut());
  $('#agent-status').addEventListener('change', async (e) => {
    const sel = e.target;
    const previous = state.me?.agent?.status;
    try {
      const agent = await state.api.put('/me/status', { status: sel.value });
      // The answer is the agent as stored: the status reason ("missed
      // offer") is cleared now, not at the next profile refresh.
      if (state.me?.agent) {
        state.me.agent = agent || { ...state.me.agent, status: sel.value, statusReason: '' };
        applyMe(state.me);
      }
      announce(`Status: ${sel.options[sel.selectedIndex].text}.`);
      state.poller.now();
    } catch (err) {
      if (previous) sel.value = previous;
      banner(`Could not change the status: ${err.message}`);
    }
  });
  window.addEventListener('hashchange', () => state.me && route());

  const reply = $('#reply');
  reply.addEventListener('input', () => {
    updateCounter();
    saveDraft();
  });
  reply.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      $('#composer').requestSubmit();
    }
  });
  $('#composer').addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  $('#insert-canned').addEventListener('click', insertCanned);
  $('#attach').addEventListener('change', (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    attach(file);
  });

  $('#transfer-open').addEventListener('click', openTransfer);
  $('#end-open').addEventListener('click', () => {
    state.wrapUp.prepare(state.detail);
    openDialog($('#end-dialog'), $('#end-open'));
    $('#wrap-up').focus();
  });
  for (const r of $('#transfer-form').elements.target) r.addEventListener('change', syncTransferTarget);
  $('#transfer-queue').addEventListener('change', syncTransferTarget);
  $('#transfer-force').addEventListener('click', () => submitTransfer(true));
  $('#transfer-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submitTransfer();
  });
  $('#end-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submitEnd();
  });
  for (const d of document.querySelectorAll('dialog')) {
    d.addEventListener('cancel', (e) => {
      e.preventDefault();
      closeDialog(d);
    });
    for (const b of d.querySelectorAll('[data-close]')) b.addEventListener('click', () => closeDialog(d));
  }
}

// ---- messages to the person ------------------------------------------------

let announceTimer = 0;
function announce(text) {
  const el = $('#announcer');
  el.textContent = '';
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => { el.textContent = text; }, 50);
}

let bannerTimer = 0;
function banner(text) {
  const el = $('#banner');
  el.textContent = text;
  show(el);
  clearTimeout(bannerTimer);
  bannerTimer = setTimeout(() => show(el, false), 8000);
}

// Errors the code did not expect still reach the person.
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason instanceof APIError || e.reason instanceof Error) banner(e.reason.message);
});

main();
