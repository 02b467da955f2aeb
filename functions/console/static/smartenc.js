// Smart encoding in the composer: characters outside GSM 03.38 that only
// look special (curly quotes, long dashes, "…", no-break spaces, copied in
// from a document or typed by a phone) become their GSM-7 look-alikes, so a
// reply is not sent as UCS-2 (70 characters a part instead of 160) for a
// quote mark. Accented letters are kept unless transliteration is asked for.
// A button under the reply box offers it only when it changes the text, and
// names the segment saving ("3 → 2 segments") before anything is sent.
//
// The tables are shared/sms/smartenc.go's, entry for entry (a Go test,
// shared/sms/smartenc_test.go, reads them from this file and compares).
import { $, h } from './dom.js';
import { measure } from './segments.js';

// prettier-ignore
export const LOOKALIKES = [
  ["\u2026", "..."],
  ["\u2018", "'"],
  ["\u2019", "'"],
  ["\u201a", "'"],
  ["\u201b", "'"],
  ["\u2032", "'"],
  ["\u00b4", "'"],
  ["`", "'"],
  ["\u201c", "\""],
  ["\u201d", "\""],
  ["\u201e", "\""],
  ["\u201f", "\""],
  ["\u2033", "\""],
  ["\u00ab", "\""],
  ["\u00bb", "\""],
  ["\u2039", "'"],
  ["\u203a", "'"],
  ["\u2010", "-"],
  ["\u2011", "-"],
  ["\u2012", "-"],
  ["\u2013", "-"],
  ["\u2014", "-"],
  ["\u2015", "-"],
  ["\u2212", "-"],
  ["\u00a0", " "],
  ["\u2002", " "],
  ["\u2003", " "],
  ["\u2007", " "],
  ["\u2008", " "],
  ["\u2009", " "],
  ["\u200a", " "],
  ["\u202f", " "],
  ["\u200b", ""],
  ["\u2060", ""],
  ["\ufeff", ""],
  ["\u00ad", ""],
  ["\u2022", "*"],
  ["\u00b7", "."],
  ["\u2122", "TM"],
  ["\u00a9", "(C)"],
  ["\u00ae", "(R)"],
];

// prettier-ignore
export const TRANSLITERATIONS = [
  ["\u00e1", "a"],
  ["\u00e2", "a"],
  ["\u00e3", "a"],
  ["\u0101", "a"],
  ["\u0105", "a"],
  ["\u00c1", "A"],
  ["\u00c2", "A"],
  ["\u00c3", "A"],
  ["\u00c0", "A"],
  ["\u0100", "A"],
  ["\u0104", "A"],
  ["\u00e7", "c"],
  ["\u0107", "c"],
  ["\u010d", "c"],
  ["\u0106", "C"],
  ["\u010c", "C"],
  ["\u00ea", "e"],
  ["\u00eb", "e"],
  ["\u0113", "e"],
  ["\u0119", "e"],
  ["\u011b", "e"],
  ["\u00ca", "E"],
  ["\u00cb", "E"],
  ["\u00c8", "E"],
  ["\u0112", "E"],
  ["\u0118", "E"],
  ["\u011a", "E"],
  ["\u00ed", "i"],
  ["\u00ee", "i"],
  ["\u00ef", "i"],
  ["\u012b", "i"],
  ["\u00cd", "I"],
  ["\u00ce", "I"],
  ["\u00cf", "I"],
  ["\u00cc", "I"],
  ["\u012a", "I"],
  ["\u0142", "l"],
  ["\u0141", "L"],
  ["\u0144", "n"],
  ["\u0148", "n"],
  ["\u0143", "N"],
  ["\u0147", "N"],
  ["\u00f3", "o"],
  ["\u00f4", "o"],
  ["\u00f5", "o"],
  ["\u014d", "o"],
  ["\u0151", "o"],
  ["\u00d3", "O"],
  ["\u00d4", "O"],
  ["\u00d5", "O"],
  ["\u00d2", "O"],
  ["\u014c", "O"],
  ["\u0150", "O"],
  ["\u0159", "r"],
  ["\u0158", "R"],
  ["\u015b", "s"],
  ["\u0161", "s"],
  ["\u015a", "S"],
  ["\u0160", "S"],
  ["\u00fa", "u"],
  ["\u00fb", "u"],
  ["\u016b", "u"],
  ["\u016f", "u"],
  ["\u0171", "u"],
  ["\u00da", "U"],
  ["\u00db", "U"],
  ["\u00d9", "U"],
  ["\u016a", "U"],
  ["\u016e", "U"],
  ["\u0170", "U"],
  ["\u00fd", "y"],
  ["\u00ff", "y"],
  ["\u00dd", "Y"],
  ["\u017a", "z"],
  ["\u017c", "z"],
  ["\u017e", "z"],
  ["\u0179", "Z"],
  ["\u017b", "Z"],
  ["\u017d", "Z"],
];

