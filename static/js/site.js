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

  // Bridge until indicators/tables.py draws its completion bars without style="" attributes,
  // which style-src 'self' blocks: copy the one number each piece carries (a fill's width, the
  // pace mark's left, in percent) into the element's style object, which the policy allows.
  // Only that shape on only those elements is copied; any other style attribute stays blocked.
  var geometry = /^\s*(width|left):\s*(\d{1,3}(?:\.\d+)?)%;?\s*$/;
  document.querySelectorAll(".bar > .fill[style], .bar > .mark[style]").forEach(function (el) {
    var m = geometry.exec(el.getAttribute("style"));
    if (m && parseFloat(m[2]) <= 100) { el.style[m[1]] = m[2] + "%"; }
  });
})();
