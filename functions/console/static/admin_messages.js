// Admin page "System messages": every system message of one language, for
// every queue (the SMS settings) or for one queue and those below it: what
// it is for, the placeholders it is filled with, the text it inherits (a
// parent queue's, the settings' or the built-in one, and whose) and a
// preview the server renders with sample values, with its encoding and
// segments. An empty box keeps the inherited text. Saving PUTs the settings
// or the queue with the overrides (AdminAPI validates them: a placeholder
// the message is never filled with is refused next to it).
import { h } from './dom.js';
import { registerAdminPage } from './admin_pages.js';

registerAdminPage('messages', { title: 'System messages', order: 15, render: renderMessages });

const FROM = { 'built-in': 'the built-in text', settings: 'the SMS settings' };
const from = (f) => FROM[f] || (f?.startsWith('queue ') ? `queue ${f.slice(6)}` : f || 'the built-in text');

async function renderMessages(ui) {
  const { st, page } = ui;
  const langs = ui.languages();
  // drafts hold, per scope ('' for the settings, else a queue id) and
  // language, the boxes as typed, so switching keeps them until saved.
  const drafts = {};
  const savedOf = (scope) => (scope ? st.config.queues.find((q) => q.id === scope)?.messages : st.config.settings.messages) || {};
  const draftOf = (scope) => {
    if (!drafts[scope]) {
      const saved = savedOf(scope);
      drafts[scope] = Object.fromEntries([...new Set([...langs, ...Object.keys(saved)])].map((l) => [l, { ...(saved[l] || {}) }]));
    }
    return drafts[scope];
  };
  let scope = st.msgScope && st.config.queues.some((q) => q.id === st.msgScope) ? st.msgScope : '';
  let lang = langs[0];
  let preview = null;
  let timer = 0;

  // messagesOf is a scope's overrides as saved: the non-empty boxes.
  const messagesOf = (sc) => {
    const out = {};
    for (const [l, byName] of Object.entries(draftOf(sc))) {
      const kept = Object.fromEntries(Object.entries(byName).filter(([, v]) => v.trim() !== ''));
      if (Object.keys(kept).length) out[l] = kept;
    }
    return out;
  };
  const withMessages = (doc, msgs) => {
    const out = { ...doc, messages: msgs };
    if (!Object.keys(msgs).length) delete out.messages;
    return out;
  };
  const queueOf = (id) => st.config.queues.find((q) => q.id === id);
  // The document the scope's messages live in, with the boxes as typed.
  const docOf = (sc) => withMessages(sc ? queueOf(sc) : st.config.settings, messagesOf(sc));

  const scopeSelect = ui.select([['', 'Every queue (the SMS settings)'], ...st.config.queues.map((q) => [q.id, `Queue ${q.name} (${q.id}) and below`])], scope, { id: 'msg-scope' });
  const langSelect = ui.select(langs.map((l) => [l, l]), lang, { id: 'msg-language' });
  const body = h('div', { id: 'msg-kinds' });
  const form = h('form', { id: 'messages-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'messages-title' },
    h('h2', { id: 'messages-title' }, 'System messages'),
    h('p', { class: 'hint' }, 'What smsdesk texts consumers by itself, per language. Leave a box empty to keep the inherited text; placeholders such as @{QUEUE} are filled for each chat. The preview is rendered by the server with sample values.'),
    ui.field('For', scopeSelect, { hint: 'A queue’s texts hold for chats in it and the queues below it; the rest inherit the SMS settings’.' }),
    ui.field('Language', langSelect, { hint: 'The languages of the SMS settings.' }),
    body,
    ui.formFooter('Save messages'));

  scopeSelect.addEventListener('change', () => {
    unsaved();
    scope = scopeSelect.value;
    st.msgScope = scope;
    preview = null;
    body.replaceChildren(h('p', { class: 'hint' }, 'Loading the messages…'));
    refresh();
  });
  langSelect.addEventListener('change', () => {
    lang = langSelect.value;
    draw();
    refresh();
  });
  // A change makes the last "saved" stale.
  const unsaved = () => { form.querySelector('.form-status').textContent = ''; };
  form.addEventListener('input', (e) => {
    unsaved();
    const name = e.target.dataset?.message;
    if (!name) return;
    draftOf(scope)[lang][name] = e.target.value;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const prefix = scope ? `queues[${scope}].` : 'settings.';
    try {
      if (scope) {
        await st.client.put(`/queues/${encodeURIComponent(scope)}`, docOf(scope));
        await ui.reloadQuietly();
      } else {
        st.config.settings = await st.client.put('/settings', docOf(''));
      }
      delete drafts[scope];
      ui.clearErrors(form);
      ui.saved(form, 'Messages saved.');
      refresh();
    } catch (err) {
      // A problem about another language's box: show that language.
      const re = new RegExp(`^${prefix.replace(/[[\].]/g, '\\$&')}messages\\.([^.]+)\\.`);
      const other = (err.problems || []).map((p) => re.exec(p.field)).find((m) => m && m[1] !== lang && draftOf(scope)[m[1]]);
      if (other) {
        lang = other[1];
        langSelect.value = lang;
        draw();
      }
      ui.showErrors(form, err, prefix);
    }
  });

  // draw lays out the boxes of the current language from the last preview.
  function draw() {
    if (!preview) return;
    const draft = draftOf(scope)[lang] || (draftOf(scope)[lang] = {});
    const texts = new Map(preview.texts.filter((t) => t.language === lang).map((t) => [t.message, t]));
    body.replaceChildren(...preview.kinds.map((k) => {
      const t = texts.get(k.name);
      const box = ui.textarea({ id: `msg-${k.name}`, rows: 3, dataset: { message: k.name }, placeholder: t?.inherited || '' });
      box.value = draft[k.name] || '';
      const vars = h('p', { class: 'msg-vars' }, 'Placeholders: ', k.variables.map((v) => h('button', {
        type: 'button', class: 'secondary small var', 'aria-label': `Insert @{${v}} into ${k.title}`,
        onclick: () => insert(box, `@{${v}}`),
      }, `@{${v}}`)));
      const own = box.value.trim() !== '';
      const inherited = h('div', { class: 'inherited', dataset: { from: t?.inheritedFrom || '' } },
        h('p', { class: 'hint' }, own ? `Replaces the text inherited from ${from(t?.inheritedFrom)}:` : `Empty: the text inherited from ${from(t?.inheritedFrom)} is sent:`),
        h('p', { class: 'inherited-text', lang }, t?.inherited || ''),
        own ? h('button', { type: 'button', class: 'secondary small', onclick: () => { box.value = ''; draft[k.name] = ''; draw(); refresh(); } }, 'Use the inherited text') : null);
      return h('fieldset', { class: 'msg-kind', dataset: { message: k.name } },
        h('legend', {}, k.title),
        h('p', { class: 'hint' }, k.when),
        ui.field(`${k.title} (${lang})`, box, { name: `messages.${lang}.${k.name}` }),
        vars, inherited,
        h('div', { class: 'msg-preview' }, t ? ui.smsText(t) : null));
    }));
  }

  function insert(box, text) {
    const [a, b] = [box.selectionStart ?? box.value.length, box.selectionEnd ?? box.value.length];
    box.value = box.value.slice(0, a) + text + box.value.slice(b);
    box.focus();
    box.setSelectionRange(a + text.length, a + text.length);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  // refresh asks the server for the preview of the boxes as typed and
  // updates each message's preview in place (the boxes keep focus).
  let asked = 0;
  async function refresh() {
    // Answers may come back out of order: only the latest question's draws.
    const mine = ++asked;
    const sc = scope;
    let p;
    try {
      p = sc
        ? await st.client.post(`/queues/${encodeURIComponent(sc)}/messages/preview`, docOf(sc))
        : await st.client.post('/settings/preview', docOf(''));
    } catch (err) {
      if (mine === asked) ui.showErrors(form, err, sc ? `queues[${sc}].` : 'settings.');
      return;
    }
    if (mine !== asked) return;
    const first = !preview;
    preview = p;
    if (first) {
      draw();
      return;
    }
    for (const t of p.texts.filter((x) => x.language === lang)) {
      const el = body.querySelector(`.msg-kind[data-message="${CSS.escape(t.message)}"] .msg-preview`);
      if (el) el.replaceChildren(ui.smsText(t));
    }
  }

  page.replaceChildren(form);
  body.replaceChildren(h('p', { class: 'hint' }, 'Loading the messages…'));
  await refresh();
}
