// The Admin area of the console (role admin). This module has the frame
// (navigation, loading, the conflict banner), the helpers every page uses
// (ui, below) and four pages: SMS settings, business numbers with their
// carrier webhook URLs, the queue tree with its menu preview, and
// OutboundAPI keys. The other pages are modules that register themselves
// in admin_pages.js (system messages, canned messages, agents and teams,
// CRM connection, import / export). Every page reads GET /AdminAPI/config and
// saves through AdminAPI, the one write path; the server validates and
// renders (menus and system messages come from its preview routes, so the
// pages never show a text routing would not send). Its refusals are shown
// next to the field they name; a save made after someone else's is refused
// (409) and the page asks to reload (adminclient.js).
import { AdminClient } from './adminclient.js';
import { $, h, show } from './dom.js';
import { adminPages, pageList, registerAdminPage } from './admin_pages.js';
// Pages in their own modules register themselves when imported.
import './admin_messages.js';
import './admin_canned.js';
import './admin_agents.js';
import './admin_transfer.js';
import './admin_crm.js';

// The timeouts and their built-in defaults (chat.DefaultTimeouts) and range
// (chat.MinTimeout..MaxTimeout, whole minutes). Only the hints use them:
// the server applies and checks the real ones.
const TIMEOUTS = [
  ['queueMinutes', 'Waiting for an agent', 60],
  ['endUserInactivityMinutes', 'Consumer inactivity', 30],
  ['agentInactivityMinutes', 'Agent inactivity', 15],
  ['expiryMinutes', 'Chat expiry', 24 * 60],
  ['offerMinutes', 'Offer to an agent', 2],
  ['dismissalMinutes', 'Menu left unanswered (dismissal)', 15],
];
const MIN_TIMEOUT = 1;
const MAX_TIMEOUT = 7 * 24 * 60;
const PROVIDERS = ['twilio', 'telnyx', 'bandwidth'];
const NUMBER_TYPES = [['', 'Long code (default)'], ['long-code', 'Long code'], ['toll-free', 'Toll-free'], ['short-code', 'Short code']];
const CAMPAIGN_STATUSES = ['', 'pending', 'verified', 'rejected', 'suspended', 'expired', 'unregistered'];
const SCOPES = [['session', 'Chats an agent answers (POST /OutboundAPI/v1/sms)'], ['sessionless', 'Texts without a chat (POST /OutboundAPI/v1/sessionless_sms)']];
const STALE = 'Changed by someone else since you loaded this page: reload, then make your change again.';

// normalize gives a configuration every list, empty when the JSON left it
// out.
function normalize(c) {
  for (const k of ['numbers', 'queues', 'teams', 'agents']) c[k] = c[k] || [];
  c.settings = c.settings || {};
  return c;
}

