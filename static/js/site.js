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

  // A table wider than the screen scrolls in its own box (.scroll): one the keyboard can reach
  // and scroll too, named after the table's caption or the section's heading.
  document.querySelectorAll(".scroll").forEach(function (box) {
    if (box.scrollWidth <= box.clientWidth + 1) return;
    box.tabIndex = 0;
    var section = box.closest("section");
    var heading = box.querySelector("caption") || (section && section.querySelector("h2, h3"));
    if (heading) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", heading.textContent.trim());
    }
  });
})();
