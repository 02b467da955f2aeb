// In-call SMS controls in the conversation: in a chat of a voice call
// (start type in-call or wait-time, the chat's callId set) the agent who
// holds it sends the business's preset mobile-web links, a custom https
// link or the app link with its one-time token (POST /AgentAPI/chats/{id}/
// link and /app-link). Texts the caller sends back, photos included, show
// in the transcript like any other. The bar is built here and placed
// before the composer, so app.js only calls setupInCall and render.
import { h, show } from './dom.js';
import { uuid } from './api.js';

const enc = encodeURIComponent;

const startNames = { 'in-call': 'In-call SMS', 'wait-time': 'Wait-time SMS' };

// setupInCall wires the bar. api() is the AgentAPI client; announce speaks
// to screen readers; sent() refreshes the conversation after a send.
export function setupInCall({ api, announce, sent }) {
  let links = null; // GET /incall/links, read once
  let chat = null;
  const preset = h('select', { id: 'incall-preset', 'aria-label': 'Preset link' });
  const sendPreset = h('button', { type: 'button', id: 'incall-send-link' }, 'Send link');
  const custom = h('input', { id: 'incall-url', type: 'url', placeholder: 'https://…', 'aria-label': 'Custom link' });
  const sendCustom = h('button', { type: 'button', id: 'incall-send-url' }, 'Send custom link');
  const sendApp = h('button', { type: 'button', id: 'incall-send-app' }, 'Send app link');
  const label = h('strong', { id: 'incall-label' });
  const status = h('p', { id: 'incall-status', class: 'hint', role: 'status' });
  const bar = h('div', { id: 'incall-bar', class: 'incall-bar', role: 'group', 'aria-labelledby': 'incall-label' },
    label, h('span', { class: 'incall-row' }, preset, sendPreset), h('span', { class: 'incall-row' }, custom, sendCustom), sendApp, status);
  bar.hidden = true;
  let placed = false;
  // Its few rules come with it (incall.css), not in app.css.
  document.head.append(h('link', { rel: 'stylesheet', href: new URL('incall.css', import.meta.url).href }));

  function place() {
    const composer = document.getElementById('composer');
    if (placed || !composer) return;
    composer.parentNode.insertBefore(bar, composer);
    placed = true;
  }

  async function loadLinks() {
    if (links) return links;
    try {
      links = await api().get('/incall/links');
    } catch (e) {
      links = { links: [], appLink: false, error: e.message };
    }
    return links;
  }

  async function send(path, body, what) {
    if (!chat) return;
    status.textContent = 'Sending…';
    for (const b of [sendPreset, sendCustom, sendApp]) b.disabled = true;
    try {
      await api().post(`/chats/${enc(chat.id)}/${path}`, { ...body, requestId: uuid() });
      status.textContent = `${what} sent.`;
      announce(`${what} sent`);
      if (path === 'link' && body.url) custom.value = '';
      sent();
    } catch (e) {
      status.textContent = e.message;
      announce(e.message);
    } finally {
      refreshButtons();
    }
  }

  function refreshButtons() {
    const l = links || { links: [], appLink: false };
    sendPreset.disabled = l.links.length === 0;
    show(preset, l.links.length > 0);
    show(sendPreset, l.links.length > 0);
    sendCustom.disabled = false;
    show(sendApp, Boolean(l.appLink));
    sendApp.disabled = false;
  }

  sendPreset.addEventListener('click', () => preset.value && send('link', { linkId: preset.value }, 'Link'));
  sendCustom.addEventListener('click', () => {
    const url = custom.value.trim();
    if (!url.startsWith('https://')) {
      status.textContent = 'The link must start with https://';
      return;
    }
    send('link', { url }, 'Link');
  });
  sendApp.addEventListener('click', () => send('app-link', {}, 'App link'));

  // render shows the bar for a call's chat the agent may reply in.
  async function render(d) {
    const c = d && d.chat;
    const isCall = Boolean(c && c.callId && startNames[c.startType]);
    place();
    if (!isCall || !d.canReply) {
      bar.hidden = true;
      chat = isCall ? c : null;
      return;
    }
    if (!chat || chat.id !== c.id) status.textContent = '';
    chat = c;
    label.textContent = `${startNames[c.startType]} · call ${c.callId}`;
    const l = await loadLinks();
    if (chat !== c) return;
    preset.replaceChildren(...l.links.map((k) => h('option', { value: k.id }, k.title)));
    refreshButtons();
    bar.hidden = false;
  }

  return { render };
}
