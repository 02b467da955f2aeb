// The contact panel beside the conversation (<aside id="contact-pane">):
// who the consumer is and what they asked before. With the built-in
// contacts (CRM_ADAPTER=builtin) the agent edits the name, email, numbers
// and labels and adds notes (PATCH /AgentAPI/contacts/{id}); with HubSpot
// the panel names the contact and links to it in HubSpot. When several
// contacts have the number the agent picks one or asks for a new one (POST
// /AgentAPI/chats/{id}/crm), and "CRM sync pending" shows while the chat's
// events wait on a CRM error. Everything comes from one read,
// GET /AgentAPI/chats/{id}/contact, repeated only while the lookup or the
// pick is in progress.
import { $, h, show, when } from './dom.js';

// While CRMSync has not linked the chat yet (or applies the agent's pick),
// the panel reads again this often: one request, two or three Firestore
// reads plus the history query.
const WAIT_POLL_MS = 4000;

const enc = encodeURIComponent;

// setupContact wires the panel. api() is the AgentAPI client; queueName
// and agentName name ids for display; announce speaks to screen readers.
export function setupContact({ api, queueName, agentName, announce }) {
  const pane = $('#contact-pane');
  let chatId = null;
  let panel = null;
  let timer = 0;
  let seq = 0;
  let editing = false;

  // open shows the panel for a chat (again: a fresh read).
  async function open(id) {
    if (id !== chatId) {
      chatId = id;
      panel = null;
      editing = false;
      pane.replaceChildren(h('h2', { id: 'contact-title' }, 'Contact'), h('p', { class: 'hint' }, 'Loading…'));
    }
    show(pane);
    await refresh();
  }

  function close() {
    chatId = null;
    clearTimeout(timer);
    show(pane, false);
  }

  async function refresh() {
    clearTimeout(timer);
    const id = chatId;
    if (!id) return;
    const n = ++seq;
    try {
      const p = await api().get(`/chats/${enc(id)}/contact`);
      if (id !== chatId || n !== seq) return;
      panel = p;
      if (!editing) render();
      if (inProgress(p)) timer = setTimeout(refresh, WAIT_POLL_MS);
    } catch (e) {
      if (id !== chatId || n !== seq) return;
      pane.replaceChildren(h('h2', { id: 'contact-title' }, 'Contact'),
        h('p', { class: 'error', role: 'alert' }, `Contact unavailable: ${e.message}`));
    }
  }

  // inProgress: the lookup has not run yet for an open chat, or the
  // agent's pick waits for CRMSync.
  function inProgress(p) {
    const crm = p.crm || {};
    if (!crm.enabled) return false;
    const open = p.pastChats.some((c) => c.id === chatId && c.status !== 'ended');
    return Boolean(crm.choice) || (crm.state === 'pending' && open);
  }

  function render() {
    const p = panel;
    const crm = p.crm || {};
    const parts = [h('h2', { id: 'contact-title' }, 'Contact')];
    if (crm.syncPending) {
      parts.push(h('p', { class: 'badge badge-bad', id: 'crm-pending', role: 'status' },
        `CRM sync pending: ${(crm.parked || []).length || 'some'} event(s) wait on a CRM error; they are posted in order once it is fixed.`));
    }
    if (crm.state === 'choosing') parts.push(renderPick(crm));
    if (p.contact) parts.push(editing ? renderEdit(p.contact) : renderCard(p.contact));
    else if (crm.contact) parts.push(renderCRMContact(crm.contact));
    else parts.push(renderUnlinked(p));
    if (p.contact) parts.push(renderNotes(p.contact));
    parts.push(renderPast(p.pastChats));
    pane.replaceChildren(...parts);
  }

  function renderUnlinked(p) {
    const crm = p.crm || {};
    let why = 'No CRM is configured: the panel shows the number and past chats.';
    if (crm.enabled && crm.state === 'pending') why = 'Not linked to a contact yet: the contact is looked up once the chat is assigned.';
    if (crm.syncPending) why = 'Not linked to a contact yet: the lookup waits on the CRM (see above).';
    if (crm.state === 'choosing') why = '';
    return h('section', { class: 'contact-card', 'aria-label': 'Consumer' },
      h('p', { class: 'contact-name', id: 'contact-name' }, p.consumer),
      why ? h('p', { class: 'hint', id: 'contact-unlinked' }, why) : null);
  }

  function renderCRMContact(c) {
    return h('section', { class: 'contact-card', 'aria-label': 'CRM contact' },
      h('p', { class: 'contact-name', id: 'contact-name' }, c.name || 'No name in the CRM'),
      c.phone ? h('p', null, c.phone) : null,
      c.mobilePhone ? h('p', null, c.mobilePhone) : null,
      c.email ? h('p', null, c.email) : null,
      c.url
        ? h('a', { href: c.url, target: '_blank', rel: 'noopener', id: 'crm-link' }, 'Open in the CRM', h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'))
        : h('p', { class: 'hint' }, `CRM contact ${c.id}`));
  }

  function renderCard(c) {
    return h('section', { class: 'contact-card', 'aria-label': 'Contact details' },
      h('p', { class: 'contact-name', id: 'contact-name' }, c.name || 'No name yet'),
      h('ul', { class: 'contact-phones', 'aria-label': 'Phone numbers' }, c.phones.map((n) => h('li', null, n))),
      c.email ? h('p', { class: 'contact-email' }, c.email) : null,
      h('ul', { class: 'contact-labels', id: 'contact-labels', 'aria-label': 'Labels' },
        c.labels.length ? c.labels.map((l) => h('li', { class: 'label-chip' }, l)) : h('li', { class: 'hint' }, 'No labels')),
      h('button', { type: 'button', class: 'secondary', id: 'contact-edit', onclick: () => { editing = true; render(); $('#contact-first').focus(); } }, 'Edit contact'));
  }

  function field(id, label, value, attrs = {}) {
    return [h('label', { for: id }, label), h(attrs.rows ? 'textarea' : 'input', { id, name: id, value: attrs.rows ? null : value, 'aria-describedby': `${id}-error`, ...attrs }, attrs.rows ? value : null),
      h('p', { class: 'error field-error', id: `${id}-error` })];
  }

  function renderEdit(c) {
    const form = h('form', { class: 'contact-form', id: 'contact-form', novalidate: true, 'aria-label': 'Edit contact' },
      field('contact-first', 'First name', c.firstName, { autocomplete: 'off', maxlength: '100' }),
      field('contact-last', 'Last name', c.lastName, { autocomplete: 'off', maxlength: '100' }),
      field('contact-email', 'Email', c.email, { type: 'email', autocomplete: 'off' }),
      field('contact-phones', 'Phone numbers (one a line)', c.phones.join('\n'), { rows: '3', spellcheck: 'false' }),
      field('contact-labels-input', 'Labels (comma-separated)', c.labels.join(', '), { autocomplete: 'off' }),
      h('p', { class: 'error', id: 'contact-form-error', role: 'alert' }),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => { editing = false; render(); } }, 'Cancel'),
        h('button', { type: 'submit', id: 'contact-save' }, 'Save')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save(c.id, {
        firstName: $('#contact-first').value,
        lastName: $('#contact-last').value,
        email: $('#contact-email').value,
        phones: $('#contact-phones').value.split('\n').map((s) => s.trim()).filter(Boolean),
        labels: $('#contact-labels-input').value.split(',').map((s) => s.trim()).filter(Boolean),
      });
    });
    return form;
  }

  // The API names problems by member (phones[1]); each goes under its field.
  const fieldOf = { firstName: 'contact-first', lastName: 'contact-last', email: 'contact-email', phones: 'contact-phones', labels: 'contact-labels-input', note: 'contact-note' };

  async function save(id, body) {
    for (const el of pane.querySelectorAll('.field-error')) el.textContent = '';
    $('#contact-form-error').textContent = '';
    $('#contact-save').disabled = true;
    try {
      await api().request('PATCH', `/contacts/${enc(id)}`, body);
      editing = false;
      announce('Contact saved.');
      await refresh();
      $('#contact-edit')?.focus();
    } catch (e) {
      if (!showProblems(e)) $('#contact-form-error').textContent = e.message;
      if ($('#contact-save')) $('#contact-save').disabled = false;
    }
  }

  function showProblems(e) {
    let shown = false;
    for (const p of e.problems || []) {
      const el = $(`#${fieldOf[p.field.replace(/\[\d+\]$/, '')] || ''}-error`);
      if (!el) continue;
      const text = p.field.includes('[') ? `${p.field}: ${p.message}` : p.message;
      el.textContent = el.textContent ? `${el.textContent} ${text}` : text;
      shown = true;
    }
    return shown;
  }

  function renderNotes(c) {
    const form = h('form', { class: 'note-form', id: 'contact-note-form', novalidate: true },
      h('label', { for: 'contact-note' }, 'Add a note to the contact'),
      h('textarea', { id: 'contact-note', rows: '2', maxlength: '5000', 'aria-describedby': 'contact-note-error' }),
      h('p', { class: 'error field-error', id: 'contact-note-error', role: 'alert' }),
      h('button', { type: 'submit', class: 'secondary', id: 'contact-note-add' }, 'Add note'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = $('#contact-note').value;
      $('#contact-note-error').textContent = '';
      try {
        await api().request('PATCH', `/contacts/${enc(c.id)}`, { note: text });
        announce('Note added to the contact.');
        await refresh();
      } catch (err) {
        if (!showProblems(err)) $('#contact-note-error').textContent = err.message;
      }
    });
    return h('section', { class: 'contact-notes', 'aria-labelledby': 'contact-notes-title' },
      h('h3', { id: 'contact-notes-title' }, 'Notes'),
      form,
      h('ol', { class: 'contact-note-list', id: 'contact-note-list' },
        c.notes.length ? c.notes.map((n) => h('li', null,
          h('p', { class: 'contact-note-meta' }, when(n.at), n.by ? ` · ${agentName(n.by)}` : ' · CRM sync',
            n.chatId ? [' · ', h('a', { href: `#chat/${enc(n.chatId)}` }, 'open the chat')] : null),
          h('p', { class: 'contact-note-body' }, n.body),
          (n.attachments || []).length
            ? h('p', { class: 'hint' }, n.attachments.map((a) => `${a.name} (${Math.max(1, Math.round(a.size / 1024))} KB)`).join(', '))
            : null))
          : h('li', { class: 'hint' }, 'No notes yet.')));
  }

  function renderPick(crm) {
    const waitingFor = crm.choice;
    const opts = (crm.candidates || []).map((c, i) => h('label', { class: 'pick-option' },
      h('input', { type: 'radio', name: 'crm-pick', value: c.id, checked: waitingFor ? waitingFor === c.id : i === 0, disabled: Boolean(waitingFor) }),
      ` ${c.name || 'No name'}`, h('span', { class: 'hint' }, [c.phone, c.mobilePhone, c.email].filter(Boolean).join(' · '))));
    opts.push(h('label', { class: 'pick-option' },
      h('input', { type: 'radio', name: 'crm-pick', value: 'create', checked: waitingFor === 'create', disabled: Boolean(waitingFor) }), ' Create a new contact'));
    const form = h('form', { class: 'crm-pick', id: 'crm-pick', novalidate: true },
      h('fieldset', null, h('legend', null, 'Several contacts have this number: which one is it?'), opts),
      h('p', { class: 'error', id: 'crm-pick-error', role: 'alert' }),
      waitingFor
        ? h('p', { class: 'hint', id: 'crm-pick-wait', role: 'status' }, 'Linking… the chat\'s events are posted once CRM sync applies the choice.')
        : h('button', { type: 'submit', id: 'crm-pick-submit' }, 'Link this contact'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = form.querySelector('input[name=crm-pick]:checked')?.value;
      if (!v) return;
      $('#crm-pick-submit').disabled = true;
      try {
        await api().post(`/chats/${enc(chatId)}/crm`, v === 'create' ? { create: true } : { contactId: v });
        announce('Contact chosen; linking.');
        await refresh();
      } catch (err) {
        $('#crm-pick-error').textContent = err.message;
        if ($('#crm-pick-submit')) $('#crm-pick-submit').disabled = false;
      }
    });
    return form;
  }

  function renderPast(chats) {
    return h('section', { class: 'contact-past', 'aria-labelledby': 'contact-past-title' },
      h('h3', { id: 'contact-past-title' }, 'Past chats'),
      h('ul', { class: 'history-list', id: 'contact-past-list' },
        chats.length ? chats.map((c) => h('li', null,
          c.id === chatId
            ? h('span', { 'aria-current': 'page' }, `This chat, ${when(c.createdAt)}`)
            : h('a', { href: `#chat/${enc(c.id)}` }, `Chat of ${when(c.createdAt)}`),
          ` · ${queueName(c.queueId)} · ${c.status === 'ended' ? (c.endReason || 'ended') : c.status}`,
          c.agentId ? ` · ${agentName(c.agentId)}` : ''))
          : h('li', { class: 'hint' }, 'No chats you can read.')));
  }

  return { open, close, refresh };
}
