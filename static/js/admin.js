// The admin, for screen readers: Django's autocomplete boxes (select2) and the two-box filter
// (filter_horizontal) draw controls without an accessible name. Each gets the name of the
// field it stands for; rows added to an inline later get theirs when they appear.
(function () {
  "use strict";

  function fieldName(select) {
    var label = select.getAttribute("aria-label");
    if (!label && select.labels && select.labels.length) label = select.labels[0].textContent;
    return (label || "").replace(/[:：]\s*$/, "").trim();
  }

  function name(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var box = select.nextElementSibling, label = fieldName(select);
      if (!box || !box.classList.contains("select2") || !label) return;
      box.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function (el) {
        if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", label);
      });
    });
    // The filter's magnifier icons carry words in aria-label: say they are an image.
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (el) {
      el.setAttribute("role", "img");
    });
  }

  function start() {
    name(document);
    new MutationObserver(function () { name(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
