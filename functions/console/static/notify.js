// Desktop notifications (the Notification API) for what the person must not
// miss while looking elsewhere: offers, chats and texts that came in, and
// mentions. The browser asks for permission only from the person's click on
// "Desktop alerts" in the top bar; a notification is shown only while the tab
// is hidden or not focused (in front of the person the inbox, the sound and
// the title already tell), and a click on it brings the tab forward and
// opens the chat. data-notifications on <html> counts those shown (tests).
import { $, h, show } from './dom.js';

const PREF = 'smsdesk.desktopAlerts';

export function setupNotify({ announce }) {
  const supported = typeof Notification === 'function';
  const button = h('button', { type: 'button', id: 'desktop-alerts', class: 'secondary', 'aria-pressed': 'false', hidden: true }, 'Desktop alerts');
  $('#sign-out').before(button);
  const wanted = () => {
    try {
      return localStorage.getItem(PREF) !== 'off';
    } catch {
      return true;
    }
  };
  const on = () => supported && Notification.permission === 'granted' && wanted();
  // Whether the person looks at the tab: the window's blur and focus
  // (another window in front), besides document.hasFocus and visibility.
  let away = false;
  window.addEventListener('blur', () => { away = true; });
  window.addEventListener('focus', () => { away = false; });
  const looking = () => !away && document.visibilityState === 'visible' && document.hasFocus();

  function sync() {
    if (!supported || Notification.permission === 'denied') {
      show(button, false);
      return;
    }
    show(button);
    button.setAttribute('aria-pressed', String(on()));
    button.title = on() ? 'Desktop alerts are on: click to turn them off' : 'Show desktop notifications for offers, new texts and mentions';
  }

  button.addEventListener('click', async () => {
    if (on()) {
      try { localStorage.setItem(PREF, 'off'); } catch { /* the tab's choice only */ }
      sync();
      announce('Desktop alerts off.');
      return;
    }
    try { localStorage.removeItem(PREF); } catch { /* as above */ }
    if (Notification.permission !== 'granted') await Notification.requestPermission();
    sync();
    announce(on() ? 'Desktop alerts on.' : 'The browser did not allow desktop alerts.');
  });
  sync();
  // The permission can change outside the page (the browser's site
  // settings): follow it.
  navigator.permissions?.query({ name: 'notifications' }).then((status) => {
    status.onchange = sync;
  }, () => {});

  return {
    // notify shows one notification, replacing an earlier one of the same
    // tag (one per chat), when the person is not looking at the tab.
    notify({ title, body, tag, chatId }) {
      if (!on() || looking()) return;
      try {
        const n = new Notification(title, { body, tag });
        n.onclick = () => {
          window.focus();
          if (chatId) location.hash = `#chat/${encodeURIComponent(chatId)}`;
          n.close();
        };
        const root = document.documentElement;
        root.dataset.notifications = String(Number(root.dataset.notifications || 0) + 1);
        root.dataset.lastNotification = `${title}: ${body}`;
      } catch {
        // Some browsers allow notifications only from a service worker:
        // the sound and the title still tell.
      }
    },
    sync,
  };
}
