// Admin page "System messages": every system message of one language, what
// it is for, the placeholders it is filled with, the text it inherits (the
// built-in one) and a preview the server renders with sample values, with
// its encoding and segments. An empty box keeps the inherited text. Saving
// PUTs the settings with the overrides (AdminAPI validates them: a
// placeholder the message is never filled with is refused next to it).
import { h } from './dom.js';
import { registerAdminPage } from './admin_pages.js';

registerAdminPage('messages', { title: 'System messages', order: 15, render: renderMessages });

async function renderMessages(ui) {
  const { st, page } = ui;
  const langs = ui.languages();
  const saved = st.config.settings.messages || {};
  // draft holds every language's boxes, so switching language keeps what
  // was typed until it is saved.
  const draft = Object.fromEntries(langs.map((l) => [l, { ...(saved[l] || {}) }]));
  let lang = langs[0];
  let preview = null;
  let timer = 0;

  const settingsWith = () => {
    const messages = {};
    for (const [l, byName] of Object.entries(draft)) {
      const kept = Object.fromEntries(Object.entries(byName).filter(([, v]) => v.trim() !== ''));
      if (Object.keys(kept).length) messages[l] = kept;
    }
    // Languages the settings carry overrides for but no longer list stay.
    for (const [l, byName] of Object.entries(saved)) if (!draft[l]) messages[l] = byName;
    const out = { ...st.config.settings, messages };
    if (!Object.keys(messages).length) delete out.messages;
    return out;
  };

  const langSelect = ui.select(langs.map((l) => [l, l]), lang, { id: 'msg-language' });
  const body = h('div', { id: 'msg-kinds' });
  const form = h('form', { id: 'messages-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'messages-title' },
    h('h2', { id: 'messages-title' }, 'System messages'),
    h('p', { class: 'hint' }, 'What smsdesk texts consumers by itself, per language. Leave a box empty to keep the inherited text; placeholders such as @{QUEUE} are filled for each chat. The preview is rendered by the server with sample values.'),
    ui.field('Language', langSelect, { hint: 'The languages of the SMS settings.' }),
    body,
    ui.formFooter('Save messages'));

  langSelect.addEventListener('change', () => {
    lang = langSelect.value;
    draw();
    refresh();
  });
  form.addEventListener('input', (e) => {
    const name = e.target.dataset?.message;
    if (!name) return;
    draft[lang][name] = e.target.value;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      st.config.settings = await st.client.put('/settings', settingsWith());
      ui.clearErrors(form);
      ui.saved(form, 'Messages saved.');
      refresh();
    } catch (err) {
      // A problem about another language's box: show that language.
      const other = (err.problems || []).map((p) => /^settings\.messages\.([^.]+)\./.exec(p.field)).find((m) => m && m[1] !== lang && draft[m[1]]);
      if (other) {
        lang = other[1];
        langSelect.value = lang;
        draw();
      }
      ui.showErrors(form, err, 'settings.');
    }
  });

  // draw lays out the boxes of the current language from the last preview.
  function draw() {
    if (!preview) return;
    const texts = new Map(preview.texts.filter((t) => t.language === lang).map((t) => [t.message, t]));
    body.replaceChildren(...preview.kinds.map((k) => {
      const t = texts.get(k.name);
      const box = ui.textarea({ id: `msg-${k.name}`, rows: 3, dataset: { message: k.name }, placeholder: t?.builtin || '' });
      box.value = draft[lang][k.name] || '';
      const vars = h('p', { class: 'msg-vars' }, 'Placeholders: ', k.variables.map((v) => h('button', {
        type: 'button', class: 'secondary small var', 'aria-label': `Insert @{${v}} into ${k.title}`,
        onclick: () => insert(box, `@{${v}}`),
      }, `@{${v}}`)));
      const inherited = h('div', { class: 'inherited' },
        h('p', { class: 'hint' }, box.value.trim() ? 'Replaces the built-in text:' : 'Empty: the built-in text is sent:'),
        h('p', { class: 'inherited-text', lang }, t?.builtin || ''),
        box.value.trim() ? h('button', { type: 'button', class: 'secondary small', onclick: () => { box.value = ''; draft[lang][k.name] = ''; draw(); refresh(); } }, 'Use the built-in text') : null);
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
    let p;
    try {
      p = await st.client.post('/settings/preview', settingsWith());
    } catch (err) {
      if (mine === asked) ui.showErrors(form, err, 'settings.');
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
