// The SMS length rules of shared/sms (segments.go), ported exactly so the
// agent sees, while typing, what the server will store and the carrier will
// bill. A Go test (segments_browser_test.go) runs this module in Chromium on
// a table of bodies and compares every result with sms.Measure.
//
//   GSM-7:  160 septets in one part, 153 per part of a longer message; the
//           extension characters (^ { } \ [ ~ ] | € and form feed) are an
//           escape plus a septet, so they count double.
//   UCS-2:  as soon as one character is outside GSM 03.38; 70 UTF-16 units
//           in one part, 67 per part; astral characters (most emoji) are a
//           surrogate pair of two units.
//   A part never splits an escape pair or a surrogate pair: the character
//   moves whole to the next part, so a part may hold one unit less.

export const GSM7 = 'GSM-7';
export const UCS2 = 'UCS-2';
export const MAX_CHARACTERS = 1600;

// The GSM 03.38 default alphabet without ESC, row by row as in segments.go.
const BASIC = new Set(Array.from(
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmno' +
  'pqrstuvwxyzäöñüà',
));

// Sent as ESC plus a second septet.
const EXTENSION = new Set(Array.from('\f^{}\\[~]|€'));

// codePoints splits a string into Unicode scalar values. A lone surrogate
// (which a JavaScript string can hold and UTF-8 cannot) becomes U+FFFD, as
// it does on its way to the server in JSON and in Go's range over a string.
function codePoints(body) {
  const out = [];
  for (const ch of body) {
    const cp = ch.codePointAt(0);
    out.push(cp >= 0xd800 && cp <= 0xdfff ? '\ufffd' : ch);
  }
  return out;
}

function isGSM7(chars) {
  return chars.every((c) => BASIC.has(c) || EXTENSION.has(c));
}

const gsm7Units = (c) => (EXTENSION.has(c) ? 2 : 1);
const utf16Units = (c) => (c.codePointAt(0) >= 0x10000 ? 2 : 1);

function pack(chars, unitsOf, single, perPart) {
  let units = 0;
  for (const c of chars) units += unitsOf(c);
  if (units <= single) return { units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const c of chars) {
    const u = unitsOf(c);
    if (used + u > perPart) {
      segments++;
      used = 0;
    }
    used += u;
  }
  return { units, segments };
}

// measure returns {encoding, characters, units, segments} exactly as
// sms.Measure does: characters are Unicode code points (the unit of the
// 1,600-character limit), units are septets or UTF-16 code units.
export function measure(body) {
  if (!body) return { encoding: GSM7, characters: 0, units: 0, segments: 0 };
  const chars = codePoints(body);
  const gsm = isGSM7(chars);
  const { units, segments } = gsm
    ? pack(chars, gsm7Units, 160, 153)
    : pack(chars, utf16Units, 70, 67);
  return { encoding: gsm ? GSM7 : UCS2, characters: chars.length, units, segments };
}

// firstNonGSM returns the first character that forces UCS-2, or '' when the
// body is GSM-7, so the console can say which character triples the cost.
export function firstNonGSM(body) {
  for (const c of codePoints(body || '')) {
    if (!BASIC.has(c) && !EXTENSION.has(c)) return c;
  }
  return '';
}
