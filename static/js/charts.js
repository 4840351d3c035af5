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
  // Words drawn on the chart itself: a line's name at its end (dataset.endLabel, e.g. the
  // 时序进度 line) and a note where a bar has no value (dataset.emptyText, "暂无完成率").
  var words = {
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) { return; }
        ctx.save();
        ctx.font = "12px " + Chart.defaults.global.defaultFontFamily;
        if (dataset.endLabel) {
          var last = null;
          dataset.data.forEach(function (v, j) { if (v !== null && v !== undefined) { last = j; } });
          if (last !== null) {
            var point = meta.data[last]._model;
            ctx.fillStyle = dataset.borderColor;
            ctx.textAlign = "right";
            ctx.textBaseline = "bottom";
            ctx.fillText(dataset.endLabel, Math.min(point.x, chart.chartArea.right), point.y - 4);
          }
        }
        if (dataset.emptyText) {
          ctx.fillStyle = "#5f6b7a";
          ctx.textAlign = "center";
          ctx.textBaseline = "bottom";
          dataset.data.forEach(function (v, j) {
            if (v === null || v === undefined) {
              ctx.fillText(dataset.emptyText, meta.data[j]._model.x, chart.chartArea.bottom - 4);
            }
          });
        }
        ctx.restore();
      });
    }
  };
  if (window.Chart) {
    Chart.plugins.register(words);
    // Chart.js would add a <style> for its resize monitor, which the CSP refuses: the same rules
    // are in app.css ("Chart.js" at the end).
    Chart.platform.disableCSSInjection = true;
    Chart.defaults.global.defaultFontFamily =
      '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  }
  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
