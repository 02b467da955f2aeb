// The offer card's preview (GET /AgentAPI/chats/{id}/preview): what the
// consumer wrote last, the queue path they came through, how many chats
// they had before; the transfer note is on the card already. Read once
// per offer and version (a new text re-reads it), a handful of Firestore
// reads: the chat, its last five messages, at most 20 of the consumer's
// chats.
import { h } from './dom.js';

const SHOWN = 3;

export function setupOfferPreview({ api }) {
  const cache = new Map(); // chat id → {version, preview | promise}

  function render(el, p) {
    const texts = (p.messages || []).filter((m) => m.author === 'consumer').slice(-SHOWN);
    const past = p.pastChats === 0 ? 'First chat' : `${p.pastChats}${p.pastChatsMore ? '+' : ''} earlier chat${p.pastChats === 1 ? '' : 's'}`;
    el.replaceChildren(
      h('p', { class: 'offer-path' }, h('span', { class: 'visually-hidden' }, 'Came through: '), (p.queuePath || []).map((q) => q.name || q.id).join(' › '), ' · ', past),
      texts.length ? h('ol', { class: 'offer-messages', 'aria-label': 'Latest texts' },
        texts.map((m) => h('li', {}, m.body || ((m.media || []).length ? '[image]' : '')))) : null);
  }

  return {
    fill(el, c) {
      const held = cache.get(c.id);
      if (held && held.version === c.version && held.preview) {
        render(el, held.preview);
        return;
      }
      if (held && held.version === c.version) {
        held.promise.then((p) => { if (el.isConnected) render(el, p); }, () => {});
        return;
      }
      const entry = { version: c.version };
      entry.promise = api().get(`/chats/${encodeURIComponent(c.id)}/preview`).then((p) => {
        entry.preview = p;
        if (el.isConnected) render(el, p);
        return p;
      }, (e) => {
        cache.delete(c.id); // tried again at the next render
        if (el.isConnected) el.replaceChildren(h('p', { class: 'hint' }, `No preview: ${e.message}`));
        throw e;
      });
      entry.promise.catch(() => {});
      cache.set(c.id, entry);
    },
    // forget drops the previews of chats no longer offered.
    keep(ids) {
      for (const id of cache.keys()) if (!ids.has(id)) cache.delete(id);
    },
  };
}
