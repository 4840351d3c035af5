// The entry grid: live 当月 and 完成率, Enter moves down, a pasted Excel column fills downward
// within its indicator's rows.
// No library; the server checks everything again.
(function () {
  "use strict";

  // Full-width digits, dot and minus as typed by Chinese input methods; separators dropped.
  function parse(text) {
    var s = (text || "").replace(/[\uff10-\uff19\uff0e\uff0d]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    }).replace(/[,\uff0c\s\u3000]/g, "");
    return /^-?\d+(\.\d+)?$/.test(s) ? parseFloat(s) : null;
  }

  function number(attr) {
    return attr === undefined || attr === "" ? null : parseFloat(attr);
  }

  function show(cell, value, decimals, suffix) {
    if (cell) cell.textContent = value === null || !isFinite(value) ? "—" : value.toFixed(decimals) + suffix;
  }

  function update(input) {
    var row = input.closest("tr");
    var d = row.dataset;
    var value = parse(input.value);
    var target = number(d.target), prev = number(d.prev), base = number(d.baseline);
    var cumulative = d.kind === "flow" || d.kind === "count";
    var month = null, completion = null;
    if (value !== null && cumulative) month = d.first ? value : (prev === null ? null : value - prev);
    if (value !== null && target !== null && target !== 0) {
      if (cumulative || base === null) completion = value / target * 100;
      else if (target !== base) completion = (value - base) / (target - base) * 100;
    }
    show(row.querySelector(".month-value"), month, parseInt(d.decimals || "2", 10), "");
    show(row.querySelector(".completion"), completion, 1, "%");
    input.classList.toggle("not-number", input.value.trim() !== "" && value === null);
  }

  function fields(form, cls) {
    return Array.prototype.slice.call(form.querySelectorAll("input." + cls));
  }

  var form = document.getElementById("entry-form");
  if (form) {
    var dirty = false;
    fields(form, "value").forEach(update);
    form.addEventListener("input", function (e) {
      dirty = true;
      if (e.target.classList.contains("value")) update(e.target);
    });
    // Show what will be stored: full-width digits become ordinary ones when leaving the cell.
    form.addEventListener("focusout", function (e) {
      var t = e.target;
      if (!t.classList.contains("value")) return;
      var value = parse(t.value);
      if (value !== null) t.value = t.value.trim().replace(/[\uff10-\uff19\uff0e\uff0d]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
      }).replace(/[\s\u3000]/g, "");
    });
    form.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.key !== "Enter" || !(t.classList.contains("value") || t.classList.contains("note"))) return;
      e.preventDefault();  // Enter moves, it does not submit
      var list = fields(form, t.classList.contains("value") ? "value" : "note");
      var next = list[list.indexOf(t) + (e.shiftKey ? -1 : 1)];
      if (next) { next.focus(); next.select(); }
    });
    // A column pasted from Excel fills downward from the cell it is pasted into, to the last
    // row of that cell's block (one village-level indicator's villages, or the town's rows),
    // never into the next indicator; a second column fills the notes. The note under the
    // buttons says what was pasted and what was left out.
    form.addEventListener("paste", function (e) {
      var t = e.target;
      if (!t.classList.contains("value")) return;
      var text = (e.clipboardData || window.clipboardData).getData("text");
      var lines = text.replace(/\r/g, "").split("\n");
      if (lines.length && lines[lines.length - 1] === "") lines.pop();
      var cells = lines.map(function (line) { return line.split("\t"); });
      if (!cells.length || (cells.length < 2 && cells[0].length < 2)) return;  // one value: as usual
      e.preventDefault();
      var start = t.closest("tr");
      var block = Array.prototype.filter.call(
        form.querySelectorAll("tbody tr[data-block]"),
        function (tr) { return tr.dataset.block === start.dataset.block; }
      );
      var at = block.indexOf(start), used = 0, locked = 0, notes = false, extra = false;
      cells.forEach(function (parts, k) {
        var tr = block[at + k];
        if (!tr) return;
        used += 1;
        var value = tr.querySelector("input.value");
        if (!value) { locked += 1; return; }
        value.value = parts[0].trim();
        update(value);
        var note = tr.querySelector("input.note");
        if (parts.length > 1 && note) { note.value = parts[1].trim(); notes = true; }
        if (parts.length > 2) extra = true;
      });
      dirty = true;
      var d = form.dataset, left = cells.length - used;
      var words = (notes ? d.pasteNotes : d.pasteDone).replace("{n}", used - locked);
      if (locked) words += d.pasteLocked.replace("{locked}", locked);
      if (left) words += d.pasteLeft.replace("{left}", left).replace("{block}", start.dataset.blockName);
      if (extra) words += d.pasteExtra;
      var note = document.getElementById("paste-note");
      if (note) note.textContent = words;
    });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
  }

  var all = document.getElementById("check-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=approve]").forEach(function (box) { box.checked = all.checked; });
    });
  }
})();
