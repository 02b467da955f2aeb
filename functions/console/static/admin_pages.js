// The Admin area's page list. Each page module registers itself here
// (registerAdminPage) and admin.js imports it for that: adding a page is a
// new module and one import line in admin.js, and the navigation is drawn
// from this list.
//
// render(ui) draws the page into ui.page once the configuration is loaded
// (ui.st.config); ui carries the form helpers, the AdminAPI client and the
// error display every page shares (admin.js).

export const adminPages = new Map();

// registerAdminPage adds a page: name is its #admin/<name> address, title
// its link text, order its place in the navigation (lower first).
export function registerAdminPage(name, { title, render, order = 100 }) {
  adminPages.set(name, { title, render, order });
}

// pageList is the pages in navigation order.
export function pageList() {
  return [...adminPages.entries()].sort((a, b) => a[1].order - b[1].order);
}
