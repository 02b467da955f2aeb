// Keyboard shortcuts of the agent console. They work on what the page
// shows (the inbox's links and buttons, the composer, the canned reply
// picker), so they do exactly what a click does. Single keys act only when
// the focus is not in a text field, a menu or a dialog: typing is never
// taken over. In the reply box, "/" opens an inline search of the canned
// replies by name.
import { $, h } from './dom.js';

export const SHORTCUTS = [
  { keys: ['a'], does: 'Accept the oldest offer and go to its reply box' },
  { keys: ['j', 'Alt+↓'], does: 'Next chat in the inbox' },
  { keys: ['k', 'Alt+↑'], does: 'Previous chat in the inbox' },
  { keys: ['r'], does: 'Go to the reply box' },
  { keys: ['/'], does: 'In the reply box (at its start or after a space): search the canned replies by name; ↑ ↓ choose, Enter inserts, Esc closes' },
  { keys: ['Ctrl+Enter'], does: 'Send the reply' },
  { keys: ['Esc'], does: 'Leave the reply box' },
  { keys: ['?'], does: 'Show these shortcuts' },
];

const MAX_SUGGESTIONS = 8;

// typing tells a key press meant for a field from a shortcut.
function typing(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable) return true;
  if (el.closest('dialog[open]')) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !['button', 'submit', 'reset', 'checkbox', 'radio', 'file'].includes(el.type);
  return false;
}

function visible(el) {
  return el && !el.closest('[hidden]') && el.getClientRects().length > 0;
}

function chatLinks() {
  return Array.from(document.querySelectorAll('#inbox .chat-list a[href^="#chat/"]')).filter(visible);
}

function stepChat(delta) {
  const links = chatLinks();
  if (!links.length) return false;
  // The open chat is the address's (the inbox marks it current only at
  // its next render).
  const at = links.findIndex((a) => a.getAttribute('href') === location.hash);
  const next = at < 0 ? (delta > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + delta));
  if (next === at) return true;
  links[next].focus();
  location.hash = links[next].getAttribute('href');
  return true;
}

function focusReply() {
  const reply = $('#reply');
  if (!visible(reply) || reply.disabled) return false;
  reply.focus();
  reply.setSelectionRange(reply.value.length, reply.value.length);
  return true;
}

export function setupKeys({ announce = () => {} } = {}) {
  // After accepting (a click or "a"), the reply box gets the focus once the
  // chat is open: app.js focuses the chat's title when it has loaded.
  let acceptedAt = 0;
  document.addEventListener('click', (e) => {
    if (e.target.closest?.('#offered-list button[data-action=accept]')) acceptedAt = Date.now();
  }, true);
  document.addEventListener('focusin', (e) => {
    if (e.target.id === 'conv-title' && acceptedAt && Date.now() - acceptedAt < 15000) {
      acceptedAt = 0;
      focusReply();
    }
  });

  const help = buildHelp();
  document.body.append(help);

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.isComposing) return;
    const el = document.activeElement;
    if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      if (el && el.closest('dialog[open]')) return;
      if (stepChat(e.key === 'ArrowDown' ? 1 : -1)) e.preventDefault();
      return;
    }
    if (e.key === 'Escape' && el && el.id === 'reply' && !canned.isOpen()) {
      el.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(el) || !$('#workspace') || $('#workspace').hidden) return;
    let done = true;
    switch (e.key) {
      case 'a': {
        const button = Array.from(document.querySelectorAll('#offered-list button[data-action=accept]')).find(visible);
        if (button && !button.disabled) button.click();
        else announce('No offer to accept.');
        break;
      }
      case 'j': done = stepChat(1); break;
      case 'k': done = stepChat(-1); break;
      case 'r': done = focusReply(); break;
      case '?':
        if (!help.open) help.showModal();
        break;
      default: done = false;
    }
    if (done) e.preventDefault();
  });

  const canned = setupCannedSearch(announce);
  return { help, canned };
}

