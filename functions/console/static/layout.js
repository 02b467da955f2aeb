// Layout helpers the fixed panes need (app.css): a transcript that was at
// its newest message stays there when its pane changes size (a window
// resized, the composer growing, a phone rotated) or gets messages while it
// has no height yet, as it does when a message arrives; one scrolled up to
// read stays where it is.
const PIN_SLACK_PX = 80;
const watched = new WeakSet();

function keepPinned(log) {
  if (watched.has(log)) return;
  watched.add(log);
  let pinned = true; // a chat opens at its newest message
  log.addEventListener('scroll', () => {
    pinned = log.scrollHeight - log.scrollTop - log.clientHeight < PIN_SLACK_PX;
  }, { passive: true });
  const stick = () => {
    if (pinned) log.scrollTop = log.scrollHeight;
  };
  new ResizeObserver(stick).observe(log);
  new MutationObserver(stick).observe(log, { childList: true });
}

// Opening a chat puts a fresh transcript element in place (app.js).
const conversation = document.querySelector('#conversation');
const attach = () => {
  const log = document.querySelector('#transcript');
  if (log) keepPinned(log);
};
if (conversation) new MutationObserver(attach).observe(conversation, { childList: true });
attach();
