// The live length line under a message box: characters, encoding and
// segments as the server will store them (segments.js), the character that
// forces UCS-2, and the 1,600-character limit. The reply box and the New
// SMS dialog show the same line.
import { measure, firstNonGSM, MAX_CHARACTERS, UCS2 } from './segments.js';

// renderCounter writes the line for body into el and returns the
// measurement, whether the body is over the limit, and a short summary
// ("GSM-7, 2 segments") to announce when the cost changes.
export function renderCounter(el, body) {
  const m = measure(body);
  const over = m.characters > MAX_CHARACTERS;
  const seg = `${m.segments} segment${m.segments === 1 ? '' : 's'}`;
  let text = `${m.characters.toLocaleString()} character${m.characters === 1 ? '' : 's'} · ${m.encoding} · ${seg}`;
  if (m.encoding === UCS2) text += ` — “${firstNonGSM(body)}” needs UCS-2`;
  if (over) text += ` — over the ${MAX_CHARACTERS.toLocaleString()}-character limit`;
  el.textContent = text;
  el.classList.toggle('over', over);
  el.dataset.encoding = m.encoding;
  el.dataset.segments = String(m.segments);
  el.dataset.characters = String(m.characters);
  return { ...m, over, summary: body ? `${m.encoding}, ${seg}` : '' };
}
