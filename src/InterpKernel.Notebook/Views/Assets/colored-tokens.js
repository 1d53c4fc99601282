function (root, cfg) {
  "use strict";
  // Same end points as ColorScale.Diverging on the server side.
  var neg = [33, 102, 172], pos = [178, 24, 43];
  function color(v, limit) {
    if (!isFinite(v) || limit <= 0) return "rgb(255,255,255)";
    var t = Math.max(-1, Math.min(1, v / limit)), e = t < 0 ? neg : pos, a = Math.abs(t);
    return "rgb(" + Math.round(255 + (e[0] - 255) * a) + "," + Math.round(255 + (e[1] - 255) * a) + "," + Math.round(255 + (e[2] - 255) * a) + ")";
  }
  function fmt(v) { return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : (+v.toFixed(4)).toString(); }
  var spans = root.querySelectorAll(".ik-tok");
  var select = root.querySelector(".ik-set");
  var low = root.querySelector(".ik-legend-low"), high = root.querySelector(".ik-legend-high");
  function show(s) {
    var set = cfg.sets[s];
    for (var i = 0; i < spans.length; i++) {
      var v = set.values[i];
      spans[i].style.backgroundColor = color(v, set.limit);
      spans[i].style.color = Math.abs(v / set.limit) > 0.6 ? "#fff" : "#111";
      spans[i].title = i + ": " + cfg.tokens[i] + "  " + set.name + " = " + fmt(v);
    }
    if (low) low.textContent = fmt(-set.limit);
    if (high) high.textContent = fmt(set.limit);
    root.setAttribute("data-set", String(s));
  }
  if (select) select.addEventListener("change", function () { show(parseInt(select.value, 10)); });
  root.setAttribute("data-ready", "true");
  window.__interpkernelReady = true;
}
