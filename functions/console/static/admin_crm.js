// Admin page "CRM connection": which CRM chats are synced to (the
// deployment's default, off, smsdesk's built-in contacts, HubSpot or a
// signed webhook), its URLs and record rules, which secrets the deployment
// has (never their values), a "Test connection" of the form as typed
// (POST /AdminAPI/crm/test), and the chats whose sync waits for a replay.
// Saved with PUT /AdminAPI/crm under the connection's own ETag.
import { h, show } from './dom.js';
import { registerAdminPage } from './admin_pages.js';

registerAdminPage('crm', { title: 'CRM connection', order: 85, render: renderCRM });

const ADAPTERS = [
  ['', 'The deployment’s default (HubSpot when its token is set)'],
  ['off', 'Off: no CRM sync'],
  ['builtin', 'Built-in contacts (kept by smsdesk)'],
  ['hubspot', 'HubSpot'],
  ['webhook', 'Signed webhook to your CRM'],
];
const PROBLEMS = {
  unauthorized: 'the CRM refused the token or secret',
  forbidden: 'the token lacks a scope',
  unreachable: 'the CRM could not be reached',
  bad_url: 'a URL is not valid',
  not_configured: 'a secret is missing on the deployment',
  off: 'CRM sync is off',
  refused: 'the CRM answered with an error',
};

