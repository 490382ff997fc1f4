// Small touches on top of htmx; every page works without this file.
document.addEventListener("htmx:afterSwap", (event) => {
  // A form that asks for it gets the focus back in its first field after a swap (quick add).
  const form = event.detail.elt.closest ? event.detail.elt.closest("[data-refocus]") : null;
  const target = form || event.detail.target.querySelector("[data-refocus]");
  if (target) {
    const first = target.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }
});

/* transactions page */
// A refused delete (409, a reconciled transaction) answers with its row saying why: show it,
// as a form re-rendered with its errors (422) is shown.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 409 && event.detail.elt.closest("#transaction-rows")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A "Deleted — Undo" row (data-expires: milliseconds) goes away by itself, though not while
// the pointer or the keyboard focus is on it: someone about to press Undo gets the time.
function expireLater(row) {
  setTimeout(() => {
    if (!row.isConnected) return;
    if (row.matches(":hover") || row.contains(document.activeElement)) {
      expireLater(row);
      return;
    }
    row.remove();
  }, Number(row.dataset.expires));
}
document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (root.matches("[data-expires]")) expireLater(root);
  root.querySelectorAll("[data-expires]").forEach(expireLater);
});
