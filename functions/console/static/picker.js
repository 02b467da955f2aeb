// The transfer picker: one searchable list of the agents (status, free
// capacity, languages) and the queues (chats waiting, agents free now) a
// chat can go to, from GET /transfer-targets, read fresh each time the
// Transfer dialog opens. Nobody types an id: a choice fills the dialog's
// target (the radio, the agent field or the queue select) that app.js
// submits. Agents who cannot take a chat now (not available, or full) are
// listed but cannot be picked: the API would refuse the transfer.
import { $, h } from './dom.js';

const STATUS = { available: 'Available', away: 'Away', offline: 'Offline' };

function agentLine(a) {
  const parts = [STATUS[a.status] || a.status];
  if (a.status === 'available') parts.push(a.free > 0 ? `${a.free} of ${a.capacity} free` : 'no free slot');
  if (a.languages?.length) parts.push(a.languages.join(', ').toUpperCase());
  return parts.join(' · ');
}

function queueLine(q) {
  const waiting = `${q.waiting}${q.waitingMore ? '+' : ''} waiting`;
  const free = q.agentsFree === 1 ? '1 agent free' : `${q.agentsFree} agents free`;
  return [waiting, free, q.language ? q.language.toUpperCase() : ''].filter(Boolean).join(' · ');
}

export function setupPicker({ api, me }) {
  const form = $('#transfer-form');
  form.classList.add('picker-on');
  const search = h('input', {
    id: 'transfer-search', type: 'search', role: 'combobox', autocomplete: 'off', spellcheck: 'false',
    'aria-controls': 'transfer-options', 'aria-expanded': 'true', 'aria-autocomplete': 'list',
    'aria-describedby': 'transfer-choice', placeholder: 'Name, status or queue',
  });
  const list = h('ul', { id: 'transfer-options', class: 'picker-list', role: 'listbox', 'aria-label': 'Agents and queues' });
  const choice = h('p', { id: 'transfer-choice', class: 'picker-choice', 'aria-live': 'polite' }, 'Nothing chosen yet.');
  const status = h('p', { class: 'hint picker-status' });
  form.querySelector('fieldset').before(
    h('label', { for: 'transfer-search' }, 'Transfer to'), search, status, list, choice);

  let targets = { agents: [], queues: [] };
  let options = []; // {kind, id, name, line, disabled}
  let active = -1;
  let chosen = null;

  function all() {
    const self = me()?.agentId;
    return [
      ...targets.agents.filter((a) => a.id !== self).map((a) => ({
        kind: 'agent', id: a.id, name: a.name || a.id, line: agentLine(a),
        disabled: a.status !== 'available' || a.free < 1,
        rank: a.status === 'available' ? (a.free > 0 ? 0 : 1) : a.status === 'away' ? 2 : 3,
      })),
      ...targets.queues.map((q) => ({ kind: 'queue', id: q.id, name: q.name || q.id, line: queueLine(q), disabled: false, rank: 0 })),
    ];
  }

  function render() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    options = all().filter((o) => {
      const text = `${o.name} ${o.line} ${o.kind === 'agent' ? 'agent' : 'queue'}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    // Who can take the chat now first; then alphabetical.
    options.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'agent' ? -1 : 1) || a.rank - b.rank || a.name.localeCompare(b.name));
    if (active >= options.length || (active >= 0 && options[active].disabled)) active = options.findIndex((o) => !o.disabled);
    const items = [];
    let group = '';
    options.forEach((o, i) => {
      if (o.kind !== group) {
        group = o.kind;
        items.push(h('li', { role: 'presentation', class: 'picker-group' }, o.kind === 'agent' ? 'Agents' : 'Queues'));
      }
      const li = h('li', {
        id: `pick-${o.kind}-${o.id}`, role: 'option', class: 'picker-option', 'data-kind': o.kind, 'data-id': o.id,
        'aria-selected': String(chosen?.kind === o.kind && chosen?.id === o.id),
        'aria-disabled': o.disabled ? 'true' : null, 'data-active': i === active ? 'true' : null,
      }, h('span', { class: 'picker-name' }, o.name), h('span', { class: 'picker-line' }, o.line));
      li.addEventListener('mousedown', (e) => e.preventDefault());
      li.addEventListener('click', () => pick(o));
      items.push(li);
    });
    if (!options.length) items.push(h('li', { role: 'presentation', class: 'picker-none' }, 'No agent or queue matches.'));
    list.replaceChildren(...items);
    if (active >= 0) search.setAttribute('aria-activedescendant', `pick-${options[active].kind}-${options[active].id}`);
    else search.removeAttribute('aria-activedescendant');
  }

  function pick(o) {
    if (!o || o.disabled) return;
    chosen = { kind: o.kind, id: o.id };
    const radio = form.querySelector(`input[name=target][value=${o.kind}]`);
    radio.checked = true;
    if (o.kind === 'agent') $('#transfer-agent').value = o.id;
    else $('#transfer-queue').value = o.id;
    // app.js shows the chosen kind's field and clears a stale warning.
    radio.dispatchEvent(new Event('change', { bubbles: true }));
    choice.textContent = `Chosen: ${o.name} (${o.kind === 'agent' ? 'agent' : 'queue'}, ${o.line}).`;
    render();
  }

  function move(delta) {
    if (!options.length) return;
    let i = active;
    for (let n = 0; n < options.length; n++) {
      i = (i + delta + options.length) % options.length;
      if (!options[i].disabled) break;
    }
    active = i;
    render();
    list.querySelector('[data-active]')?.scrollIntoView({ block: 'nearest' });
  }

  let picking = false;
  search.addEventListener('keyup', () => { picking = false; });
  search.addEventListener('input', () => { active = -1; render(); });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') move(1);
    else if (e.key === 'ArrowUp') move(-1);
    else if (e.key === 'Enter' && active >= 0 && !(chosen && chosen.kind === options[active].kind && chosen.id === options[active].id)) {
      picking = true; // this Enter chooses; it does not also send the form
      pick(options[active]);
    } else return;
    e.preventDefault();
  });
  // Nothing picked: say so instead of sending an empty target. At the form
  // itself capturing listeners run before app.js's submit listener.
  form.addEventListener('submit', (e) => {
    if (picking) {
      // The Enter that chose a target, reaching the form as an implicit
      // submission where its character comes apart from the key press.
      picking = false;
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    if (chosen) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    $('#transfer-error').textContent = 'Pick an agent or a queue from the list.';
    search.focus();
  }, true);

  return {
    // open reads the directory again and resets the choice.
    async open() {
      chosen = null;
      active = -1;
      search.value = '';
      $('#transfer-agent').value = '';
      choice.textContent = 'Nothing chosen yet.';
      status.textContent = 'Loading agents and queues…';
      render();
      search.focus();
      try {
        targets = await api().get('/transfer-targets');
        status.textContent = '';
      } catch (err) {
        status.textContent = `Cannot load the agents and queues: ${err.message}`;
      }
      render();
    },
  };
}