function buildHelp() {
  const rows = SHORTCUTS.map((s) => h('tr', {},
    h('td', {}, ...s.keys.flatMap((k, i) => [i ? ' or ' : '', h('kbd', {}, k)])),
    h('td', {}, s.does)));
  const close = h('button', { type: 'button', class: 'secondary' }, 'Close');
  const dialog = h('dialog', { id: 'keys-help', 'aria-labelledby': 'keys-help-title' },
    h('h2', { id: 'keys-help-title' }, 'Keyboard shortcuts'),
    h('p', { class: 'hint' }, 'Single keys work when the focus is not in a text field.'),
    h('table', { class: 'keys-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Keys'), h('th', { scope: 'col' }, 'Does'))),
      h('tbody', {}, ...rows)),
    h('div', { class: 'dialog-actions' }, close));
  close.addEventListener('click', () => dialog.close());
  return dialog;
}

// The inline canned reply search: "/name" in the reply box lists the canned
// replies of the chat (the picker's options, loaded by app.js) whose name
// contains what follows the slash; Enter replaces "/name" with the reply
// through the picker's own Insert, so its placeholders and the "canned"
// marker work as with a click.
function setupCannedSearch(announce) {
  const reply = $('#reply');
  const list = h('ul', { id: 'canned-suggest', class: 'canned-suggest', role: 'listbox', 'aria-label': 'Canned replies', hidden: true });
  reply.after(list);
  reply.setAttribute('aria-autocomplete', 'list');
  reply.setAttribute('aria-controls', 'canned-suggest');
  let token = null; // {start, end, query}
  let items = [];
  let active = 0;

  const options = () => Array.from($('#canned').options).filter((o) => o.value);

  function findToken() {
    const pos = reply.selectionStart;
    if (pos !== reply.selectionEnd) return null;
    const before = reply.value.slice(0, pos);
    const m = /(^|\s)\/([^\s/]*)$/.exec(before);
    if (!m) return null;
    return { start: pos - m[2].length - 1, end: pos, query: m[2].toLowerCase() };
  }

  function close() {
    token = null;
    items = [];
    list.hidden = true;
    list.replaceChildren();
    reply.removeAttribute('aria-activedescendant');
  }

  function render() {
    list.replaceChildren(...items.map((o, i) => {
      const li = h('li', { id: `canned-opt-${i}`, role: 'option', class: 'canned-option', 'aria-selected': String(i === active), 'data-id': o.value }, o.textContent);
      li.addEventListener('mousedown', (e) => {
        e.preventDefault(); // keep the focus in the reply box
        active = i;
        choose();
      });
      return li;
    }));
    if (!items.length) list.append(h('li', { class: 'canned-none' }, options().length ? 'No canned reply by that name.' : 'No canned replies for this chat.'));
    list.hidden = false;
    if (items.length) reply.setAttribute('aria-activedescendant', `canned-opt-${active}`);
  }

  function update() {
    token = findToken();
    if (!token) return close();
    items = options().filter((o) => o.textContent.toLowerCase().includes(token.query)).slice(0, MAX_SUGGESTIONS);
    active = Math.min(active, Math.max(0, items.length - 1));
    render();
  }

  function choose() {
    const o = items[active];
    if (!o || !token) return;
    // Take "/name" out, then let the picker insert at the caret.
    reply.value = reply.value.slice(0, token.start) + reply.value.slice(token.end);
    reply.setSelectionRange(token.start, token.start);
    $('#canned').value = o.value;
    close();
    $('#insert-canned').click();
    announce(`Inserted ${o.textContent}.`);
  }

  reply.addEventListener('input', () => {
    active = 0;
    update();
  });
  reply.addEventListener('blur', close);
  // The Enter that chose a reply must not also break the line: a browser
  // (or a tool) that sends its character apart from the key press would
  // otherwise insert it after the reply.
  let swallow = false;
  reply.addEventListener('beforeinput', (e) => {
    if (swallow && (e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph' || (e.inputType === 'insertText' && e.data === '\t'))) e.preventDefault();
    swallow = false;
  });
  reply.addEventListener('keyup', () => { swallow = false; });
  reply.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    switch (e.key) {
      case 'ArrowDown': active = (active + 1) % Math.max(1, items.length); render(); break;
      case 'ArrowUp': active = (active - 1 + items.length) % Math.max(1, items.length); render(); break;
      case 'Enter':
        if (e.ctrlKey || e.metaKey) return; // Ctrl+Enter still sends
        if (!items.length) return;
        swallow = true;
        choose();
        break;
      case 'Tab':
        if (!items.length) return;
        choose();
        break;
      case 'Escape': close(); break;
      default: return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
  });
  return { isOpen: () => !list.hidden, close };
}
