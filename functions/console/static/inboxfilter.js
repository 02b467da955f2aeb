// The inbox's filter and sort: by status (which list), queue, business
// number and label, newest activity or oldest first. It works on the lists
// the inbox poll already holds, so filtering costs no request; the chats
// it hides still ring, count and announce as before (app.js decides that
// on the unfiltered lists).
import { $, h, show } from './dom.js';

const KINDS = ['offered', 'active', 'waiting', 'ended'];

export function setupInboxFilter({ changed, queueName }) {
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
  $('#inbox .inbox-head').after(bar);

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
