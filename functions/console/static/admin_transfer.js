// Admin page "Import / export": the whole configuration as the JSON
// document AdminAPI takes (PUT /AdminAPI/config). Export downloads it; an
// import is first compared with what is stored (POST /AdminAPI/config/diff:
// every changed path, and the problems it would be refused with), and is
// applied only after that, with the revision the diff was made against, so
// a configuration changed in between is refused instead of overwritten.
import { h, show } from './dom.js';
import { registerAdminPage } from './admin_pages.js';

registerAdminPage('transfer', { title: 'Import / export', order: 90, render: renderTransfer });

const OPS = { added: 'Added', removed: 'Removed', changed: 'Changed' };

function renderTransfer(ui) {
  const { st, page } = ui;
  let url = '';
  const download = h('a', { id: 'export-link', class: 'button', download: `smsdesk-config-${new Date().toISOString().slice(0, 10)}.json` }, 'Download the configuration (JSON)');
  const shown = ui.textarea({ id: 'export-text', rows: 10, readonly: true, spellcheck: 'false' });
  const exportNow = async () => {
    const doc = await st.client.config();
    const json = `${JSON.stringify(doc, null, 2)}\n`;
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    download.href = url;
    shown.value = json;
    download.dataset.ready = 'true';
  };
  exportNow().catch((err) => ui.announce(`Cannot export: ${err.message}`));

  const file = h('input', { type: 'file', id: 'import-file', accept: 'application/json,.json' });
  const text = ui.textarea({ id: 'import-text', rows: 12, spellcheck: 'false' });
  const result = h('section', { id: 'import-result', 'aria-live': 'polite', hidden: true });
  let pending = null; // the parsed document the diff shows
  const form = h('form', { id: 'import-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title' }, 'Import'),
    h('p', { class: 'hint' }, 'A whole configuration replaces the stored one: numbers, queues, teams and agents it does not list are deleted. You see every change before anything is saved.'),
    ui.field('A JSON file', file, { hint: 'Or paste the document below.' }),
    ui.field('The document', text, { name: 'document' }),
    ui.formFooter('Show the changes'),
    result);
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (f) text.value = await f.text();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    ui.clearErrors(form);
    show(result, false);
    let doc;
    try {
      doc = JSON.parse(text.value);
    } catch (err) {
      ui.showErrors(form, { message: 'Not JSON.', problems: [{ field: 'document', message: `The document is not JSON: ${err.message}` }] }, '');
      return;
    }
    try {
      const d = await st.client.diff(doc);
      pending = doc;
      drawDiff(d);
    } catch (err) {
      ui.showErrors(form, err, '');
    }
  });

  function value(v) {
    if (v === undefined) return '';
    const s = JSON.stringify(v);
    return s.length > 160 ? `${s.slice(0, 157)}…` : s;
  }

  function drawDiff(d) {
    const counts = Object.keys(OPS).map((op) => [op, d.changes.filter((c) => c.op === op).length]).filter(([, n]) => n);
    const apply = h('button', { type: 'button', id: 'import-apply', disabled: d.problems.length > 0 || d.changes.length === 0 }, 'Apply the import');
    const status = h('p', { class: 'form-status', role: 'status', id: 'import-status' });
    const err = h('p', { class: 'error', role: 'alert', id: 'import-error' });
    apply.addEventListener('click', async () => {
      err.textContent = '';
      try {
        await st.client.put('/config', pending);
        await ui.reloadQuietly();
        await exportNow();
        status.textContent = `Imported: ${d.changes.length} change${d.changes.length === 1 ? '' : 's'} applied.`;
        ui.announce(status.textContent);
        apply.disabled = true;
      } catch (e) {
        if (e.stale) ui.conflict();
        err.textContent = e.stale ? `${ui.STALE} (Show the changes again to compare with the new configuration.)` : [e.message, ...(e.problems || []).map((p) => `${p.field}: ${p.message}`)].join(' — ');
      }
    });
    // Through h, which leaves out the parts that are null.
    result.replaceChildren(h('div', {},
      h('h3', {}, 'What the import changes'),
      d.problems.length ? h('div', { id: 'import-problems', class: 'error', role: 'alert' },
        h('p', {}, 'The import would be refused:'),
        h('ul', {}, d.problems.map((p) => h('li', { dataset: { field: p.field } }, h('code', {}, p.field), `: ${p.message}`)))) : null,
      d.changes.length ? h('p', { id: 'import-summary' }, `${d.changes.length} change${d.changes.length === 1 ? '' : 's'}: ${counts.map(([op, n]) => `${n} ${op}`).join(', ')}.`)
        : h('p', { id: 'import-summary', class: 'empty' }, 'No change: the document is the stored configuration.'),
      d.changes.length ? h('table', { class: 'admin-table', id: 'import-diff' },
        h('thead', {}, h('tr', {}, ['Path', 'Change', 'Now', 'After the import'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, d.changes.map((c) => h('tr', { dataset: { path: c.path, op: c.op }, class: `diff-${c.op}` },
          h('th', { scope: 'row' }, h('code', {}, c.path)), h('td', {}, OPS[c.op] || c.op),
          h('td', {}, h('code', {}, value(c.before))), h('td', {}, h('code', {}, value(c.after))))))) : null,
      h('div', { class: 'form-actions' }, apply), status, err));
    show(result);
    result.querySelector('h3').scrollIntoView?.({ block: 'nearest' });
  }

  page.replaceChildren(
    h('section', { id: 'export', 'aria-labelledby': 'export-title' },
      h('h2', { id: 'export-title' }, 'Export'),
      h('p', { class: 'hint' }, 'The whole configuration as AdminAPI takes it back (PUT /AdminAPI/config): settings, numbers, queues, teams and agents. Agents’ routing state (load, last assignment) is included for reading and ignored on import.'),
      download,
      h('details', {}, h('summary', {}, 'Show the document'), ui.field('The exported document', shown))),
    form);
}
