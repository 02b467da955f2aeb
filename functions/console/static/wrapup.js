// Wrap-up codes in the End chat dialog: the chat's queue's codes (its own
// or its nearest parent's, as the chat view's wrapUp says). A queue that
// requires one has no "none" choice and the dialog does not send without a
// code; the server refuses it too (400 naming wrapUpCode).
import { $, h, show } from './dom.js';

export function setupWrapUp() {
  const field = h('div', { id: 'wrap-up-code-field', class: 'field', hidden: true },
    h('label', { for: 'wrap-up-code' }, 'Wrap-up code ', h('span', { id: 'wrap-up-code-req', class: 'hint' })),
    h('select', { id: 'wrap-up-code', name: 'wrapUpCode' }));
  $('#end-form label[for="wrap-up"]').before(field);
  let policy = { codes: [], required: false };

  return {
    // prepare fills the dialog for a chat view before it opens.
    prepare(detail) {
      policy = detail?.wrapUp || { codes: [], required: false };
      const sel = $('#wrap-up-code');
      // aria-required, not required: the dialog says why itself (the
      // browser's own bubble would hide the reason).
      sel.setAttribute('aria-required', String(policy.required));
      sel.replaceChildren(
        h('option', { value: '' }, policy.required ? 'Choose a code…' : 'No code'),
        ...policy.codes.map((c) => h('option', { value: c }, c)));
      $('#wrap-up-code-req').textContent = policy.required ? '(required)' : '(optional)';
      show(field, policy.codes.length > 0);
    },
    value: () => $('#wrap-up-code').value,
    // check says why the dialog cannot end the chat yet, '' when it can.
    check() {
      if (policy.required && !$('#wrap-up-code').value) return 'Choose a wrap-up code: this queue requires one.';
      return '';
    },
  };
}

// wrapUpText is how an ended chat shows its wrap-up.
export function wrapUpText(c) {
  const parts = [c.wrapUpCode, c.wrapUp].filter(Boolean);
  return parts.length ? `Wrap-up: ${parts.join(' — ')}` : '';
}