async function renderCRM(ui) {
  const { st, page } = ui;
  let conn;
  let etag = '';
  try {
    conn = await st.client.get('/crm');
    etag = st.client.lastETag;
  } catch (err) {
    page.replaceChildren(h('p', { class: err.status === 503 ? 'empty' : 'error', role: 'alert' }, err.status === 503 ? `CRM sync is not built on this deployment: ${err.message}.` : `Cannot load the CRM connection: ${err.message}`));
    return;
  }
  const s = conn.settings || {};
  const num = (id, v, attrs) => h('input', { type: 'number', id, step: 1, inputmode: 'numeric', value: v ?? '', ...attrs });
  const f = {
    adapter: ui.select(ADAPTERS, s.adapter || '', { id: 'crm-adapter' }),
    portal: ui.input({ id: 'crm-portal', value: s.hubspotPortalId || '', inputmode: 'numeric' }),
    url: ui.input({ id: 'crm-webhook-url', type: 'url', value: s.webhookUrl || '' }),
    contactUrl: ui.input({ id: 'crm-contact-url', type: 'url', value: s.webhookContactUrl || '' }),
    minTexts: num('crm-min-texts', s.minConsumerTexts, { min: 0, max: 100 }),
    appendOpen: ui.checkbox(s.appendOpen, { id: 'crm-append-open' }),
    closedDays: num('crm-closed-days', s.appendClosedDays, { min: 0, max: 365 }),
    rate: num('crm-rate', s.rateLimit || '', { min: 0, placeholder: '100' }),
  };
  const secrets = conn.secrets || {};
  const hubspot = h('fieldset', { id: 'crm-hubspot' }, h('legend', {}, 'HubSpot'),
    h('p', { class: secrets.hubspotToken ? 'hint' : 'warn-text', id: 'crm-hubspot-secret' }, secrets.hubspotToken
      ? 'The private app token is set on the deployment (Secret Manager hubspot-access-token).'
      : 'No HubSpot token on the deployment: set the hubspot-access-token secret (HUBSPOT_ACCESS_TOKEN).'),
    ui.field('HubSpot account id', f.portal, { name: 'hubspotPortalId', hint: 'Digits; for the console’s links to contacts. Empty: HUBSPOT_PORTAL_ID.' }));
  const webhook = h('fieldset', { id: 'crm-webhook' }, h('legend', {}, 'Signed webhook'),
    h('p', { class: secrets.webhookSecret ? 'hint' : 'warn-text', id: 'crm-webhook-secret' }, secrets.webhookSecret
      ? 'The signing secret is set on the deployment (Secret Manager crm-webhook-secret).'
      : 'No signing secret on the deployment: set the crm-webhook-secret secret (CRM_WEBHOOK_SECRET).'),
    ui.field('Receiver URL', f.url, { name: 'webhookUrl', hint: 'https; every request is signed with the secret.' }),
    ui.field('Contact link', f.contactUrl, { name: 'webhookContactUrl', hint: 'https with {id} where the contact’s id goes; empty: no link in the console.' }));
  const rules = h('fieldset', { id: 'crm-rules' }, h('legend', {}, 'Record rules'),
    ui.field('Consumer texts before a record is made', f.minTexts, { name: 'minConsumerTexts', hint: '0 to 100; 0: at once.' }),
    ui.field('Append to the contact’s open chat in the same queue', f.appendOpen, { name: 'appendOpen' }),
    ui.field('Append to a chat closed within (days)', f.closedDays, { name: 'appendClosedDays', hint: '0 to 365; 0: never.' }),
    ui.field('CRM calls per 10 seconds', f.rate, { name: 'rateLimit', hint: 'Across every instance; empty: 100 (HubSpot’s limit for private apps).' }));
  const fit = () => {
    const a = f.adapter.value;
    show(hubspot, a === 'hubspot' || a === '');
    show(webhook, a === 'webhook');
    show(rules, a !== 'off');
  };
  f.adapter.addEventListener('change', fit);
  const report = h('div', { id: 'crm-test-report', role: 'status', 'aria-live': 'polite' });
  const effective = h('p', { class: 'hint', id: 'crm-effective' });
  const describe = (c) => {
    const e = c.effective || {};
    effective.textContent = `${c.saved ? 'Saved' : 'Not saved yet'}${c.settings?.updatedBy ? ` by ${c.settings.updatedBy}` : ''}. In force: ${ADAPTERS.find(([v]) => v === (e.adapter || ''))?.[1] || e.adapter}.`;
  };
  describe(conn);
  const read = () => {
    const out = {
      adapter: f.adapter.value, hubspotPortalId: f.portal.value.trim(), webhookUrl: f.url.value.trim(), webhookContactUrl: f.contactUrl.value.trim(),
      minConsumerTexts: ui.minutes(f.minTexts), appendOpen: f.appendOpen.checked, appendClosedDays: ui.minutes(f.closedDays), rateLimit: ui.minutes(f.rate),
    };
    for (const k of ['hubspotPortalId', 'webhookUrl', 'webhookContactUrl']) if (!out[k]) delete out[k];
    if (!out.rateLimit) delete out.rateLimit;
    return out;
  };
  const testButton = h('button', { type: 'button', class: 'secondary', id: 'crm-test' }, 'Test connection');
  testButton.addEventListener('click', async () => {
    testButton.disabled = true;
    report.replaceChildren(h('p', { class: 'hint' }, 'Testing…'));
    try {
      const r = await st.client.post('/crm/test', { settings: read() });
      report.replaceChildren(h('p', { class: r.ok ? 'form-status' : 'error', dataset: { ok: String(r.ok), problem: r.problem || '' } },
        r.ok ? `Connected (${r.adapter || 'default'}, ${r.tookMs} ms).`
          : `Not connected: ${PROBLEMS[r.problem] || r.problem}${r.status ? ` (HTTP ${r.status})` : ''}${r.error ? ` — ${r.error}` : ''}.`));
    } catch (err) {
      report.replaceChildren(h('p', { class: 'error' }, `The test could not run: ${err.message}`));
    } finally {
      testButton.disabled = false;
    }
  });
  const form = h('form', { id: 'crm-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'crm-title' },
    h('h2', { id: 'crm-title' }, 'CRM connection'),
    effective,
    ui.field('Sync chats to', f.adapter, { name: 'adapter' }),
    hubspot, webhook, rules,
    ui.formFooter('Save the connection', [testButton]),
    report);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const c = await st.client.request('PUT', '/crm', read(), { ifMatch: etag || '*' });
      etag = st.client.lastETag;
      describe(c);
      ui.clearErrors(form);
      ui.saved(form, 'CRM connection saved.');
    } catch (err) {
      ui.showErrors(form, err, '');
    }
  });
  fit();

  const pending = h('section', { id: 'crm-pending', 'aria-labelledby': 'crm-pending-title' }, h('h2', { id: 'crm-pending-title' }, 'Chats waiting for the CRM'));
  const loadPending = async () => {
    let list;
    try {
      list = await st.client.get('/crm/pending');
    } catch (err) {
      pending.replaceChildren(pending.firstChild, h('p', { class: 'hint' }, `Not available: ${err.message}`));
      return;
    }
    const replay = h('button', { type: 'button', id: 'crm-replay', disabled: !list.length }, 'Replay them');
    replay.addEventListener('click', async () => {
      try {
        const r = await st.client.post('/crm/replay');
        ui.announce(`${r.replayed.length} replayed, ${r.stillPending.length} still waiting.`);
      } catch (err) {
        ui.announce(`Not replayed: ${err.message}`);
      }
      loadPending();
    });
    pending.replaceChildren(pending.firstChild,
      list.length ? h('table', { class: 'admin-table' },
        h('thead', {}, h('tr', {}, ['Chat', 'Why it waits', 'Events behind'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, list.map((p) => h('tr', {}, h('th', { scope: 'row' }, p.chatId),
          h('td', {}, (p.parked || []).map((x) => x.error || x.reason || '').filter(Boolean).join('; ') || '—'), h('td', {}, String(p.waiting))))))
        : h('p', { class: 'empty' }, 'None: every chat’s events reached the CRM.'),
      replay);
  };
  page.replaceChildren(form, pending);
  loadPending();
}
