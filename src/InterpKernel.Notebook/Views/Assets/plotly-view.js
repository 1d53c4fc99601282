function (root) {
  "use strict";
  // Plotly 2 and later want titles as {text: ...}; XPlot writes them as strings.
  function fixTitle(o) { if (o && typeof o.title === "string") o.title = { text: o.title }; }
  function missing() {
    var m = document.createElement("div");
    m.className = "ik-plot-missing";
    m.textContent = "plotly.js did not load. Offline, point InterpKernel at a local copy: PlotlyOptions.UseLocalPlotly(path) or the INTERPKERNEL_PLOTLY_JS environment variable (npm install plotly.js-dist-min gives node_modules/plotly.js-dist-min/plotly.min.js).";
    root.insertBefore(m, root.firstChild);
  }
  return {
    newPlot: function (id, data, layout) {
      layout = layout || {};
      fixTitle(layout);
      Object.keys(layout).forEach(function (k) { if (/^[xy]axis\d*$/.test(k)) fixTitle(layout[k]); });
      var tries = 0;
      // A CDN script inserted by a notebook front end loads asynchronously, so wait for it a while.
      (function draw() {
        if (window.Plotly && window.Plotly.newPlot) {
          Promise.resolve(window.Plotly.newPlot(id, data, layout, { responsive: true, displaylogo: false })).then(function () {
            root.setAttribute("data-ready", "true");
            window.__interpkernelReady = true;
          });
        } else if (tries++ < 200) {
          setTimeout(draw, 50);
        } else {
          missing();
        }
      })();
    }
  };
}
