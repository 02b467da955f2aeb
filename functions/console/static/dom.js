// A few DOM helpers. Every text goes through textContent (never innerHTML),
// so message bodies, names and carrier errors cannot inject markup.

export const $ = (sel, root = document) => root.querySelector(sel);

// h builds an element: h('li', {class: 'x', 'aria-label': 'y'}, child, 'text').
// Attributes that are null, undefined or false are left out; on* are
// listeners.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// show and hide toggle the hidden attribute.
export function show(el, on = true) {
  el.hidden = !on;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
});

// when formats a timestamp as a time today, or a date and time otherwise.
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date();
  return d.toDateString() === today.toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

// timeEl is a <time> element for a timestamp.
export function timeEl(iso, prefix = '') {
  return h('time', { datetime: iso }, prefix + when(iso));
}

// ago says how long ago a timestamp was, coarsely ("3 min").
export function ago(iso, now = Date.now()) {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// reconcile makes a list element show items in order, reusing the element of
// each key whose signature did not change, so focus and scroll survive a
// refresh and screen readers hear only what changed.
export function reconcile(list, items, key, signature, render) {
  const old = new Map();
  for (const el of list.children) old.set(el.dataset.key, el);
  let prev = null;
  for (const item of items) {
    const k = String(key(item));
    const sig = signature(item);
    let el = old.get(k);
    if (el && el.dataset.sig !== sig) {
      const fresh = render(item);
      fresh.dataset.key = k;
      fresh.dataset.sig = sig;
      // Keep focus on the same control if it was inside the old element.
      const focusedId = el.contains(document.activeElement) ? document.activeElement.dataset.focusId : null;
      el.replaceWith(fresh);
      el = fresh;
      if (focusedId) el.querySelector(`[data-focus-id="${CSS.escape(focusedId)}"]`)?.focus();
    } else if (!el) {
      el = render(item);
      el.dataset.key = k;
      el.dataset.sig = sig;
    }
    old.delete(k);
    const want = prev ? prev.nextSibling : list.firstChild;
    if (want !== el) list.insertBefore(el, want);
    prev = el;
  }
  for (const el of old.values()) el.remove();
}
