// Admin page "Canned messages": the prepared replies agents pick, per
// language and queue, with their placeholders and a preview the server
// renders as an agent would send it (for a consumer whose first name is
// known and one whose is not), with encoding and segments. Saved through
// AdminAPI with the configuration's revision.
import { h } from './dom.js';
import { registerAdminPage } from './admin_pages.js';

registerAdminPage('canned', { title: 'Canned messages', order: 35, render: renderCanned });

const PLACEHOLDERS = [
  ['AGENT', 'the first name of the agent who sends it'],
  ['CONSUMER_FIRST_NAME', 'the consumer’s first name once a CRM knows it (left out, with its gap, until then)'],
  ['QUEUE', 'the name of the chat’s queue'],
];

async function renderCanned(ui) {
  const { st, page } = ui;
  let items;
  try {
    items = await st.client.get('/canned');
  } catch (err) {
    page.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Cannot list the canned messages: ${err.message}`));
    return;
  }
  const langFilter = ui.select([['', 'Every language'], ...ui.languages().map((l) => [l, l])], st.cannedLang || '', { id: 'canned-filter-language' });
  const queueFilter = ui.select([['', 'Every queue'], ...st.config.queues.map((q) => [q.id, `${q.name} (${q.id})`])], st.cannedQueue || '', { id: 'canned-filter-queue' });
  const listEl = h('div', { id: 'canned-list' });
  const editor = h('div', { id: 'canned-editor' });
  const drawList = () => {
    st.cannedLang = langFilter.value;
    st.cannedQueue = queueFilter.value;
    const shown = items.filter((c) => (!langFilter.value || !c.language || c.language === langFilter.value)
      && (!queueFilter.value || !(c.queueIds || []).length || (c.queueIds || []).includes(queueFilter.value)));
    listEl.replaceChildren(shown.length ? h('table', { class: 'admin-table', id: 'canned-table' },
      h('caption', {}, 'Canned messages'),
      h('thead', {}, h('tr', {}, ['Title', 'Language', 'Queues', 'Text', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, shown.map((c) => h('tr', { dataset: { canned: c.id } },
        h('th', { scope: 'row' }, c.title), h('td', {}, c.language || 'Any'),
        h('td', {}, (c.queueIds || []).length ? c.queueIds.map(ui.queueName).join(', ') : 'Every queue'),
        h('td', { class: 'canned-body' }, c.body),
        h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${c.title}`, onclick: () => edit(c) }, 'Edit'))))))
      : h('p', { class: 'empty' }, items.length ? 'None for this language and queue.' : 'No canned messages yet.'));
  };
  langFilter.addEventListener('change', drawList);
  queueFilter.addEventListener('change', drawList);

  function edit(c) {
    const isNew = !c;
    c = c || { id: '', title: '', language: langFilter.value, body: '', queueIds: queueFilter.value ? [queueFilter.value] : [] };
    const f = {
      id: ui.input({ id: 'canned-id', value: c.id, readonly: !isNew }),
      title: ui.input({ id: 'canned-title', value: c.title }),
      language: ui.select([['', 'Any language'], ...ui.languages().map((l) => [l, l])], c.language || '', { id: 'canned-language' }),
      body: ui.textarea({ id: 'canned-body', rows: 4 }),
    };
    f.body.value = c.body;
    const queueBoxes = st.config.queues.map((q) => ui.checkbox((c.queueIds || []).includes(q.id), { value: q.id, id: ui.nextId('cq') }));
    const preview = h('section', { id: 'canned-preview', class: 'preview', 'aria-labelledby': 'canned-preview-title', 'aria-live': 'polite' },
      h('h3', { id: 'canned-preview-title' }, 'What the consumer receives'), h('div', { class: 'preview-body' }));
    const form = h('form', { id: 'canned-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'canned-form-title' },
      h('h2', { id: 'canned-form-title' }, isNew ? 'New canned message' : `Canned message ${c.title}`),
      ui.field('Id', f.id, { name: 'id', hint: isNew ? 'Letters, digits, dashes; it cannot change later.' : 'Ids cannot change.' }),
      ui.field('Title', f.title, { name: 'title', hint: 'What agents see in the picker.' }),
      ui.field('Language', f.language, { name: 'language', hint: 'Offered in chats of this language only; Any: in every chat.' }),
      h('fieldset', { 'data-field': 'queueIds', id: 'canned-queues' }, h('legend', {}, 'Queues'),
        h('p', { class: 'hint' }, 'Offered in chats in these queues or below them; none ticked: every queue.'),
        queueBoxes.map((b) => h('div', { class: 'field check' }, b, h('label', { for: b.id }, ui.queueName(b.value)))),
        h('p', { id: 'canned-queues-err', class: 'field-error', hidden: true })),
      ui.field('Text', f.body, { name: 'body', hint: 'Up to 1,600 characters.' }),
      h('div', { class: 'msg-vars' }, 'Placeholders: ', PLACEHOLDERS.map(([v, what]) => h('button', {
        type: 'button', class: 'secondary small var', title: what, 'aria-label': `Insert @{${v}}: ${what}`,
        onclick: () => insert(f.body, `@{${v}}`),
      }, `@{${v}}`))),
      preview,
      ui.formFooter(isNew ? 'Add canned message' : 'Save canned message', isNew ? [] : [h('button', { type: 'button', class: 'danger', id: 'canned-delete', onclick: () => del() }, 'Delete')]));
    const read = () => ({
      id: f.id.value.trim(), title: f.title.value.trim(), language: f.language.value, body: f.body.value,
      queueIds: queueBoxes.filter((b) => b.checked).map((b) => b.value),
    });
    let timer = 0;
    let asked = 0;
    const refresh = async () => {
      const mine = ++asked;
      const body = read();
      const el = preview.querySelector('.preview-body');
      if (!body.body.trim()) {
        el.replaceChildren(h('p', { class: 'hint' }, 'Type the text to see it as sent.'));
        return;
      }
      try {
        const p = await st.client.post('/canned/preview', { ...body, id: body.id || 'preview', title: body.title || 'preview' });
        if (mine !== asked) return;
        el.replaceChildren(...p.texts.map((t) => h('div', { class: 'canned-case', dataset: { case: t.case } }, h('h4', {}, t.case), ui.smsText(t))));
      } catch (err) {
        if (mine === asked) el.replaceChildren(h('p', { class: 'error' }, `No preview: ${err.message}`));
      }
    };
    form.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    form.addEventListener('change', () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = read();
      if (!body.id) {
        ui.showErrors(form, { message: 'The canned message needs an id.', problems: [{ field: 'id', message: 'Type an id, such as greeting.' }] });
        return;
      }
      try {
        const out = await st.client.put(`/canned/${encodeURIComponent(body.id)}`, body);
        items = items.filter((x) => x.id !== out.id).concat(out).sort((a, b) => a.id.localeCompare(b.id));
        drawList();
        edit(out);
        ui.saved(document.getElementById('canned-form'), `Canned message ${out.title} saved.`);
      } catch (err) {
        ui.showErrors(form, err, '');
      }
    });
    async function del() {
      try {
        await st.client.del(`/canned/${encodeURIComponent(c.id)}`);
        items = items.filter((x) => x.id !== c.id);
        drawList();
        editor.replaceChildren();
        ui.announce(`Canned message ${c.title} deleted.`);
      } catch (err) {
        ui.showErrors(form, err, '');
      }
    }
    editor.replaceChildren(form);
    refresh();
    (isNew ? f.id : f.title).focus();
  }

  function insert(box, text) {
    const [a, b] = [box.selectionStart ?? box.value.length, box.selectionEnd ?? box.value.length];
    box.value = box.value.slice(0, a) + text + box.value.slice(b);
    box.focus();
    box.setSelectionRange(a + text.length, a + text.length);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  drawList();
  page.replaceChildren(
    h('div', { class: 'admin-toolbar' },
      ui.field('Language', langFilter), ui.field('Queue', queueFilter),
      h('button', { type: 'button', id: 'canned-add', onclick: () => edit(null) }, 'New canned message')),
    h('div', { class: 'admin-columns' }, listEl, editor));
}
