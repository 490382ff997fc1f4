// Small touches on top of htmx; every page works without this file.

// A form that comes back with errors puts the cursor in the first field at fault, so keyboard
// and screen-reader users land on the message (a field that asks for focus itself wins).
document.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.detail.elt;
  if (!swapped.querySelector || swapped.querySelector("[autofocus]")) return;
  const invalid = swapped.querySelector('[aria-invalid="true"]');
  if (invalid) invalid.focus();
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

// Enter in a quick-add or edit form submits it from any field, the selects included (a browser
// only does that from text fields), so a row can be typed and saved without the mouse.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !(field instanceof HTMLSelectElement)) return;
  const form = field.closest("form.tx-form");
  if (form) {
    event.preventDefault();
    form.requestSubmit();
  }
});

// A page whose CSRF token has gone stale (its session ended and a new one began in another tab)
// is refused with 403: load it afresh, so the next try carries the current token.
document.addEventListener("htmx:responseError", (event) => {
  if (event.detail.xhr.status === 403) window.location.reload();
});

// Escape in an inline edit cancels it, as its Cancel link does.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) return;
  const cancel = event.target.closest("form.tx-form")?.querySelector("[data-cancel]");
  if (cancel) {
    event.preventDefault();
    cancel.click();
  }
});

// Tab leaves a date field at once: Chromium stops on its calendar button first, so a typed
// date took two presses to leave (typing the digits moves through the day, month and year).
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Tab" || event.shiftKey || !(field instanceof HTMLInputElement)) return;
  if (field.type !== "date" || !field.form) return;
  const reachable = [...field.form.elements].filter(
    (element) => !element.disabled && element.tabIndex >= 0 && element.offsetParent !== null,
  );
  const next = reachable[reachable.indexOf(field) + 1];
  if (next) {
    event.preventDefault();
    next.focus();
  }
});

// Keyboard shortcuts, listed in the dialog "?" opens; never while typing in a field.
const GO_TO = { d: "/", t: "/transactions", a: "/accounts" };
let afterG = false;
function openShortcuts() {
  const dialog = document.getElementById("shortcuts");
  if (dialog && !dialog.open) dialog.showModal();
}
function focusField(id) {
  const field = document.getElementById(id);
  if (!field) return false;
  const fold = field.closest("details");
  if (fold) fold.open = true;
  field.focus();
  return true;
}

// On a phone the add form and the filters (unless some are in use) start folded, so the list
// is on the first screen.
if (window.matchMedia("(max-width: 40rem)").matches) {
  document.querySelectorAll("details[data-fold-narrow]").forEach((fold) => {
    fold.open = false;
  });
}
const SHORTCUTS = {
  g: () => (afterG = true),
  n: () => focusField("quick-add-date"),
  "/": () => focusField("filter-q"),
  "?": () => {
    openShortcuts();
    return true;
  },
};
document.addEventListener("keydown", (event) => {
  const pending = afterG;
  afterG = false;
  const typing = event.target instanceof Element &&
    event.target.closest("input, textarea, select, [contenteditable], dialog[open]");
  if (typing || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (pending) {
    if (!GO_TO[event.key]) return;
    event.preventDefault();
    window.location.assign(GO_TO[event.key]);
    return;
  }
  const shortcut = SHORTCUTS[event.key];
  if (shortcut && shortcut()) event.preventDefault();
});
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("shortcuts-button");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", openShortcuts);
});
