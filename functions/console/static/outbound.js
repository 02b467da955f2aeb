// New SMS: an agent texts a consumer first (POST /AgentAPI/outbound) from
// one of the numbers /me lists as theirs, and the chat opens in the
// conversation pane. Every refusal is said in the dialog in plain words;
// a request id is kept for the same draft, so a double click, or a retry
// after a lost answer, never starts two chats.
import { uuid } from './api.js';
import { $, h, show } from './dom.js';
import { renderCounter } from './counter.js';
import { MAX_CHARACTERS } from './segments.js';

const HINT = 'E.164 (+14155550123) or a US 10-digit number.';

// parseConsumer reads a consumer's number as typed: {state, e164, message}
// where state is 'empty', 'partial' (may still become a number), 'invalid'
// or 'valid'. Separators people type (spaces, dashes, dots, brackets) are
// allowed; a number without + is a US one, as the server reads it.
export function parseConsumer(raw) {
  const s = String(raw || '').trim();
  if (!s) return { state: 'empty', message: HINT };
  if (/[^\d\s().+-]/.test(s) || s.lastIndexOf('+') > 0) {
    return { state: 'invalid', message: 'Only digits, with + and the country code in front for a number outside the US.' };
  }
  const digits = s.replace(/\D/g, '');
  if (s.startsWith('+')) {
    if (digits.startsWith('0')) return { state: 'invalid', message: 'A country code never starts with 0.' };
    if (digits.startsWith('1')) return us(digits.slice(1), digits.length < 11, 'A +1 number has 10 digits after the 1.');
    if (digits.length < 8) return { state: 'partial', message: `Keep typing: + and 8 to 15 digits (${digits.length} so far).` };
    if (digits.length > 15) return { state: 'invalid', message: 'Too long: an E.164 number has at most 15 digits.' };
    return valid(`+${digits}`);
  }
  if (digits.startsWith('1') && digits.length <= 11) {
    return us(digits.slice(1), digits.length < 11, 'A US number has 10 digits, or 11 starting with 1.');
  }
  return us(digits, digits.length < 10, 'Too many digits for a US number; for another country, type + and the country code.');
}

// us judges the ten digits of a North American number.
function us(ten, short, tooLong) {
  if (/^[01]/.test(ten)) return { state: 'invalid', message: 'A US area code cannot start with 0 or 1.' };
  if (/^\d{3}[01]/.test(ten)) return { state: 'invalid', message: 'A US exchange (the 3 digits after the area code) cannot start with 0 or 1.' };
  if (short) return { state: 'partial', message: `Keep typing: ${ten.length} of the 10 digits of a US number.` };
  if (ten.length > 10) return { state: 'invalid', message: tooLong };
  return valid(`+1${ten}`);
}

function valid(e164) {
  return { state: 'valid', e164, message: `Texts ${e164}.` };
}

const fieldNames = { number: 'From', consumer: "Consumer's number", body: 'Message', requestId: 'Request' };

const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const weekdayTimeFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
const clockFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });

// optedOut rewrites the rule's "consumer has opted out: on 2026-11-30
// 09:00 UTC (keyword STOP)" with the date in the person's locale; a
// message of another shape is shown as it is.
function optedOut(message) {
  const m = /opted out: on (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC \(([^)]*)\)/.exec(message);
  if (!m) return `This consumer cannot be texted: ${message}.`;
  const at = new Date(`${m[1]}T${m[2]}:00Z`);
  const how = m[3].replace(/^keyword /, 'replied ').replace(/^carrier/, 'reported by the carrier');
  return `This consumer opted out on ${dateTimeFmt.format(at)} (${how}) and cannot be texted from this number. They can opt back in by texting START.`;
}

// heldText says when a text quiet hours hold goes out: the consumer's
// local time (the hour quiet hours end, from /me) and the person's own.
export function heldText(heldUntil, outboundFrom) {
  const at = new Date(heldUntil);
  const yours = weekdayTimeFmt.format(at);
  const m = /^(\d{2}):(\d{2})$/.exec(outboundFrom || '');
  const theirs = m ? clockFmt.format(new Date(Date.UTC(2000, 0, 1, Number(m[1]), Number(m[2])))) : '';
  return theirs
    ? `Held until ${theirs} in the consumer's time zone (${yours} your time): it is their quiet hours. The chat is open; the text goes out then.`
    : `Held until ${yours} your time: it is the consumer's quiet hours. The chat is open; the text goes out then.`;
}

