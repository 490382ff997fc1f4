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