const lookalike = new Map(LOOKALIKES);
const transliteration = new Map(TRANSLITERATIONS);

// smartEncode applies the tables to body; mode is 'lookalikes' or
// 'transliterate' (anything else changes nothing). A GSM-7 body comes back
// unchanged, as on the server.
export function smartEncode(body, mode = 'lookalikes') {
  if ((mode !== 'lookalikes' && mode !== 'transliterate') || measure(body).encoding === 'GSM-7') return body;
  let out = '';
  for (const ch of body) {
    if (lookalike.has(ch)) out += lookalike.get(ch);
    else if (mode === 'transliterate' && transliteration.has(ch)) out += transliteration.get(ch);
    else out += ch;
  }
  return out;
}

const plural = (n) => `${n} segment${n === 1 ? '' : 's'}`;

// QUEUES_TTL_MS is how long the queues' settings are reused before they are
// read again (an admin may change them during a shift).
const QUEUES_TTL_MS = 5 * 60 * 1000;

// setupSmartEncoding adds the composer's button. The open chat's queue
// (queueOf()) decides whether it also transliterates accented letters: its
// effective smartEncoding, from GET /transfer-targets, read on first need
// and every five minutes at most.
export function setupSmartEncoding({ api = () => null, queueOf = () => '', announce = () => {} } = {}) {
  let modes = null;
  let fetchedAt = 0;
  let loading = null;
  function load() {
    if (loading || (modes && Date.now() - fetchedAt < QUEUES_TTL_MS) || !api()) return;
    loading = api().get('/transfer-targets').then((t) => {
      modes = new Map((t.queues || []).map((q) => [q.id, q.smartEncoding || '']));
      fetchedAt = Date.now();
    }).catch(() => {}).finally(() => {
      loading = null;
      update();
    });
  }
  const mode = () => (modes?.get(queueOf()) === 'transliterate' ? 'transliterate' : 'lookalikes');
  const reply = $('#reply');
  const button = h('button', { type: 'button', id: 'smart-encode', class: 'secondary small', hidden: true,
    'aria-describedby': 'smart-encode-why' });
  const why = h('span', { id: 'smart-encode-why', class: 'hint smart-why', hidden: true });
  $('#counter').after(h('span', { class: 'smart-encode' }, button, ' ', why));

  let proposal = null;
  function update() {
    load();
    const body = reply.value;
    const encoded = body ? smartEncode(body, mode()) : body;
    if (!body || encoded === body || reply.disabled) {
      proposal = null;
      button.hidden = why.hidden = true;
      return;
    }
    const before = measure(body);
    const after = measure(encoded);
    proposal = encoded;
    button.textContent = before.segments !== after.segments
      ? `GSM-7 look-alikes: ${before.segments} → ${plural(after.segments)}`
      : `GSM-7 look-alikes (${after.encoding}, ${plural(after.segments)})`;
    const what = mode() === 'transliterate'
      ? 'Replaces curly quotes, long dashes, … and special spaces with plain ones, and accented letters outside GSM-7 with plain letters (this queue transliterates)'
      : 'Replaces curly quotes, long dashes, … and special spaces with plain ones; accents stay';
    why.textContent = after.encoding === 'GSM-7' ? `${what}.` : `${what}; other characters still need UCS-2.`;
    button.hidden = why.hidden = false;
  }

  button.addEventListener('click', () => {
    if (proposal == null) return;
    const before = measure(reply.value).segments;
    reply.value = proposal;
    // app.js recounts and saves the draft on input.
    reply.dispatchEvent(new Event('input', { bubbles: true }));
    reply.focus();
    announce(`Replaced with GSM-7 look-alikes: ${before} → ${plural(measure(reply.value).segments)}.`);
  });
  reply.addEventListener('input', update);
  // Programmatic changes (a canned reply, a chat opened, a draft restored)
  // do not fire input: check on a short beat as well.
  new MutationObserver(update).observe($('#counter'), { childList: true, characterData: true, subtree: true });
  return { update };
}