// setupOutbound wires the New SMS button and dialog. deps: api() is the
// signed-in API client, openChat(id) shows a chat, openDialog and
// closeDialog are the console's, announce speaks to screen readers.
export function setupOutbound({ api, openChat, openDialog, closeDialog, announce }) {
  const dialog = $('#outbound-dialog');
  const opener = $('#outbound-open');
  const from = $('#outbound-from');
  const to = $('#outbound-to');
  const check = $('#outbound-to-check');
  const body = $('#outbound-body');
  const counter = $('#outbound-counter');
  const error = $('#outbound-error');
  const openChatButton = $('#outbound-open-chat');
  const held = $('#outbound-held');
  const submit = $('#outbound-submit');
  const cancel = $('#outbound-cancel');
  let numbersSig = '';
  let outboundFrom = '';
  let pending = null; // {key, requestId}: the same draft sent again reuses its id
  let busy = false;

  function validateTo(final = false) {
    const r = parseConsumer(to.value);
    const bad = r.state === 'invalid' || (final && r.state !== 'valid');
    let text = r.message;
    if (final && r.state === 'partial') text = `Not a complete number. ${r.message}`;
    if (final && r.state === 'empty') text = `Type the consumer's number: ${r.message}`;
    check.textContent = text;
    check.className = bad ? 'field-check bad' : r.state === 'valid' ? 'field-check ok' : 'field-check hint';
    to.setAttribute('aria-invalid', bad ? 'true' : 'false');
    return r;
  }

  function updateCounter() {
    const { over } = renderCounter(counter, body.value);
    submit.disabled = busy || over;
  }

  function problem(text, chatId = '') {
    error.textContent = text;
    openChatButton.dataset.chat = chatId;
    show(openChatButton, Boolean(chatId));
  }

  // finished switches the dialog to a sent draft's outcome: only Close.
  function finished(on) {
    show(submit, !on);
    cancel.textContent = on ? 'Close' : 'Cancel';
  }

  function describe(e, consumer, number) {
    const msg = e.message || '';
    if (e.status === 409 && e.body?.chatId) {
      problem(`${consumer} is already in an open chat on ${number}. Continue there.`, e.body.chatId);
      return;
    }
    if (e.status === 0) {
      problem('Not sent: the server cannot be reached. Check the connection and press Send again; it will not start a second chat.');
      return;
    }
    if (/opted out/.test(msg)) {
      problem(optedOut(msg));
      return;
    }
    if (e.problems?.length) {
      problem(`Not sent: ${e.problems.map((p) => `${fieldNames[p.field] || p.field} ${p.message}`).join('; ')}.`);
      return;
    }
    problem(`Not sent: ${msg.replace(/\.$/, '')}.`);
  }

  async function send() {
    problem('');
    held.textContent = '';
    const number = from.value;
    const r = validateTo(true);
    const text = body.value;
    if (!number) {
      problem('Pick the number to text from.');
      from.focus();
      return;
    }
    if (r.state !== 'valid') {
      to.focus();
      return;
    }
    if (!text.trim()) {
      problem('Write the message first.');
      body.focus();
      return;
    }
    if (renderCounter(counter, text).characters > MAX_CHARACTERS) {
      problem(`The message is over ${MAX_CHARACTERS.toLocaleString()} characters.`);
      body.focus();
      return;
    }
    if (busy) return; // a second click while the first is on its way
    const key = JSON.stringify([number, r.e164, text]);
    if (!pending || pending.key !== key) pending = { key, requestId: uuid() };
    busy = true;
    submit.setAttribute('aria-busy', 'true');
    updateCounter();
    try {
      const res = await api().post('/outbound', { number, consumer: r.e164, body: text, requestId: pending.requestId });
      pending = null;
      to.value = '';
      body.value = '';
      validateTo();
      const id = res.chat.id;
      if (res.heldUntil) {
        held.textContent = heldText(res.heldUntil, outboundFrom);
        finished(true);
        dialog.returnFocusTo = $('#conv-title');
        openChat(id);
        cancel.focus();
      } else {
        dialog.close();
        announce(`Chat with ${r.e164} started.`);
        openChat(id);
      }
    } catch (e) {
      describe(e, r.e164, number);
    } finally {
      busy = false;
      submit.removeAttribute('aria-busy');
      updateCounter();
    }
  }

  function open() {
    finished(false);
    held.textContent = '';
    openDialog(dialog, opener);
    problem('');
    validateTo();
    updateCounter();
    (from.options.length > 1 ? from : to).focus();
  }

  opener.addEventListener('click', open);
  to.addEventListener('input', () => validateTo());
  to.addEventListener('blur', () => to.value && validateTo(true));
  body.addEventListener('input', updateCounter);
  body.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      $('#outbound-form').requestSubmit();
    }
  });
  $('#outbound-form').addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  openChatButton.addEventListener('click', () => {
    const id = openChatButton.dataset.chat;
    dialog.returnFocusTo = $('#conv-title');
    closeDialog(dialog);
    if (id) openChat(id);
  });

  return {
    // applyMe shows the button and lists the numbers of a fresh /me; null
    // (signed out) forgets the draft.
    applyMe(me) {
      const numbers = me?.outboundNumbers || [];
      outboundFrom = me?.outboundFrom || '';
      show(opener, numbers.length > 0);
      const sig = JSON.stringify(numbers);
      if (sig !== numbersSig) {
        numbersSig = sig;
        const keep = from.value;
        from.replaceChildren(...numbers.map((n) => h('option', { value: n.e164 },
          `${n.e164} · ${n.queue?.name || n.queue?.id || ''}${n.language ? ` (${n.language.toUpperCase()})` : ''}`)));
        if (numbers.some((n) => n.e164 === keep)) from.value = keep;
      }
      if (!numbers.length && dialog.open) dialog.close();
      if (!me) {
        pending = null;
        to.value = '';
        body.value = '';
      }
    },
  };
}
