// Shared pieces of the statistics, monitoring and report pages (stats.js,
// monitor.js, reports.js): number formats, tables, filters and the CSV
// download. Every figure comes from AgentAPI; nothing is computed here that
// the server does not also put in its CSV.
import { h } from './dom.js';

// dur formats milliseconds as "1 h 02 min", "3 min 05 s" or "12 s".
export function dur(ms) {
  if (ms == null || Number.isNaN(ms)) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export const pct = (r) => `${(100 * (r || 0)).toFixed(1)} %`;
export const usd = (micros) => `$${((micros || 0) / 1e6).toFixed(4)}`;

// dayString is a Date's day (YYYY-MM-DD) in the browser's zone; the
// server reads days in the business's zone, which the range pickers start
// from (GET /monitor's day).
export function dayString(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return dayString(new Date(y, m - 1, d + n));
}

// table renders rows under columns [{key, label, render?, num?}]; a row's
// cell is render(row) or row[key]. id names the table for tests.
export function table({ id, caption, columns, rows, empty = 'Nothing to show.', rowAttrs }) {
  const head = h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)));
  const body = rows.length
    ? rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : null, columns.map((c) => h('td', { class: c.num ? 'num' : null, dataset: { col: c.key } }, c.render ? c.render(r) : r[c.key] ?? ''))))
    : [h('tr', null, h('td', { colspan: columns.length, class: 'hint' }, empty))];
  return h('table', { id, class: 'stats-table' }, caption ? h('caption', null, caption) : null, h('thead', null, head), h('tbody', null, body));
}

// csvButton downloads path (which answers text/csv) as a file: the request
// carries the bearer token, so a plain link cannot be used.
export function csvButton(api, path, label = 'Download CSV') {
  const status = h('span', { class: 'hint', role: 'status' });
  const button = h('button', {
    type: 'button', class: 'secondary small csv-download', dataset: { path },
    onclick: async () => {
      button.disabled = true;
      status.textContent = '';
      try {
        const res = await fetch(api.base + path, { headers: { Authorization: `Bearer ${await api.token()}` }, cache: 'no-store', credentials: 'omit' });
        if (!res.ok) throw new Error((await res.text()).trim() || `${res.status}`);
        const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || 'report.csv';
        const url = URL.createObjectURL(new Blob([await res.text()], { type: 'text/csv' }));
        const a = h('a', { href: url, download: name, hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
        status.textContent = `Downloaded ${name}`;
      } catch (e) {
        status.textContent = `Cannot download: ${e.message}`;
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  return h('span', { class: 'csv' }, button, ' ', status);
}

// field is a labelled control.
export function field(label, control) {
  return h('label', { class: 'stats-field' }, h('span', null, label), control);
}

// subnav is a page's tab list of [hash, title].
export function subnav(label, items, current) {
  return h('nav', { class: 'admin-nav stats-nav', 'aria-label': label },
    items.map(([href, title]) => h('a', { href, 'aria-current': href === current ? 'page' : null }, title)));
}
