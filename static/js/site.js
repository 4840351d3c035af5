// On every page. The Content-Security-Policy allows no inline script or style, so what used to
// be an attribute lives here.
(function () {
  "use strict";

  // <button data-print> prints the page (the overview, the ledger's print view).
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-print]")) {
      e.preventDefault();
      window.print();
    }
  });

  // Filters fold away on a phone (<details class="fold" open>), so the page's numbers come
  // first; without script, or on a wider screen, they stay open.
  if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.fold[open]").forEach(function (d) { d.open = false; });
  }
})();