export function setupAdmin({ cfg, token, unauthorized, announce }) {
  const st = { me: null, client: null, config: null, page: '', selected: null, previewTimer: 0 };
  const view = $('#admin-view');
  const link = $('#admin-link');
  const page = $('#admin-page');
  let uid = 0;
  const nextId = (p) => `${p}-${++uid}`;

  // The pages of this module, then the navigation from every registered
  // page.
  registerAdminPage('settings', { title: 'SMS settings', order: 10, render: () => renderSettings() });
  registerAdminPage('numbers', { title: 'Numbers', order: 20, render: () => renderNumbers() });
  registerAdminPage('queues', { title: 'Queues', order: 30, render: () => renderQueues() });
  registerAdminPage('keys', { title: 'API keys', order: 80, render: () => renderKeys() });
  view.querySelector('.admin-nav').replaceChildren(...pageList().map(([name, p]) => h('a', { href: `#admin/${name}`, dataset: { page: name } }, p.title)));

  window.addEventListener('hashchange', () => route());
  $('#admin-reload').addEventListener('click', () => {
    show($('#admin-conflict'), false);
    render(st.page);
  });

  function applyMe(me) {
    st.me = me;
    const admin = !!me && me.role === 'admin';
    show(link, admin);
    if (admin && !st.client) st.client = new AdminClient(cfg.adminAPI, token, unauthorized);
    if (!admin) {
      st.client = null;
      st.config = null;
      show(view, false);
      page.replaceChildren();
      return;
    }
    // After the caller has shown its own views (startSession shows the
    // workspace right after applyMe).
    queueMicrotask(route);
  }

  function route() {
    if (!st.client) return;
    const m = /^#admin(?:\/([a-z-]+))?/.exec(location.hash);
    if (!m) {
      show(view, false);
      show($('#workspace'));
      link.textContent = 'Admin';
      link.href = '#admin/settings';
      st.page = '';
      return;
    }
    const name = adminPages.has(m[1]) ? m[1] : 'settings';
    show($('#workspace'), false);
    show(view);
    link.textContent = 'Back to the desk';
    link.href = '#';
    for (const a of view.querySelectorAll('.admin-nav a')) {
      if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (name !== st.page) {
      st.page = name;
      render(name);
    }
  }

  let renders = 0;
  async function render(name) {
    // A page left before its configuration arrived must not draw over the
    // page chosen since: only the latest render draws.
    const mine = ++renders;
    document.title = `${adminPages.get(name).title} · Admin · smsdesk`;
    page.replaceChildren(h('p', { class: 'hint' }, 'Loading…'));
    let config;
    try {
      config = normalize(await st.client.config());
    } catch (err) {
      if (mine !== renders) return;
      page.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Cannot load the configuration: ${err.message}`));
      return;
    }
    if (mine !== renders) return;
    st.config = config;
    show($('#admin-conflict'), false);
    adminPages.get(name).render(ui);
    view.dataset.revision = st.client.revision;
  }

  // configLanguages are the settings' languages, the default first.
  function configLanguages() {
    const s = st.config.settings;
    const out = [];
    for (const l of [s.defaultLanguage, ...(s.languages || [])]) {
      const v = String(l || '').trim().toLowerCase();
      if (v && !out.includes(v)) out.push(v);
    }
    return out.length ? out : ['en'];
  }

  // ---- forms and their errors ---------------------------------------------

  // field is a labelled control with its hint and the place its error goes.
  function field(label, control, { name = '', hint = '' } = {}) {
    const id = control.id || nextId('f');
    control.id = id;
    if (name) control.dataset.field = name;
    const hintEl = hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null;
    const errEl = h('p', { id: `${id}-err`, class: 'field-error', hidden: true });
    control.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : '', `${id}-err`].filter(Boolean).join(' '));
    if (control.type === 'checkbox') {
      return h('div', { class: 'field check' }, control, h('label', { for: id }, label), hintEl, errEl);
    }
    return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl, errEl);
  }

  const input = (attrs) => h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const checkbox = (checked, attrs = {}) => {
    const el = h('input', { type: 'checkbox', ...attrs });
    el.checked = !!checked;
    return el;
  };
  const select = (options, value, attrs = {}) => {
    const el = h('select', attrs, options.map(([v, text]) => h('option', { value: v }, text)));
    el.value = value ?? '';
    return el;
  };
  const list = (s) => String(s || '').split(',').map((x) => x.trim()).filter(Boolean);
  const minutes = (el) => (el.value.trim() === '' ? 0 : Number(el.value));

  function clearErrors(form) {
    for (const e of form.querySelectorAll('.field-error')) {
      e.textContent = '';
      e.hidden = true;
    }
    for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
    const general = form.querySelector('.form-error');
    if (general) general.textContent = '';
  }

  // findField finds the control a problem names, trying the field, then
  // without its last index or member (keywords[1] → keywords).
  function findField(form, name) {
    for (let f = name; f; f = f.replace(/(\[[^\]]*\]|\.[^.[]*)$/, '')) {
      const el = form.querySelector(`[data-field="${CSS.escape(f)}"]`);
      if (el) return el;
      if (!/(\[[^\]]*\]|\.[^.[]*)$/.test(f)) break;
    }
    return null;
  }

  // showErrors puts each problem next to its field (prefix, such as
  // "queues[billing].", is the document's name in the problems); the rest
  // and the message go to the form's error line.
  function showErrors(form, err, prefix) {
    clearErrors(form);
    const general = form.querySelector('.form-error');
    if (err.stale) {
      general.textContent = STALE;
      show($('#admin-conflict'));
      announce(STALE);
      return;
    }
    const rest = [];
    let first = null;
    for (const p of err.problems || []) {
      const name = prefix && p.field.startsWith(prefix) ? p.field.slice(prefix.length) : p.field;
      const el = findField(form, name);
      if (!el) {
        rest.push(`${p.field}: ${p.message}`);
        continue;
      }
      const e = document.getElementById(`${el.id}-err`);
      e.textContent = e.textContent ? `${e.textContent} ${p.message}` : p.message;
      e.hidden = false;
      el.setAttribute('aria-invalid', 'true');
      first = first || el;
    }
    general.textContent = [err.message, ...rest].join(' — ');
    (first || general).focus?.();
  }

  function formFooter(saveLabel, extra = []) {
    return [
      h('p', { class: 'form-error error', role: 'alert', tabindex: '-1' }),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit' }, saveLabel), extra),
      h('p', { class: 'form-status', role: 'status' }),
    ];
  }

  function saved(form, text) {
    form.querySelector('.form-status').textContent = text;
    announce(text);
    view.dataset.revision = st.client.revision;
  }

  // measureLine says what a text costs: encoding, segments, characters,
  // and a warning when it needs UCS-2 or more than one segment.
  function measureLine(t) {
    const seg = `${t.segments} segment${t.segments === 1 ? '' : 's'}`;
    const warn = t.encoding === 'UCS-2' || t.segments > 1;
    let text = `${t.encoding} · ${seg} · ${t.characters} characters`;
    if (t.encoding === 'UCS-2') text += ' — a character outside GSM-7 makes every segment 70 characters';
    else if (t.segments > 1) text += ' — billed as several texts';
    return h('p', { class: `measure${warn ? ' warn' : ''}`, dataset: { encoding: t.encoding, segments: String(t.segments) } }, text);
  }

  function smsText(t) {
    return h('div', { class: 'sms-preview', dataset: { lang: t.language } },
      h('p', { class: 'sms-text', lang: t.language }, t.text), measureLine(t));
  }

  function copyButton(text, what) {
    return h('button', {
      type: 'button', class: 'secondary small', 'aria-label': `Copy ${what}`,
      onclick: async (e) => {
        try {
          await navigator.clipboard.writeText(text);
          e.target.textContent = 'Copied';
          announce(`${what} copied.`);
        } catch {
          // No clipboard permission: select the text for Ctrl+C.
          const code = e.target.parentElement.querySelector('code, output');
          if (code) getSelection().selectAllChildren(code);
          announce('Press Ctrl+C to copy the selected text.');
        }
      },
    }, 'Copy');
  }

  // ---- SMS settings -------------------------------------------------------

  function renderSettings() {
    const s = st.config.settings;
    const t = s.timeouts || {};
    const q = s.quietHours || {};
    const f = {
      channel: checkbox(s.channelEnabled, { id: 'set-channel' }),
      outbound: checkbox(s.outboundEnabled, { id: 'set-outbound' }),
      name: input({ id: 'set-program-name', value: s.program?.name || '' }),
      frequency: input({ id: 'set-program-frequency', value: s.program?.frequency || '' }),
      help: input({ id: 'set-program-help', value: s.program?.helpContact || '' }),
      defaultLanguage: input({ id: 'set-default-language', value: s.defaultLanguage || '', size: 6 }),
      languages: input({ id: 'set-languages', value: (s.languages || []).join(', ') }),
      back: input({ id: 'set-back-words', value: (s.backWords || []).join(', ') }),
      exit: input({ id: 'set-exit-words', value: (s.exitWords || []).join(', ') }),
      quiet: checkbox(q.enabled, { id: 'set-quiet' }),
      start: input({ id: 'set-quiet-start', type: 'time', value: q.start || '' }),
      end: input({ id: 'set-quiet-end', type: 'time', value: q.end || '' }),
      zone: input({ id: 'set-time-zone', value: q.timeZone || '', list: 'admin-time-zones' }),
      countries: input({ id: 'set-countries', value: (s.allowedCountries || []).join(', ') }),
    };
    const timeouts = {};
    for (const [key, , def] of TIMEOUTS) {
      timeouts[key] = h('input', { type: 'number', id: `set-${key}`, min: MIN_TIMEOUT, max: MAX_TIMEOUT, step: 1, inputmode: 'numeric', placeholder: String(def), value: t[key] || '' });
    }
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const read = () => ({
      ...s,
      channelEnabled: f.channel.checked,
      outboundEnabled: f.outbound.checked,
      program: { name: f.name.value.trim(), frequency: f.frequency.value.trim(), helpContact: f.help.value.trim() },
      defaultLanguage: f.defaultLanguage.value.trim().toLowerCase(),
      languages: list(f.languages.value.toLowerCase()),
      backWords: list(f.back.value),
      exitWords: list(f.exit.value),
      timeouts: Object.fromEntries(TIMEOUTS.map(([k]) => [k, minutes(timeouts[k])]).filter(([, v]) => v)),
      quietHours: { enabled: f.quiet.checked, start: f.start.value, end: f.end.value, timeZone: f.zone.value.trim() },
      allowedCountries: list(f.countries.value.toUpperCase()),
    });
    const preview = h('section', { id: 'settings-preview', class: 'preview', 'aria-labelledby': 'settings-preview-title', 'aria-live': 'polite' },
      h('h2', { id: 'settings-preview-title' }, 'What consumers receive'));
    const form = h('form', { id: 'settings-form', class: 'admin-form', novalidate: true },
      h('fieldset', {}, h('legend', {}, 'Channel'),
        field('SMS channel on', f.channel, { name: 'channelEnabled', hint: 'Off: texts to every number get no answer and no chat.' }),
        field('Outbound SMS on', f.outbound, { name: 'outboundEnabled', hint: 'Agents (New SMS) and business systems (OutboundAPI) may text first.' })),
      h('fieldset', {}, h('legend', {}, 'Opt-in program'),
        field('Program name', f.name, { name: 'program.name' }),
        field('Message frequency', f.frequency, { name: 'program.frequency', hint: 'As the opt-in text says it, e.g. “Msg frequency varies”; empty: the built-in wording per language.' }),
        field('Help contact', f.help, { name: 'program.helpContact', hint: 'Where HELP points: a phone number, an address or a URL.' })),
      h('fieldset', {}, h('legend', {}, 'Languages'),
        field('Default language', f.defaultLanguage, { name: 'defaultLanguage', hint: 'A code such as en; one of the languages below.' }),
        field('Languages', f.languages, { name: 'languages', hint: 'Codes, comma separated: en, es.' }),
        field('BACK words', f.back, { name: 'backWords', hint: 'Comma separated; empty: the built-in ones (BACK, ATRAS, …). Each language’s messages name the word of that language.' }),
        field('EXIT words', f.exit, { name: 'exitWords', hint: 'Comma separated; empty: the built-in ones (EXIT, SALIR, …).' })),
      h('fieldset', {}, h('legend', {}, 'Default timeouts (minutes)'),
        h('p', { class: 'hint' }, `Every queue inherits these unless it sets its own. Each is ${MIN_TIMEOUT} to ${MAX_TIMEOUT.toLocaleString()} minutes (7 days); empty: the built-in default shown.`),
        TIMEOUTS.map(([key, label, def]) => field(label, timeouts[key], { name: `timeouts.${key}`, hint: `Empty: ${def} (built in).` }))),
      h('fieldset', {}, h('legend', {}, 'Quiet hours for proactive texts'),
        field('Hold proactive texts in quiet hours', f.quiet, { name: 'quietHours.enabled' }),
        field('Quiet from', f.start, { name: 'quietHours.start' }),
        field('Quiet until', f.end, { name: 'quietHours.end', hint: 'In the consumer’s local time; earlier than “from” crosses midnight.' }),
        field('Time zone', f.zone, { name: 'quietHours.timeZone', hint: 'IANA name (America/New_York), used when the consumer’s own cannot be told from the number.' }),
        h('datalist', { id: 'admin-time-zones' }, zones.map((z) => h('option', { value: z })))),
      h('fieldset', {}, h('legend', {}, 'Outbound destinations'),
        field('Allowed destination countries', f.countries, { name: 'allowedCountries', hint: 'ISO codes, comma separated; empty: US only.' })),
      formFooter('Save settings'),
    );
    const refresh = async () => {
      try {
        const p = await st.client.post('/settings/preview', read());
        renderSettingsPreview(preview, p);
      } catch (err) {
        preview.replaceChildren(preview.firstChild, h('p', { class: 'error' }, `No preview: ${err.message}`));
      }
    };
    form.addEventListener('input', () => {
      clearTimeout(st.previewTimer);
      st.previewTimer = setTimeout(refresh, 250);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        st.config.settings = await st.client.put('/settings', read());
        clearErrors(form);
        saved(form, 'Settings saved.');
      } catch (err) {
        showErrors(form, err, 'settings.');
      }
    });
    page.replaceChildren(h('div', { class: 'admin-columns' }, form, preview));
    refresh();
  }

  function renderSettingsPreview(el, p) {
    const byLang = new Map();
    for (const t of p.texts) {
      if (!byLang.has(t.language)) byLang.set(t.language, []);
      byLang.get(t.language).push(t);
    }
    const parts = [];
    for (const [lang, texts] of byLang) {
      const main = texts.filter((t) => t.message === 'optIn' || t.message === 'help');
      const rest = texts.filter((t) => t.message !== 'optIn' && t.message !== 'help');
      parts.push(h('section', { class: 'preview-lang', dataset: { lang } },
        h('h3', {}, `Language ${lang}`),
        main.map((t) => h('div', { dataset: { message: t.message } }, h('h4', {}, t.message === 'optIn' ? 'Opt-in (first text)' : 'HELP answer'), smsText(t))),
        h('details', {}, h('summary', {}, 'Every system message'),
          rest.map((t) => h('div', { dataset: { message: t.message } }, h('h4', {}, t.message), smsText(t))))));
    }
    const samples = Object.entries(p.samples || {}).map(([k, v]) => `@{${k}} = ${v}`).join(', ');
    el.replaceChildren(el.firstChild, h('p', { class: 'hint' }, `As the server renders them from the form (saved or not). Sample values: ${samples}.`), ...parts);
  }

  // ---- numbers ------------------------------------------------------------

  function renderNumbers() {
    const numbers = st.config.numbers;
    const table = h('table', { class: 'admin-table', id: 'numbers-table' },
      h('caption', {}, 'Business numbers'),
      h('thead', {}, h('tr', {}, ['Number', 'Provider', 'Type', 'Entry queue', 'Language', 'Enabled', 'Campaign', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, numbers.map((n) => h('tr', { dataset: { number: n.e164 } },
        h('th', { scope: 'row' }, n.e164), h('td', {}, n.provider), h('td', {}, n.type || 'long-code'),
        h('td', {}, queueName(n.entryQueue)), h('td', {}, n.language || '—'), h('td', {}, n.enabled ? 'Yes' : 'No'),
        h('td', {}, n.campaignStatus || '—'),
        h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${n.e164}`, onclick: () => editNumber(n) }, 'Edit'))))));
    const editor = h('div', { id: 'number-editor' });
    page.replaceChildren(
      h('div', { class: 'admin-toolbar' }, h('button', { type: 'button', id: 'number-add', onclick: () => editNumber(null) }, 'Add number')),
      numbers.length ? table : h('p', { class: 'empty' }, 'No business numbers yet.'),
      editor,
      webhooksSection());
  }

  function queueName(id) {
    const q = st.config.queues.find((x) => x.id === id);
    return q ? `${q.name} (${q.id})` : id || '—';
  }

  function editNumber(n) {
    const isNew = !n;
    n = n || { e164: '', provider: 'twilio', entryQueue: '', language: '', enabled: true };
    const queues = [['', 'Choose…'], ...st.config.queues.map((q) => [q.id, `${q.name} (${q.id})`])];
    const langs = [['', 'The default language'], ...(st.config.settings.languages || []).map((l) => [l, l])];
    const f = {
      e164: input({ id: 'number-e164', value: n.e164, readonly: !isNew, inputmode: 'tel' }),
      provider: select(PROVIDERS.map((p) => [p, p]), n.provider, { id: 'number-provider' }),
      service: input({ id: 'number-service', value: n.messagingServiceSid || '' }),
      lob: input({ id: 'number-lob', value: n.lineOfBusiness || '' }),
      entry: select(queues, n.entryQueue, { id: 'number-entry' }),
      language: select(langs, n.language, { id: 'number-language' }),
      enabled: checkbox(n.enabled, { id: 'number-enabled' }),
      type: select(NUMBER_TYPES, n.type || '', { id: 'number-type' }),
      brand: input({ id: 'number-brand', value: n.brandId || '' }),
      campaign: input({ id: 'number-campaign', value: n.campaignId || '' }),
      status: select(CAMPAIGN_STATUSES.map((s) => [s, s || 'Not set']), n.campaignStatus || '', { id: 'number-campaign-status' }),
      mps: h('input', { type: 'number', id: 'number-mps', min: 0, step: 'any', value: n.messagesPerSecond || '' }),
      cap: h('input', { type: 'number', id: 'number-cap', min: 0, step: 1, value: n.dailyCap || '' }),
      pool: input({ id: 'number-pool', value: n.pool || '' }),
      smsPrice: h('input', { type: 'number', id: 'number-sms-price', min: 0, max: 1, step: 'any', value: n.smsSegmentMicros ? n.smsSegmentMicros / 1e6 : '' }),
      mmsPrice: h('input', { type: 'number', id: 'number-mms-price', min: 0, max: 1, step: 'any', value: n.mmsMicros ? n.mmsMicros / 1e6 : '' }),
      routeReplies: checkbox(n.routeSessionlessReplies, { id: 'number-route-replies' }),
      auto: h('textarea', { id: 'number-auto', rows: 2 }),
      window: h('input', { type: 'number', id: 'number-conversation-window', min: 0, max: MAX_TIMEOUT, step: 1, inputmode: 'numeric', value: n.conversationWindowMinutes || '' }),
      inCall: checkbox(n.inCall, { id: 'number-in-call' }),
    };
    f.auto.value = n.autoResponse || '';
    const form = h('form', { id: 'number-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'number-form-title' },
      h('h2', { id: 'number-form-title' }, isNew ? 'New number' : `Number ${n.e164}`),
      field('Number', f.e164, { name: 'e164', hint: 'E.164 (+14155550101), a 5–6 digit short code or an alphanumeric sender id.' }),
      field('Provider', f.provider, { name: 'provider' }),
      field('Twilio Messaging Service SID', f.service, { name: 'messagingServiceSid', hint: 'Optional: sends name the service instead of the number.' }),
      field('Line of business', f.lob, { name: 'lineOfBusiness' }),
      field('Entry queue', f.entry, { name: 'entryQueue', hint: 'Where a consumer’s first text enters the queue tree.' }),
      field('Language', f.language, { name: 'language' }),
      field('Enabled', f.enabled, { name: 'enabled' }),
      field('Type', f.type, { name: 'type', hint: 'Sets the default pace and whether 10DLC applies.' }),
      field('10DLC brand id', f.brand, { name: 'brandId' }),
      field('10DLC campaign id', f.campaign, { name: 'campaignId' }),
      field('10DLC campaign status', f.status, { name: 'campaignStatus', hint: 'A US long code sends proactive texts only with a verified campaign.' }),
      field('Messages per second', f.mps, { name: 'messagesPerSecond', hint: 'Empty: the type’s default pace.' }),
      field('Daily cap (segments)', f.cap, { name: 'dailyCap', hint: 'Empty: none. Counted per day in the settings’ time zone.' }),
      field('Pool', f.pool, { name: 'pool', hint: 'Numbers of one pool share sessionless batches.' }),
      field('Carrier price per SMS segment (USD)', f.smsPrice, { name: 'smsSegmentMicros', hint: 'For the reports’ cost estimate. Empty: 0.0079.' }),
      field('Carrier price per MMS (USD)', f.mmsPrice, { name: 'mmsMicros', hint: 'For the reports’ cost estimate. Empty: 0.02.' }),
      field('Route replies to sessionless texts to the entry queue', f.routeReplies, { name: 'routeSessionlessReplies' }),
      field('Auto response to sessionless replies', f.auto, { name: 'autoResponse', hint: 'Empty: the system message in the chat’s language.' }),
      field('Conversation window (minutes)', f.window, { name: 'conversationWindowMinutes', hint: 'A text this soon after a chat ended by a timeout reopens that chat’s thread. Empty: off.' }),
      field('In-call SMS only', f.inCall, { name: 'inCall', hint: 'Reserved for texts during a voice call; it cannot be in a pool.' }),
      formFooter('Save number', isNew ? [] : [h('button', { type: 'button', class: 'danger', id: 'number-delete', onclick: () => del() }, 'Delete number')]));
    const read = () => ({
      e164: f.e164.value.trim(), provider: f.provider.value, messagingServiceSid: f.service.value.trim(),
      lineOfBusiness: f.lob.value.trim(), entryQueue: f.entry.value, language: f.language.value, enabled: f.enabled.checked,
      type: f.type.value, brandId: f.brand.value.trim(), campaignId: f.campaign.value.trim(), campaignStatus: f.status.value,
      messagesPerSecond: Number(f.mps.value) || 0, dailyCap: Number(f.cap.value) || 0, pool: f.pool.value.trim(),
      routeSessionlessReplies: f.routeReplies.checked, autoResponse: f.auto.value.trim(),
      smsSegmentMicros: Math.round(Number(f.smsPrice.value) * 1e6) || 0, mmsMicros: Math.round(Number(f.mmsPrice.value) * 1e6) || 0,
      conversationWindowMinutes: minutes(f.window), inCall: f.inCall.checked,
    });
    const prefix = () => `numbers[${f.e164.value.trim()}].`;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = read();
      if (!body.e164) {
        showErrors(form, { message: 'The number is missing.', problems: [{ field: 'e164', message: 'Type the number.' }] });
        return;
      }
      try {
        const out = await st.client.put(`/numbers/${encodeURIComponent(body.e164)}`, body);
        await reloadQuietly();
        renderNumbers();
        editNumber(st.config.numbers.find((x) => x.e164 === out.e164) || out);
        saved($('#number-form'), `Number ${out.e164} saved.`);
      } catch (err) {
        showErrors(form, err, prefix());
      }
    });
    async function del() {
      try {
        await st.client.del(`/numbers/${encodeURIComponent(n.e164)}`);
        await reloadQuietly();
        renderNumbers();
        announce(`Number ${n.e164} deleted.`);
      } catch (err) {
        showErrors(form, err, prefix());
      }
    }
    $('#number-editor').replaceChildren(form);
    f[isNew ? 'e164' : 'provider'].focus();
  }

  function webhooksSection() {
    const hooks = cfg.webhooks || [];
    return h('section', { id: 'webhooks', class: 'webhooks', 'aria-labelledby': 'webhooks-title' },
      h('h2', { id: 'webhooks-title' }, 'Webhook URLs to paste at the carrier'),
      h('p', { class: 'hint' }, 'Inbound: where the carrier posts a consumer’s text (“A message comes in”). Status: its delivery reports; Twilio’s are requested with every send, Telnyx and Bandwidth take them in the messaging profile or application.'),
      hooks.length ? h('table', { class: 'admin-table' },
        h('thead', {}, h('tr', {}, ['Carrier', 'Inbound messages', 'Delivery status'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, hooks.map((w) => h('tr', { dataset: { provider: w.provider } },
          h('th', { scope: 'row' }, w.provider),
          h('td', { class: 'url' }, h('code', { dataset: { kind: 'inbound' } }, w.inbound), copyButton(w.inbound, `${w.provider} inbound URL`)),
          h('td', { class: 'url' }, h('code', { dataset: { kind: 'status' } }, w.status), copyButton(w.status, `${w.provider} status URL`))))))
        : h('p', { class: 'empty' }, 'PUBLIC_BASE_URL is not set: the URLs are unknown.'));
  }

  async function reloadQuietly() {
    st.config = normalize(await st.client.config());
    view.dataset.revision = st.client.revision;
  }

  // ---- queue tree ---------------------------------------------------------

  function children(parentId) {
    return st.config.queues.filter((q) => (q.parentId || '') === parentId)
      .sort((a, b) => (a.order - b.order) || a.name.localeCompare(b.name));
  }

  function renderQueues() {
    const tree = h('div', { class: 'queue-tree-wrap' },
      h('h2', { id: 'queue-tree-title' }, 'Queue tree'),
      st.config.queues.length ? treeList('', 0) : h('p', { class: 'empty' }, 'No queues yet: add the top of the tree.'),
      h('button', { type: 'button', id: 'queue-add-top', onclick: () => editQueue(null, '') }, 'Add top-level queue'));
    page.replaceChildren(h('div', { class: 'admin-columns' }, tree, h('div', { id: 'queue-editor' })),
      h('section', { id: 'menu-previews', class: 'preview', 'aria-labelledby': 'menu-previews-title' },
        h('h2', { id: 'menu-previews-title' }, 'Menu preview'),
        h('p', { class: 'hint' }, 'Every menu of the saved tree as the consumer receives it, rendered by the server, per language.'),
        h('div', { id: 'menu-previews-list' })));
    const q = st.selected && st.config.queues.find((x) => x.id === st.selected);
    if (q) editQueue(q);
    renderMenuPreviews();
  }

  function treeList(parentId, depth) {
    const kids = children(parentId);
    if (!kids.length) return null;
    return h('ul', { class: depth ? 'queue-children' : 'queue-tree', 'aria-labelledby': depth ? null : 'queue-tree-title' },
      kids.map((q, i) => {
        const visible = children(q.id).filter((c) => !c.hidden).length;
        const kind = visible > 1 ? 'menu' : visible === 1 ? 'passes through' : 'leaf';
        return h('li', { dataset: { queue: q.id } },
          h('div', { class: `queue-node${q.id === st.selected ? ' selected' : ''}` },
            h('button', { type: 'button', class: 'queue-name', 'aria-current': q.id === st.selected ? 'true' : null, onclick: () => { st.selected = q.id; renderQueues(); } }, q.name),
            h('span', { class: 'queue-meta' }, [
              q.keywords?.length ? `keyword ${q.keywords.join(', ')}` : '', q.language ? `language ${q.language}` : '', kind, q.hidden ? 'hidden' : '',
            ].filter(Boolean).join(' · ')),
            h('button', { type: 'button', class: 'secondary small', 'aria-label': `Move ${q.name} up`, disabled: i === 0, onclick: () => swap(kids, i, i - 1) }, '↑'),
            h('button', { type: 'button', class: 'secondary small', 'aria-label': `Move ${q.name} down`, disabled: i === kids.length - 1, onclick: () => swap(kids, i, i + 1) }, '↓'),
            h('button', { type: 'button', class: 'secondary small', 'aria-label': `Add a queue under ${q.name}`, onclick: () => editQueue(null, q.id) }, 'Add child')),
          treeList(q.id, depth + 1));
      }));
  }

  // swap reorders two siblings: each gets a distinct order, saved one
  // after the other, each with the revision the last save answered.
  async function swap(kids, i, j) {
    const order = kids.map((q) => q.id);
    [order[i], order[j]] = [order[j], order[i]];
    try {
      for (const [n, id] of order.entries()) {
        const q = kids.find((x) => x.id === id);
        if (q.order !== n + 1) await st.client.put(`/queues/${encodeURIComponent(id)}`, { ...q, order: n + 1 });
      }
      await reloadQuietly();
      renderQueues();
      announce(`${kids[i].name} moved.`);
    } catch (err) {
      if (err.stale) show($('#admin-conflict'));
      announce(err.stale ? STALE : `Not moved: ${err.message}`);
      $('#queue-editor').replaceChildren(h('p', { class: 'error', role: 'alert' }, err.stale ? STALE : err.message));
    }
  }

  function descendants(id) {
    const out = new Set([id]);
    for (let grew = true; grew;) {
      grew = false;
      for (const q of st.config.queues) {
        if (q.parentId && out.has(q.parentId) && !out.has(q.id)) {
          out.add(q.id);
          grew = true;
        }
      }
    }
    return out;
  }

  // inherited is the value a queue's unset timeout takes, and from where:
  // the nearest ancestor setting it, the settings, or the built-in default.
  function inherited(parentId, key, def) {
    const seen = new Set();
    for (let id = parentId; id && !seen.has(id);) {
      seen.add(id);
      const p = st.config.queues.find((x) => x.id === id);
      if (!p) break;
      if (p.timeouts?.[key]) return [p.timeouts[key], `queue ${p.name}`];
      id = p.parentId || '';
    }
    const s = st.config.settings.timeouts?.[key];
    return s ? [s, 'the SMS settings'] : [def, 'the built-in default'];
  }

  // inheritedSetting is the nearest ancestor's value of a queue setting
  // (hours, survey, returning, smartEncoding) and its name, or null: unset
  // all the way up means the built-in behaviour.
  function inheritedSetting(parentId, key) {
    const seen = new Set();
    for (let id = parentId; id && !seen.has(id);) {
      seen.add(id);
      const p = st.config.queues.find((x) => x.id === id);
      if (!p) break;
      if (p[key]) return [p[key], `queue ${p.name}`];
      id = p.parentId || '';
    }
    return null;
  }

  const WEEKDAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];

  function editQueue(q, parentId = '') {
    const isNew = !q;
    q = q || { id: '', parentId, name: '', order: children(parentId).length + 1 };
    const agents = st.config.agents;
    const teams = st.config.teams;
    const excluded = isNew ? new Set() : descendants(q.id);
    const parents = [['', '(top of the tree)'], ...st.config.queues.filter((x) => !excluded.has(x.id)).map((x) => [x.id, `${x.name} (${x.id})`])];
    const langs = [['', 'Inherit'], ...(st.config.settings.languages?.length ? st.config.settings.languages : [st.config.settings.defaultLanguage || 'en']).map((l) => [l, l])];
    const requeue = q.requeueOnAgentInactivity === undefined ? '' : String(q.requeueOnAgentInactivity);
    const f = {
      id: input({ id: 'queue-id', value: q.id, readonly: !isNew }),
      name: input({ id: 'queue-name', value: q.name }),
      parent: select(parents, q.parentId || '', { id: 'queue-parent' }),
      order: h('input', { type: 'number', id: 'queue-order', min: 0, step: 1, value: q.order ?? 0 }),
      hidden: checkbox(q.hidden, { id: 'queue-hidden' }),
      keywords: input({ id: 'queue-keywords', value: (q.keywords || []).join(', ') }),
      language: select(langs, q.language || '', { id: 'queue-language' }),
      requeue: select([['', 'Inherit'], ['true', 'Put the chat back in the queue'], ['false', 'End the chat']], requeue, { id: 'queue-requeue' }),
      // Wrap-up codes (shared/chat/wrapup): none listed inherits the parent's.
      wrapCodes: input({ id: 'queue-wrapup-codes', value: (q.wrapUpCodes || []).join(', ') }),
      wrapRequired: select([['', 'Inherit'], ['true', 'Required to end a chat'], ['false', 'Optional']],
        q.wrapUpRequired === undefined ? '' : String(q.wrapUpRequired), { id: 'queue-wrapup-required' }),
    };
    // Business hours, the survey, the returning consumer and smart encoding
    // (shared/chat hours.go, survey.go, returning.go; sms smart encoding):
    // each unset inherits the nearest ancestor's.
    const hours = q.hours || {};
    const hf = {
      zone: input({ id: 'queue-hours-zone', value: hours.timeZone || '', placeholder: 'America/New_York' }),
      week: Object.fromEntries(WEEKDAYS.map(([d]) => [d, input({ id: `queue-hours-${d}`, value: (hours.week?.[d] || []).join(', '), placeholder: 'closed' })])),
      holidays: input({ id: 'queue-hours-holidays', value: (hours.holidays || []).join(', ') }),
      whenClosed: select([['end', 'End the chat (Closed message)'], ['wait', 'Keep it waiting for the opening']], hours.whenClosed || 'end', { id: 'queue-hours-when-closed' }),
      inMenu: select([['show', 'Show it as usual'], ['mark', 'Mark it “closed until …”'], ['hide', 'Hide it']], hours.inMenu || 'show', { id: 'queue-hours-in-menu' }),
    };
    const onOff = (v) => (v ? (v.enabled ? 'on' : 'off') : '');
    const sv = {
      state: select([['', 'Inherit'], ['on', 'Send a survey'], ['off', 'No survey']], onOff(q.survey), { id: 'queue-survey' }),
      window: h('input', { type: 'number', id: 'queue-survey-window', min: 1, max: MAX_TIMEOUT, step: 1, inputmode: 'numeric', placeholder: '1440', value: q.survey?.windowMinutes || '' }),
    };
    const rt = {
      state: select([['', 'Inherit'], ['on', 'Offer to the last agent first'], ['off', 'Route as usual']], onOff(q.returning), { id: 'queue-returning' }),
      window: h('input', { type: 'number', id: 'queue-returning-window', min: 0, max: MAX_TIMEOUT, step: 1, inputmode: 'numeric', placeholder: '4320', value: q.returning?.windowMinutes || '' }),
      reserve: h('input', { type: 'number', id: 'queue-returning-reserve', min: 0, max: 600, step: 1, inputmode: 'numeric', placeholder: '30', value: q.returning?.reserveSeconds || '' }),
    };
    const smart = select([['', 'Inherit'], ['lookalikes', 'GSM-7 look-alikes (quotes, dashes, …)'], ['transliterate', 'Look-alikes and accented letters']], q.smartEncoding || '', { id: 'queue-smart-encoding' });
    const inheritHint = (key, show, none) => {
      const from = inheritedSetting(f.parent.value, key);
      return from ? `Unset: inherited from ${from[1]} (${show(from[0])}).` : `Unset: inherited; no queue above sets it, so ${none}.`;
    };
    const showHours = (v) => `${v.timeZone}${v.week ? '' : ', open all day'}`;
    const showOnOff = (v) => (v.enabled ? 'on' : 'off');
    const inheritHints = [
      ['hours', 'queue-hours-zone', showHours, 'Empty time zone and days: inherit the business hours. ', 'open all day'],
      ['survey', 'queue-survey', showOnOff, '', 'no survey'],
      ['returning', 'queue-returning', showOnOff, '', 'routed as usual'],
      ['smartEncoding', 'queue-smart-encoding', (v) => v, 'Applies to system messages; the composer offers the same. ', 'texts are sent as written'],
    ];
    const refreshInheritHints = () => {
      for (const [key, id, show, pre, none] of inheritHints) {
        const el = document.getElementById(`${id}-hint`);
        if (el) el.textContent = pre + inheritHint(key, show, none);
      }
    };
    f.parent.addEventListener('change', refreshInheritHints);
    const timeouts = {};
    const timeoutFields = TIMEOUTS.map(([key, label, def]) => {
      timeouts[key] = h('input', { type: 'number', id: `queue-${key}`, min: MIN_TIMEOUT, max: MAX_TIMEOUT, step: 1, inputmode: 'numeric', value: q.timeouts?.[key] || '' });
      const hint = () => {
        const [v, from] = inherited(f.parent.value, key, def);
        return `Empty: inherits ${v} min from ${from}. ${MIN_TIMEOUT}–${MAX_TIMEOUT.toLocaleString()}.`;
      };
      timeouts[key].placeholder = String(inherited(q.parentId || '', key, def)[0]);
      const el = field(label, timeouts[key], { name: `timeouts.${key}`, hint: hint() });
      f.parent.addEventListener('change', () => {
        el.querySelector('.hint').textContent = hint();
        timeouts[key].placeholder = String(inherited(f.parent.value, key, def)[0]);
      });
      return el;
    });
    const agentBoxes = agents.map((a) => checkbox((q.agents || []).includes(a.id), { value: a.id, id: nextId('qa') }));
    const teamBoxes = teams.map((t) => checkbox((q.teams || []).includes(t.id), { value: t.id, id: nextId('qt') }));
    const form = h('form', { id: 'queue-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'queue-form-title' },
      h('h2', { id: 'queue-form-title' }, isNew ? 'New queue' : `Queue ${q.name}`),
      field('Id', f.id, { name: 'id', hint: isNew ? 'Letters, digits and dashes; it cannot change later.' : 'Ids cannot change: to rename, change the name.' }),
      field('Name', f.name, { name: 'name', hint: 'Menus show it; a consumer may also text it to choose.' }),
      field('Parent', f.parent, { name: 'parentId', hint: 'Move the queue (with everything under it) by choosing another parent.' }),
      field('Order among its siblings', f.order, { name: 'order' }),
      field('Hidden from menus', f.hidden, { name: 'hidden', hint: 'Chats can still be transferred to it.' }),
      field('Menu keywords', f.keywords, { name: 'keywords', hint: 'Comma separated; the first is what the menu tells consumers to text. Empty: its position (1, 2, …). Not an SMS command (STOP, HELP, BACK…).' }),
      field('Language', f.language, { name: 'language', hint: 'A chat entering the queue switches to it: a top-level language choice holds for every later text.' }),
      h('fieldset', {}, h('legend', {}, 'Timeouts (minutes)'), timeoutFields,
        field('When the agent stops answering', f.requeue, { name: 'requeueOnAgentInactivity' })),
      h('fieldset', {}, h('legend', {}, 'Wrap-up codes'),
        field('Codes', f.wrapCodes, { name: 'wrapUpCodes', hint: 'Comma separated, what an agent ends a chat with (Resolved, Refund issued…). Empty: the parent queue\'s.' }),
        field('A code is', f.wrapRequired, { name: 'wrapUpRequired' })),
      h('fieldset', { id: 'queue-hours' }, h('legend', {}, 'Business hours'),
        field('Time zone', hf.zone, { name: 'hours.timeZone', hint: 'x' }),
        WEEKDAYS.map(([d, label]) => field(label, hf.week[d], { name: `hours.week.${d}` })),
        h('p', { class: 'hint' }, 'Windows as HH:MM-HH:MM, comma separated (08:00-12:00, 13:00-17:00; 00:00-24:00 all day); an empty day is closed. Every day empty: open all day.'),
        field('Holidays (closed)', hf.holidays, { name: 'hours.holidays', hint: 'Dates YYYY-MM-DD, comma separated.' }),
        field('A chat reaching it while closed', hf.whenClosed, { name: 'hours.whenClosed' }),
        field('While closed, in its parent’s menu', hf.inMenu, { name: 'hours.inMenu' })),
      h('fieldset', { id: 'queue-after-chat' }, h('legend', {}, 'Survey and returning consumers'),
        field('Satisfaction survey', sv.state, { name: 'survey', hint: 'x' }),
        field('Survey answer window (minutes)', sv.window, { name: 'survey.windowMinutes', hint: 'Empty: 1440 (24 h).' }),
        field('Returning consumer', rt.state, { name: 'returning', hint: 'x' }),
        field('Returning window (minutes)', rt.window, { name: 'returning.windowMinutes', hint: 'Since the previous chat ended. Empty: 4320 (72 h).' }),
        field('Reserve the last agent for (seconds)', rt.reserve, { name: 'returning.reserveSeconds', hint: '0–600. Empty: 30.' })),
      h('fieldset', {}, h('legend', {}, 'Smart encoding'),
        field('Replace characters outside GSM-7', smart, { name: 'smartEncoding', hint: 'x' })),
      isNew ? null : h('p', { class: 'hint' }, h('a', {
        href: '#admin/messages', id: 'queue-messages-link', onclick: () => { st.msgScope = q.id; },
      }, `System messages of ${q.name}`), Object.keys(q.messages || {}).length ? ' (it has its own)' : ' (all inherited)'),
      h('fieldset', { 'data-field': 'agents', id: 'queue-agents' }, h('legend', {}, 'Agents'),
        agents.length ? agentBoxes.map((b, i) => h('div', { class: 'field check' }, b, h('label', { for: b.id }, agents[i].name || agents[i].id))) : h('p', { class: 'hint' }, 'No agents yet.'),
        h('p', { id: 'queue-agents-err', class: 'field-error', hidden: true })),
      h('fieldset', { 'data-field': 'teams', id: 'queue-teams' }, h('legend', {}, 'Teams'),
        teams.length ? teamBoxes.map((b, i) => h('div', { class: 'field check' }, b, h('label', { for: b.id }, teams[i].name || teams[i].id))) : h('p', { class: 'hint' }, 'No teams yet.'),
        h('p', { id: 'queue-teams-err', class: 'field-error', hidden: true })),
      formFooter(isNew ? 'Add queue' : 'Save queue', isNew ? [] : [h('button', { type: 'button', class: 'danger', id: 'queue-delete', onclick: () => del() }, 'Delete queue')]),
      isNew ? null : h('section', { id: 'queue-preview', class: 'preview', 'aria-labelledby': 'queue-preview-title' },
        h('h3', { id: 'queue-preview-title' }, `What a consumer reaching ${q.name} receives`), h('div', { class: 'preview-body' })));
    const read = () => {
      const out = {
        ...q,
        id: f.id.value.trim(), name: f.name.value.trim(), parentId: f.parent.value, order: Number(f.order.value) || 0,
        hidden: f.hidden.checked, keywords: list(f.keywords.value), language: f.language.value,
        timeouts: Object.fromEntries(TIMEOUTS.map(([k]) => [k, minutes(timeouts[k])]).filter(([, v]) => v)),
        agents: agentBoxes.filter((b) => b.checked).map((b) => b.value),
        teams: teamBoxes.filter((b) => b.checked).map((b) => b.value),
      };
      if (f.requeue.value) out.requeueOnAgentInactivity = f.requeue.value === 'true';
      else delete out.requeueOnAgentInactivity;
      out.wrapUpCodes = list(f.wrapCodes.value);
      if (!out.wrapUpCodes.length) delete out.wrapUpCodes;
      if (f.wrapRequired.value) out.wrapUpRequired = f.wrapRequired.value === 'true';
      else delete out.wrapUpRequired;
      const week = Object.fromEntries(WEEKDAYS.map(([d]) => [d, list(hf.week[d].value)]).filter(([, w]) => w.length));
      const holidays = list(hf.holidays.value);
      const zone = hf.zone.value.trim();
      if (zone || Object.keys(week).length || holidays.length) {
        out.hours = { timeZone: zone };
        if (Object.keys(week).length) out.hours.week = week;
        if (holidays.length) out.hours.holidays = holidays;
        if (hf.whenClosed.value !== 'end') out.hours.whenClosed = hf.whenClosed.value;
        if (hf.inMenu.value !== 'show') out.hours.inMenu = hf.inMenu.value;
      } else delete out.hours;
      if (sv.state.value) {
        out.survey = { enabled: sv.state.value === 'on' };
        if (minutes(sv.window)) out.survey.windowMinutes = minutes(sv.window);
      } else delete out.survey;
      if (rt.state.value) {
        out.returning = { enabled: rt.state.value === 'on' };
        if (minutes(rt.window)) out.returning.windowMinutes = minutes(rt.window);
        if (minutes(rt.reserve)) out.returning.reserveSeconds = minutes(rt.reserve);
      } else delete out.returning;
      if (smart.value) out.smartEncoding = smart.value;
      else delete out.smartEncoding;
      return out;
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = read();
      if (!body.id) {
        showErrors(form, { message: 'The queue needs an id.', problems: [{ field: 'id', message: 'Type an id, such as billing.' }] });
        return;
      }
      try {
        await st.client.put(`/queues/${encodeURIComponent(body.id)}`, body);
        st.selected = body.id;
        await reloadQuietly();
        renderQueues();
        saved($('#queue-form'), `Queue ${body.name} saved.`);
      } catch (err) {
        showErrors(form, err, `queues[${body.id}].`);
      }
    });
    async function del() {
      try {
        await st.client.del(`/queues/${encodeURIComponent(q.id)}`);
        st.selected = null;
        await reloadQuietly();
        renderQueues();
        announce(`Queue ${q.name} deleted.`);
      } catch (err) {
        showErrors(form, err, `queues[${q.id}].`);
      }
    }
    $('#queue-editor').replaceChildren(form);
    refreshInheritHints();
    if (!isNew) previewInto(form.querySelector('#queue-preview .preview-body'), q.id);
    (isNew ? f.id : f.name).focus();
  }

  async function previewInto(el, id) {
    try {
      const p = await st.client.get(`/queues/${encodeURIComponent(id)}/preview`);
      el.replaceChildren(...previewParts(p).filter(Boolean));
    } catch (err) {
      el.replaceChildren(h('p', { class: 'error' }, `No preview: ${err.message}`));
    }
  }

  function previewParts(p) {
    if (p.kind === 'leaf') return [h('p', { class: 'hint' }, 'A leaf: the chat waits here for an agent (the waiting message).')];
    if (p.kind === 'pass-through') {
      return [h('p', { class: 'hint' }, `One visible choice: routing passes on to ${p.options[0].name} without asking.`)];
    }
    return [
      p.language ? h('p', { class: 'hint' }, `Chats here are in ${p.language} (set by this queue or one above).`) : null,
      ...p.texts.map(smsText),
    ];
  }

  async function renderMenuPreviews() {
    const list = $('#menu-previews-list');
    // Tree order, top down: the order a consumer meets them.
    const menus = [];
    const walk = (parentId) => {
      for (const q of children(parentId)) {
        if (children(q.id).filter((c) => !c.hidden).length > 1) menus.push(q);
        walk(q.id);
      }
    };
    walk('');
    if (!menus.length) {
      list.replaceChildren(h('p', { class: 'empty' }, 'No menus yet: a queue with two or more visible children asks the consumer to choose.'));
      return;
    }
    const parts = await Promise.all(menus.map(async (q) => {
      const body = h('div', {});
      await previewInto(body, q.id);
      return h('section', { class: 'menu-preview', dataset: { queue: q.id } }, h('h3', {}, `${q.name} (${q.id})`), body);
    }));
    list.replaceChildren(...parts);
  }

  // ---- API keys -----------------------------------------------------------

  async function renderKeys() {
    const numbers = st.config.numbers;
    const numberBoxes = numbers.map((n) => checkbox(false, { value: n.e164, id: nextId('kn') }));
    const scopeBoxes = SCOPES.map(([s]) => checkbox(s === 'session', { value: s, id: nextId('ks') }));
    const name = input({ id: 'key-name' });
    const rate = h('input', { type: 'number', id: 'key-rate', min: 1, step: 1, placeholder: '10' });
    const secretBox = h('div', { id: 'key-secret', class: 'secret', hidden: true });
    const form = h('form', { id: 'key-form', class: 'admin-form', novalidate: true, 'aria-labelledby': 'key-form-title' },
      h('h2', { id: 'key-form-title' }, 'New API key'),
      h('p', { class: 'hint' }, 'A business system texts consumers first through OutboundAPI with a key. The key may send only from the numbers ticked, only what its scopes allow.'),
      field('Name', name, { name: 'name', hint: 'Who uses it, e.g. “CRM reminders”.' }),
      h('fieldset', { 'data-field': 'numbers', id: 'key-numbers' }, h('legend', {}, 'Numbers it may send from'),
        numbers.length ? numberBoxes.map((b) => h('div', { class: 'field check' }, b, h('label', { for: b.id }, b.value))) : h('p', { class: 'hint' }, 'No business numbers yet.'),
        h('p', { id: 'key-numbers-err', class: 'field-error', hidden: true })),
      h('fieldset', { 'data-field': 'scopes', id: 'key-scopes' }, h('legend', {}, 'Scopes'),
        scopeBoxes.map((b, i) => h('div', { class: 'field check' }, b, h('label', { for: b.id }, SCOPES[i][1]))),
        h('p', { id: 'key-scopes-err', class: 'field-error', hidden: true })),
      field('Requests per second', rate, { name: 'ratePerSecond', hint: 'Empty: 10.' }),
      formFooter('Create key'));
    const listEl = h('div', { id: 'keys-list' });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      show(secretBox, false);
      try {
        const out = await st.client.post('/apiKeys', {
          name: name.value.trim(),
          numbers: numberBoxes.filter((b) => b.checked).map((b) => b.value),
          scopes: scopeBoxes.filter((b) => b.checked).map((b) => b.value),
          ratePerSecond: Number(rate.value) || 0,
        });
        clearErrors(form);
        form.reset();
        secretBox.replaceChildren(
          h('h3', {}, `Secret of “${out.key.name}”`),
          h('p', { class: 'warn-text' }, 'Copy it now: it is shown this once and cannot be read again. Whoever has it can text from these numbers.'),
          h('p', { class: 'url' }, h('output', { id: 'key-secret-value' }, out.secret), copyButton(out.secret, 'secret')),
          h('button', { type: 'button', class: 'secondary', id: 'key-secret-done', onclick: () => { secretBox.replaceChildren(); show(secretBox, false); } }, 'I have copied it'));
        show(secretBox);
        secretBox.querySelector('button').focus();
        announce(`Key ${out.key.name} created; its secret is shown once.`);
        loadKeys(listEl);
      } catch (err) {
        showErrors(form, err, '');
      }
    });
    page.replaceChildren(h('div', { class: 'admin-columns' }, h('div', {}, form, secretBox), listEl));
    loadKeys(listEl);
  }

  async function loadKeys(el) {
    let keys;
    try {
      keys = await st.client.get('/apiKeys');
    } catch (err) {
      el.replaceChildren(h('p', { class: 'error' }, `Cannot list the keys: ${err.message}`));
      return;
    }
    const fmt = (iso) => (iso ? new Date(iso).toLocaleString() : '');
    el.replaceChildren(h('h2', { id: 'keys-title' }, 'API keys'),
      keys.length ? h('table', { class: 'admin-table', id: 'keys-table', 'aria-labelledby': 'keys-title' },
        h('thead', {}, h('tr', {}, ['Name', 'Numbers', 'Scopes', 'Created', 'State', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, keys.map((k) => h('tr', { dataset: { key: k.id } },
          h('th', { scope: 'row' }, k.name), h('td', {}, k.numbers.join(', ')), h('td', {}, k.scopes.join(', ')),
          h('td', {}, `${fmt(k.createdAt)}${k.createdBy ? ` by ${k.createdBy}` : ''}`),
          h('td', { class: 'key-state' }, k.revokedAt ? `Revoked ${fmt(k.revokedAt)}` : 'Active'),
          h('td', {}, k.revokedAt ? null : revokeButton(k, el))))))
        : h('p', { class: 'empty' }, 'No API keys yet.'));
  }

  // revokeButton asks once more in place (no modal to dismiss).
  function revokeButton(k, el) {
    const b = h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke ${k.name}` }, 'Revoke');
    b.addEventListener('click', async () => {
      if (b.dataset.confirm !== 'yes') {
        b.dataset.confirm = 'yes';
        b.textContent = 'Revoke now';
        b.setAttribute('aria-label', `Revoke ${k.name} now: its requests are refused at once`);
        return;
      }
      try {
        await st.client.del(`/apiKeys/${encodeURIComponent(k.id)}`);
        announce(`Key ${k.name} revoked.`);
      } catch (err) {
        announce(`Not revoked: ${err.message}`);
      }
      loadKeys(el);
    });
    return b;
  }

  // ui is what every page module gets: the state, the page element, the
  // form helpers and the error display below.
  const ui = {
    st, page, cfg, announce, STALE, nextId,
    field, input, checkbox, select, list, minutes, textarea: (attrs) => h('textarea', { spellcheck: 'true', ...attrs }),
    clearErrors, showErrors, formFooter, saved, measureLine, smsText, copyButton,
    reloadQuietly: () => reloadQuietly(),
    conflict: () => show($('#admin-conflict')),
    languages: () => configLanguages(),
    queueName: (id) => queueName(id),
    rerender: () => render(st.page),
  };

  return { applyMe };
}
