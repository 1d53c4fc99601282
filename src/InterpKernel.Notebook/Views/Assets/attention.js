function (root, cfg, data) {
  "use strict";
  var H = cfg.heads, N = cfg.n, causal = cfg.causal, tokens = cfg.tokens, labels = cfg.labels;
  // Weights arrive as bytes (probability * 255); a causal pattern sends only its lower triangle.
  var bin = atob(data.trim());
  var bytes = new Uint8Array(bin.length);
  for (var b = 0; b < bin.length; b++) bytes[b] = bin.charCodeAt(b);
  var perHead = causal ? N * (N + 1) / 2 : N * N;
  function rowStart(h, q) { return h * perHead + (causal ? q * (q + 1) / 2 : q * N); }
  function rowLength(q) { return causal ? q + 1 : N; }
  function weight(h, q, k) { return (causal && k > q) ? 0 : bytes[rowStart(h, q) + k]; }

  // White to dark orange, indexed by the quantised weight.
  var lut = new Uint8Array(256 * 3);
  for (var v = 0; v < 256; v++) {
    var t = v / 255;
    lut[3 * v] = Math.round(255 + (166 - 255) * t);
    lut[3 * v + 1] = Math.round(255 + (54 - 255) * t);
    lut[3 * v + 2] = Math.round(255 + (3 - 255) * t);
  }
  function css(v) { return "rgb(" + lut[3 * v] + "," + lut[3 * v + 1] + "," + lut[3 * v + 2] + ")"; }

  var state = { head: 0, focus: -1, locked: false, dir: "to" };
  var grid = root.querySelector(".ik-grid");
  var mainCanvas = root.querySelector(".ik-main canvas");
  var strip = root.querySelector(".ik-tokens");
  var spans = strip.querySelectorAll(".ik-tok");
  var tip = root.querySelector(".ik-tip");
  var dirSelect = root.querySelector(".ik-dir");
  var headName = root.querySelector(".ik-head-name");

  // Thumbnails are max-pooled to at most 96 pixels a side so that long prompts still draw quickly.
  function drawThumb(canvas, h) {
    var S = Math.min(N, 96);
    canvas.width = S; canvas.height = S;
    var pooled = new Uint8Array(S * S);
    for (var q = 0; q < N; q++) {
      var start = rowStart(h, q), len = rowLength(q), y = Math.floor(q * S / N) * S;
      for (var k = 0; k < len; k++) {
        var w = bytes[start + k];
        if (w) { var i = y + Math.floor(k * S / N); if (w > pooled[i]) pooled[i] = w; }
      }
    }
    var ctx = canvas.getContext("2d");
    var img = ctx.createImageData(S, S);
    for (var p = 0; p < S * S; p++) {
      var c = pooled[p];
      img.data[4 * p] = lut[3 * c]; img.data[4 * p + 1] = lut[3 * c + 1]; img.data[4 * p + 2] = lut[3 * c + 2]; img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // The enlarged pattern: one pixel per cell in an offscreen canvas, scaled up without smoothing, with
  // token labels on both axes. Cells get 14 px while the pattern fits in 560 px, so short prompts label every
  // token; longer ones shrink the font to 8 px first and only then label every step-th token.
  var side = Math.min(560, Math.max(N * 14, 160));
  var cell = side / N;
  var margin = N <= 256 ? 96 : 60;
  var fontSize = Math.max(8, Math.min(11, Math.floor(cell) - 1));
  var step = Math.max(1, Math.ceil((fontSize + 1) / cell));
  function short(s) { s = s.replace(/\n/g, "\u21b5"); return s.length > 12 ? s.slice(0, 11) + "\u2026" : s; }
  function drawMain() {
    var h = state.head;
    var off = document.createElement("canvas");
    off.width = N; off.height = N;
    var octx = off.getContext("2d");
    var img = octx.createImageData(N, N);
    var d = img.data;
    for (var q = 0; q < N; q++) {
      var start = rowStart(h, q), len = rowLength(q), base = q * N;
      for (var k = 0; k < N; k++) {
        var c = k < len ? bytes[start + k] : 0, p = 4 * (base + k);
        d[p] = lut[3 * c]; d[p + 1] = lut[3 * c + 1]; d[p + 2] = lut[3 * c + 2]; d[p + 3] = 255;
      }
    }
    octx.putImageData(img, 0, 0);
    var ratio = window.devicePixelRatio || 1;
    mainCanvas.width = Math.round((margin + side + 4) * ratio);
    mainCanvas.height = Math.round((margin + side + 4) * ratio);
    mainCanvas.style.width = (margin + side + 4) + "px";
    mainCanvas.style.height = (margin + side + 4) + "px";
    var ctx = mainCanvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, margin + side + 4, margin + side + 4);
    ctx.imageSmoothingEnabled = N > side;
    ctx.drawImage(off, margin, margin, side, side);
    ctx.strokeStyle = "#bbb"; ctx.strokeRect(margin - 0.5, margin - 0.5, side + 1, side + 1);
    ctx.fillStyle = "#222"; ctx.font = fontSize + "px ui-monospace, Menlo, Consolas, monospace";
    mainCanvas.setAttribute("data-label-step", String(step));
    ctx.textBaseline = "middle";
    for (var i = 0; i < N; i += step) {
      var label = N <= 256 ? short(tokens[i]) : String(i);
      ctx.textAlign = "right";
      ctx.fillText(label, margin - 4, margin + (i + 0.5) * cell);
      ctx.save();
      ctx.translate(margin + (i + 0.5) * cell, margin - 4);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = "left";
      ctx.fillText(label, 0, 0);
      ctx.restore();
    }
    if (headName) headName.textContent = labels[h];
  }

  function shade() {
    var f = state.focus, h = state.head;
    for (var j = 0; j < N; j++) {
      var s = spans[j];
      if (f < 0) { s.style.backgroundColor = ""; s.classList.remove("ik-attended", "ik-focus"); s.removeAttribute("data-weight"); continue; }
      var w = state.dir === "to" ? weight(h, f, j) : weight(h, j, f);
      s.style.backgroundColor = w ? css(w) : "";
      s.style.color = w > 150 ? "#fff" : "";
      s.classList.toggle("ik-attended", w > 0);
      s.classList.toggle("ik-focus", j === f);
      s.setAttribute("data-weight", (w / 255).toFixed(3));
    }
  }

  function selectHead(h) {
    state.head = h;
    var thumbs = grid.querySelectorAll(".ik-thumb");
    for (var i = 0; i < thumbs.length; i++) thumbs[i].classList.toggle("ik-selected", i === h);
    drawMain();
    shade();
  }

  function tokenIndex(target) {
    var el = target && target.closest ? target.closest(".ik-tok") : null;
    return el && strip.contains(el) ? parseInt(el.getAttribute("data-i"), 10) : -1;
  }
  strip.addEventListener("mouseover", function (e) {
    if (state.locked) return;
    var i = tokenIndex(e.target);
    if (i >= 0) { state.focus = i; shade(); }
  });
  strip.addEventListener("mouseleave", function () {
    if (!state.locked) { state.focus = -1; shade(); }
  });
  strip.addEventListener("click", function (e) {
    var i = tokenIndex(e.target);
    if (i < 0) return;
    if (state.locked && state.focus === i) { state.locked = false; } else { state.locked = true; state.focus = i; }
    shade();
  });
  grid.addEventListener("click", function (e) {
    var el = e.target.closest(".ik-thumb");
    if (el) selectHead(parseInt(el.getAttribute("data-head"), 10));
  });
  if (dirSelect) dirSelect.addEventListener("change", function () { state.dir = dirSelect.value; shade(); });

  mainCanvas.addEventListener("mousemove", function (e) {
    var r = mainCanvas.getBoundingClientRect();
    var x = e.clientX - r.left - margin, y = e.clientY - r.top - margin;
    if (x < 0 || y < 0 || x >= side || y >= side) { tip.style.display = "none"; return; }
    var k = Math.floor(x / cell), q = Math.floor(y / cell);
    tip.textContent = labels[state.head] + "  query " + q + " " + JSON.stringify(tokens[q]) + " \u2192 key " + k + " " +
      JSON.stringify(tokens[k]) + ": " + (weight(state.head, q, k) / 255).toFixed(3);
    tip.style.left = (e.clientX + 12) + "px"; tip.style.top = (e.clientY + 12) + "px"; tip.style.display = "block";
    if (!state.locked) { state.focus = q; shade(); }
  });
  mainCanvas.addEventListener("mouseleave", function () { tip.style.display = "none"; });

  var thumbs = grid.querySelectorAll(".ik-thumb canvas");
  for (var h = 0; h < H; h++) drawThumb(thumbs[h], h);
  selectHead(0);
  root.setAttribute("data-ready", "true");
  window.__interpkernelReady = true;
}
