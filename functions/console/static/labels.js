// Chat labels, as Chatwoot has them: the business configures a list
// (settings.labels, GET /AgentAPI/labels, read once per session) the
// console suggests, and an agent may type a label of their own; the server
// folds it to lowercase without spaces. Labels show on the chat and in the
// inbox, whose filter (inboxfilter.js) picks chats by them.
import { $, h, show } from './dom.js';

// setupLabels builds the label row of the conversation header. changed(chat)
// is called with the chat as stored after an edit.
export function setupLabels({ api, alert, changed }) {
  const row = h('div', { id: 'labels', class: 'labels' },
    h('ul', { id: 'label-list', class: 'label-list', 'aria-label': 'Labels' }),
    h('form', { id: 'label-form', class: 'label-form', novalidate: true },
      h('input', { id: 'label-input', list: 'label-options', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Add a label', placeholder: 'Add a label' }),
      h('datalist', { id: 'label-options' }),
      h('button', { type: 'submit', id: 'label-add', class: 'secondary' }, 'Add label')),
    h('p', { id: 'label-error', class: 'error', role: 'alert' }));
  $('#wrap-up-shown').after(row);

  let configured = null;
  let detail = null;

  async function loadConfigured() {
    if (configured) return configured;
    try {
      configured = (await api().get('/labels')) || [];
    } catch {
      configured = [];
    }
    return configured;
  }

  function render(d) {
    const changedChat = !detail || detail.chat.id !== d.chat.id;
    detail = d;
    if (changedChat) $('#label-error').textContent = '';
    const labels = d.chat.labels || [];
    // Whoever may act on the chat labels it; a chat read through a mention
    // or a consumer's history shows its labels only.
    const editable = (d.actions || []).length > 0;
    $('#label-list').replaceChildren(...labels.map((l) => h('li', { class: 'label-chip', dataset: { label: l } },
      h('span', {}, l),
      editable ? h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Remove label ${l}`, onclick: () => edit({ remove: [l] }) }, '×') : null)));
    show($('#label-form'), editable);
    show($('#label-list'), labels.length > 0 || editable);
    loadConfigured().then((list) => {
      $('#label-options').replaceChildren(...list.filter((l) => !labels.includes(l)).map((l) => h('option', { value: l })));
    });
  }

  async function edit(body) {
    if (!detail) return;
    const id = detail.chat.id;
    const err = $('#label-error');
    err.textContent = '';
    try {
      const c = await api().post(`/chats/${encodeURIComponent(id)}/labels`, body);
      if (!detail || detail.chat.id !== id) return;
      detail.chat.labels = c.labels || [];
      render(detail);
      alert(body.add ? `Label ${c.labels?.at(-1) || body.add[0]} added.` : `Label ${body.remove[0]} removed.`);
      changed(c);
    } catch (e) {
      err.textContent = e.message;
    }
  }

  $('#label-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('#label-input');
    const v = input.value.trim();
    if (!v) {
      $('#label-error').textContent = 'Type or pick a label.';
      input.focus();
      return;
    }
    input.value = '';
    edit({ add: [v] });
  });

  return { render, configured: () => configured || [], load: loadConfigured };
}
