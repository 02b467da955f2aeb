// Private notes on a chat and the mentions they leave. A note is for the
// team only: it is stored apart from the transcript (POST
// /AgentAPI/chats/{id}/notes) and never sent to the consumer. Typing @
// offers the directory's agents; each one named gets a mention, which
// their console lists at the top of the inbox (GET /AgentAPI/mentions,
// every MENTIONS_POLL_MS: one Firestore query, a read per unread mention)
// with a link that opens the chat read-only when it is not theirs.
import { $, h, show, timeEl } from './dom.js';
import { uuid } from './api.js';

const MENTIONS_POLL_MS = 10000;
const MAX_SUGGESTIONS = 6;

// setupNotes builds the notes pane and the mentions list. agents() is the
// directory as [{id, name}]; alert(text) tells the person something came in
// (sound and the live region); changed() asks the caller to redraw the
// title count.
export function setupNotes({ api, me, agents, alert, changed }) {
  const pane = h('section', { id: 'notes', class: 'notes', 'aria-labelledby': 'notes-title' },
    h('h3', { id: 'notes-title' }, 'Private notes ', h('span', { class: 'hint' }, '(only agents and supervisors see these; never sent to the consumer)')),
    h('ol', { id: 'notes-list', class: 'notes-list', 'aria-live': 'polite', 'aria-relevant': 'additions' }),
    h('form', { id: 'note-form', class: 'note-form', novalidate: true },
      h('label', { for: 'note-body' }, 'Private note'),
      h('textarea', {
        id: 'note-body', rows: '2', maxlength: '2000', 'aria-describedby': 'note-hint',
        'aria-autocomplete': 'list', 'aria-controls': 'mention-suggest', 'aria-expanded': 'false',
      }),
      h('ul', { id: 'mention-suggest', class: 'mention-suggest', role: 'listbox', 'aria-label': 'Agents to mention', hidden: true }),
      h('div', { class: 'composer-row' },
        h('p', { id: 'note-hint', class: 'hint' }, 'Type @ to mention a colleague; they are alerted.'),
        h('button', { type: 'submit', id: 'note-add', class: 'secondary' }, 'Add note')),
      h('p', { id: 'note-error', class: 'error', role: 'alert' })));
  const composer = $('#composer');
  composer.after(pane);

  const section = h('section', { id: 'mentions-section', class: 'mentions', 'aria-labelledby': 'mentions-title', hidden: true },
    h('h3', { id: 'mentions-title' }, 'Mentions ', h('span', { class: 'count', id: 'mentions-count' })),
    h('ul', { id: 'mentions-list', class: 'chat-list' }));
  $('#inbox .inbox-head').after(section);

  const body = $('#note-body');
  const suggest = $('#mention-suggest');
  let chatId = null;
  let picked = new Set();
  let pending = null; // {text, requestId}: a retry reuses the id
  let mentions = [];
  let known = null; // chat ids of mentions already announced
  let timer = 0;
  let choices = [];
  let active = -1;

  function render(detail) {
    if (detail.chat.id !== chatId) {
      chatId = detail.chat.id;
      body.value = '';
      picked = new Set();
      pending = null;
      $('#note-error').textContent = '';
      $('#notes-list').replaceChildren();
      closeSuggest();
    }
    const list = $('#notes-list');
    const have = new Set(Array.from(list.children, (li) => li.dataset.seq));
    for (const n of detail.notes || []) {
      if (!have.has(String(n.seq))) list.append(renderNote(n));
    }
    show($('#notes-list'), list.children.length > 0);
    if (mentions.some((m) => m.chatId === chatId)) markRead(chatId);
  }

  function renderNote(n) {
    const mine = n.authorId && n.authorId === (me().agentId || me().uid);
    const who = mine ? 'You' : (n.authorName || n.authorId);
    const parts = n.body.split(/(@[\p{L}\p{N}_.-]+)/u).map((p) => (p.startsWith('@') ? h('span', { class: 'mention' }, p) : p));
    return h('li', { class: 'private-note', dataset: { seq: String(n.seq) } },
      h('p', { class: 'msg-meta' }, h('span', { class: 'msg-author' }, `${who} · private note`), ' ', timeEl(n.createdAt)),
      h('p', { class: 'note-body' }, parts));
  }

  async function add() {
    const text = body.value.trim();
    const err = $('#note-error');
    err.textContent = '';
    if (!text) {
      err.textContent = 'Write the note first.';
      body.focus();
      return;
    }
    if (!pending || pending.text !== text) pending = { text, requestId: uuid() };
    const button = $('#note-add');
    button.disabled = true;
    const id = chatId;
    try {
      // Only the picked agents still named in the text are sent; the
      // server also finds @id and @Name written by hand.
      const ids = [...picked].filter((a) => text.includes(`@${a}`));
      const note = await api().post(`/chats/${encodeURIComponent(id)}/notes`, { body: text, mentions: ids, requestId: pending.requestId });
      if (id !== chatId) return;
      pending = null;
      body.value = '';
      picked = new Set();
      if (!Array.from($('#notes-list').children).some((li) => li.dataset.seq === String(note.seq))) {
        $('#notes-list').append(renderNote(note));
      }
      show($('#notes-list'));
      const named = (note.mentions || []).map((a) => agents().find((x) => x.id === a)?.name || a);
      alert(named.length ? `Note added; ${named.join(', ')} ${named.length === 1 ? 'was' : 'were'} notified.` : 'Note added.', false);
    } catch (e) {
      err.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  }

  // ---- @mention suggestions ----

  function query() {
    const upto = body.value.slice(0, body.selectionStart);
    const m = /(?:^|[\s(])@([\p{L}\p{N}_.-]*)$/u.exec(upto);
    return m ? m[1].toLowerCase() : null;
  }

  function updateSuggest() {
    const q = query();
    if (q === null) return closeSuggest();
    choices = agents().filter((a) => a.id !== me().agentId
      && (a.id.toLowerCase().startsWith(q) || (a.name || '').toLowerCase().split(/\s+/).some((w) => w.startsWith(q))))
      .slice(0, MAX_SUGGESTIONS);
    if (!choices.length) return closeSuggest();
    active = 0;
    suggest.replaceChildren(...choices.map((a, i) => h('li', {
      id: `mention-opt-${i}`, role: 'option', class: 'mention-option', 'aria-selected': String(i === active), dataset: { agent: a.id },
      onmousedown: (e) => { e.preventDefault(); choose(i); },
    }, a.name ? `${a.name} (@${a.id})` : `@${a.id}`, a.status ? h('span', { class: 'hint' }, ` · ${a.status}`) : null)));
    show(suggest);
    body.setAttribute('aria-expanded', 'true');
    body.setAttribute('aria-activedescendant', `mention-opt-${active}`);
  }

  function closeSuggest() {
    choices = [];
    active = -1;
    show(suggest, false);
    body.setAttribute('aria-expanded', 'false');
    body.removeAttribute('aria-activedescendant');
  }

  function choose(i) {
    const a = choices[i];
    if (!a) return;
    const at = body.selectionStart;
    const before = body.value.slice(0, at).replace(/@([\p{L}\p{N}_.-]*)$/u, `@${a.id} `);
    body.value = before + body.value.slice(at);
    body.selectionStart = body.selectionEnd = before.length;
    picked.add(a.id);
    closeSuggest();
    body.focus();
  }

  body.addEventListener('input', updateSuggest);
  body.addEventListener('blur', () => setTimeout(closeSuggest, 100));
  body.addEventListener('keydown', (e) => {
    if (choices.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        active = (active + (e.key === 'ArrowDown' ? 1 : choices.length - 1)) % choices.length;
        for (const [i, li] of Array.from(suggest.children).entries()) li.setAttribute('aria-selected', String(i === active));
        body.setAttribute('aria-activedescendant', `mention-opt-${active}`);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        choose(active);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        closeSuggest();
        return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      add();
    }
  });
  $('#note-form').addEventListener('submit', (e) => {
    e.preventDefault();
    add();
  });

  // ---- mentions ----

  async function poll() {
    clearTimeout(timer);
    try {
      const list = (await api().get('/mentions')) || [];
      const fresh = list.filter((m) => m.chatId !== chatId && known && !known.has(`${m.chatId}|${m.noteSeq}`));
      known = new Set(list.map((m) => `${m.chatId}|${m.noteSeq}`));
      // The open chat's mention is read: the person is looking at it.
      const open = list.find((m) => m.chatId === chatId);
      mentions = list.filter((m) => m.chatId !== chatId);
      renderMentions();
      if (open) markRead(open.chatId);
      if (fresh.length) {
        alert(fresh.map((m) => `${m.authorName || m.authorId} mentioned you in the chat with ${m.consumer}: ${m.excerpt}`).join(' '), true, fresh[0].chatId);
      }
    } catch {
      // The inbox poll reports the connection; mentions come at the next try.
    }
    timer = setTimeout(poll, MENTIONS_POLL_MS);
  }

  function renderMentions() {
    const list = $('#mentions-list');
    list.replaceChildren(...mentions.map((m) => h('li', { class: 'chat-item mention-item', dataset: { chat: m.chatId } },
      h('a', { href: `#chat/${encodeURIComponent(m.chatId)}`, 'data-focus-id': 'open' },
        h('span', { class: 'consumer' }, m.consumer || m.chatId),
        h('span', { class: 'unread' }, h('span', { class: 'visually-hidden' }, ' (unread mention)'))),
      h('p', { class: 'meta' }, `${m.authorName || m.authorId}${m.count > 1 ? ` (${m.count} notes)` : ''}: “${m.excerpt}” · `, timeEl(m.at)))));
    $('#mentions-count').textContent = mentions.length ? `(${mentions.length})` : '';
    show(section, mentions.length > 0);
    changed();
  }

  async function markRead(id) {
    mentions = mentions.filter((m) => m.chatId !== id);
    renderMentions();
    try {
      await api().post(`/mentions/${encodeURIComponent(id)}/read`);
    } catch {
      // Listed again at the next poll, read again when opened.
    }
  }

  return {
    render,
    clear() { chatId = null; },
    start() { known = null; poll(); },
    stop() { clearTimeout(timer); mentions = []; known = null; renderMentions(); },
    count: () => mentions.length,
  };
}
