// The inbox's filter and sort: by status (which list), queue, business
// number and label, newest activity or oldest first. It works on the lists
// the inbox poll already holds, so filtering costs no request; the chats
// it hides still ring, count and announce as before (app.js decides that
// on the unfiltered lists).
//
// The search box finds any chat the person sees, also ended ones no
// longer listed, by the consumer's number or words of the texts (GET
// /AgentAPI/search). It waits SEARCH_DEBOUNCE_MS after the last keystroke
// and for at least 3 characters; each search is one or two indexed
// Firestore queries reading the chats found (shared/chat/search).
import { $, h, show, timeEl } from './dom.js';

const SEARCH_DEBOUNCE_MS = 300;
const MIN_SEARCH = 3;

const KINDS = ['offered', 'active', 'waiting', 'ended'];

export function setupInboxFilter({ changed, queueName, api, describe }) {
  const sel = (id, label, ...opts) => [
    h('label', { for: id, class: 'filter-label' }, label),
    h('select', { id, onchange: changed }, ...opts)];
  const bar = h('form', { id: 'inbox-filter', class: 'inbox-filter', 'aria-label': 'Filter the inbox', onsubmit: (e) => e.preventDefault() },
    sel('filter-status', 'Show',
      h('option', { value: '' }, 'All chats'),
      h('option', { value: 'offered' }, 'Offered'),
      h('option', { value: 'active' }, 'Active'),
      h('option', { value: 'waiting' }, 'Waiting'),
      h('option', { value: 'ended' }, 'Ended')),
    sel('filter-queue', 'Queue', h('option', { value: '' }, 'Any queue')),
    sel('filter-number', 'Number', h('option', { value: '' }, 'Any number')),
    sel('filter-label', 'Label', h('option', { value: '' }, 'Any label')),
    sel('filter-sort', 'Sort',
      h('option', { value: '' }, 'Oldest first'),
      h('option', { value: 'recent' }, 'Newest activity')),
    h('button', { type: 'button', id: 'filter-clear', class: 'secondary', hidden: true, onclick: clear }, 'Clear filters'));
  const searchBox = h('div', { class: 'inbox-search', role: 'search' },
    h('label', { for: 'inbox-search', class: 'visually-hidden' }, 'Search chats by number or text'),
    h('input', { id: 'inbox-search', type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'Search number or text…', 'aria-describedby': 'search-state' }),
    h('p', { id: 'search-state', class: 'hint', 'aria-live': 'polite' }));
  const results = h('section', { id: 'search-results', class: 'search-results', 'aria-labelledby': 'search-title', hidden: true },
    h('h3', { id: 'search-title' }, 'Search results ', h('span', { class: 'count', id: 'search-count' })),
    h('ul', { id: 'search-list', class: 'chat-list' }));
  $('#inbox .inbox-head').after(searchBox, results, bar);

  let timer = 0;
  let seq = 0;
  $('#inbox-search').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(runSearch, SEARCH_DEBOUNCE_MS);
  });
  $('#inbox-search').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.target.value = '';
      runSearch();
    }
  });

  async function runSearch() {
    const q = $('#inbox-search').value.trim();
    const state = $('#search-state');
    const mine = ++seq;
    if (q.replace(/\s/g, '').length < MIN_SEARCH) {
      show(results, false);
      state.textContent = q ? `Type at least ${MIN_SEARCH} characters.` : '';
      return;
    }
    state.textContent = 'Searching…';
    try {
      const res = await api().get(`/search?q=${encodeURIComponent(q)}`);
      if (mine !== seq) return; // a newer search is running
      const chats = res.chats || [];
      $('#search-list').replaceChildren(...chats.map((c) => h('li', { class: 'chat-item', dataset: { key: c.id } },
        h('a', { href: `#chat/${encodeURIComponent(c.id)}`, 'data-focus-id': 'open' }, h('span', { class: 'consumer' }, c.consumer)),
        h('p', { class: 'meta' }, [res.queues?.[c.queueId] || queueName(c.queueId), describe(c)].filter(Boolean).join(' · '), ' · ', timeEl(c.updatedAt)),
        c.lastBody ? h('p', { class: 'chat-preview' }, c.lastBody) : null)));
      $('#search-count').textContent = `(${chats.length})`;
      state.textContent = chats.length ? `${chats.length} chat${chats.length === 1 ? '' : 's'} found.` : 'No chat you can see matches.';
      show(results);
    } catch (e) {
      if (mine !== seq) return;
      state.textContent = e.message;
      show(results, false);
    }
  }

  function clear() {
    for (const id of ['filter-status', 'filter-queue', 'filter-number', 'filter-label', 'filter-sort']) $(`#${id}`).value = '';
    changed();
  }

  // fill keeps each select's choices to what the inbox holds (and the
  // chosen value, even when no chat has it now).
  function fill(id, values, label) {
    const s = $(`#${id}`);
    const current = s.value;
    const want = [...new Set([...values, current].filter(Boolean))].sort();
    const have = Array.from(s.options).slice(1).map((o) => o.value);
    if (want.join('\n') !== have.join('\n')) {
      s.replaceChildren(s.options[0], ...want.map((v) => h('option', { value: v }, label(v))));
      s.value = current;
    }
  }

  return {
    // apply returns the lists to show; a list the status filter leaves out
    // is hidden with its section.
    apply(lists, open) {
      const all = [...KINDS.flatMap((k) => lists[k]), ...(open ? [...open.menu, ...open.queued, ...open.active] : [])];
      fill('filter-queue', all.map((c) => c.queueId), (v) => queueName(v) || v);
      fill('filter-number', all.map((c) => c.number), (v) => v);
      fill('filter-label', all.flatMap((c) => c.labels || []), (v) => v);
      const status = $('#filter-status').value;
      const queue = $('#filter-queue').value;
      const number = $('#filter-number').value;
      const label = $('#filter-label').value;
      const recent = $('#filter-sort').value === 'recent';
      const keep = (c) => (!queue || c.queueId === queue) && (!number || c.number === number)
        && (!label || (c.labels || []).includes(label));
      const sort = (list) => (recent ? [...list].sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt))) : list);
      const out = {};
      for (const k of KINDS) {
        out[k] = status && status !== k ? [] : sort(lists[k].filter(keep));
        const section = $(`#${k}-list`).closest('section');
        if (section) show(section, !status || status === k);
      }
      const filtering = Boolean(status || queue || number || label || recent);
      show($('#filter-clear'), filtering);
      out.open = open && {
        menu: sort(open.menu.filter(keep)), queued: sort(open.queued.filter(keep)), active: sort(open.active.filter(keep)),
      };
      out.filtering = filtering;
      return out;
    },
  };
}
