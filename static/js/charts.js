// Draws every <canvas data-chart="url">: the URL answers django-chartjs JSON
// ({type, data, options}). Sets data-drawn="1" when drawn, so tests and people can tell.
(function () {
  "use strict";
  function draw(canvas) {
    fetch(canvas.dataset.chart, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (config) {
        var options = config.options || {};
        options.animation = { duration: 0, onComplete: function () { canvas.dataset.drawn = "1"; } };
        new Chart(canvas.getContext("2d"), { type: config.type || "line", data: config.data, options: options });
        canvas.dataset.drawn = "1";
      })
      .catch(function () {
        canvas.dataset.drawn = "error";
        var note = document.createElement("p");
        note.className = "hint";
        // The message comes translated from base.html.
        note.textContent = document.body.dataset.chartError || "图表加载失败，请刷新页面。";
        canvas.parentNode.appendChild(note);
      });
  }
  if (window.Chart) {
    // Chart.js would add a <style> for its resize monitor, which the CSP refuses: the same rules
    // are in app.css ("Chart.js" at the end).
    Chart.platform.disableCSSInjection = true;
    Chart.defaults.global.defaultFontFamily =
      '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  }
  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
