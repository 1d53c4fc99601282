function (root, cfg) {
  "use strict";
  // Serves the attribution graph and the circuit view. Hover text comes from each mark's SVG title; this script adds
  // click-to-select: the node's incoming and outgoing edges stay bright, every other edge fades, and the details panel
  // describes the node, with its top examples when the view carries them.
  var byId = {};
  cfg.nodes.forEach(function (n) { byId[n.id] = n; });
  var edges = root.querySelectorAll(".ik-ag-edge");
  var nodes = root.querySelectorAll(".ik-ag-node");
  var details = root.querySelector(".ik-ag-details");
  var initial = details ? details.textContent : "";
  var selected = null;
  function fmt(v) { return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : (+v.toFixed(4)).toString(); }
  function line(parent, text, bold) {
    var div = document.createElement("div");
    div.textContent = text;
    if (bold) div.style.fontWeight = "600";
    parent.appendChild(div);
    return div;
  }
  function isCircuit(n) { return n.kind === "head" || n.kind === "mlp" || n.kind === "input" || n.kind === "logits"; }
  function label(n) {
    if (!n) return "?";
    if (isCircuit(n)) return n.label;
    return (n.kind === "feature" ? "L" + n.layer + " f" + n.feature : n.kind === "error" ? "L" + n.layer + " err" : n.token) + " @" + n.pos;
  }
  var kinds = { head: "attention head", mlp: "MLP", input: "token and position embeddings", logits: "the logits" };
  function example(parent, ex) {
    var div = document.createElement("div");
    div.style.margin = "2px 0";
    var peak = 0;
    for (var i = 0; i < ex.activations.length; i++) if (ex.activations[i] > ex.activations[peak]) peak = i;
    var top = ex.activations[peak] > 0 ? ex.activations[peak] : 1;
    for (var t = 0; t < ex.tokens.length; t++) {
      var span = document.createElement("span");
      var a = Math.max(0, Math.min(1, ex.activations[t] / top));
      span.textContent = ex.tokens[t];
      span.title = ex.tokens[t] + " = " + fmt(ex.activations[t]);
      span.style.backgroundColor = "rgba(178,24,43," + (0.85 * a).toFixed(3) + ")";
      if (t === peak) span.style.outline = "1px solid #555";
      div.appendChild(span);
    }
    parent.appendChild(div);
  }
  function describe(n) {
    if (!details) return;
    details.textContent = "";
    var circuit = isCircuit(n);
    if (circuit) {
      line(details, n.label + " (" + kinds[n.kind] + ")", true);
      line(details, "\u03a3|score| of its drawn edges " + fmt(n.score));
    } else line(details, n.kind === "feature" ? "Feature " + n.feature + " of layer " + n.layer
      : n.kind === "error" ? "Error node of layer " + n.layer
      : n.kind === "embedding" ? "Embedding of \u201c" + n.token + "\u201d" : "Logit \u201c" + n.token + "\u201d", true);
    if (!circuit && n.kind !== "logit") line(details, "position " + n.pos + " (\u201c" + cfg.tokens[n.pos] + "\u201d)");
    if (n.kind === "feature") {
      line(details, "activation " + fmt(n.activation));
      line(details, "pre-activation " + fmt(n.value));
    }
    if (circuit) { /* described above */ } else if (n.kind === "logit") {
      line(details, "probability " + fmt(n.probability));
      line(details, "logit \u2212 mean logit " + fmt(n.value));
    } else line(details, "influence " + fmt(n.influence));
    var incoming = [], outgoing = [];
    edges.forEach(function (e) {
      var w = parseFloat(e.getAttribute("data-weight"));
      var input = e.getAttribute("data-edge");
      if (e.getAttribute("data-target") === n.id) incoming.push([input || label(byId[e.getAttribute("data-source")]), w]);
      if (e.getAttribute("data-source") === n.id) outgoing.push([input || label(byId[e.getAttribute("data-target")]), w]);
    });
    function list(title, items) {
      if (items.length === 0) return;
      items.sort(function (a, b) { return Math.abs(b[1]) - Math.abs(a[1]); });
      line(details, title, true).style.marginTop = "6px";
      items.slice(0, 8).forEach(function (it) { line(details, it[0] + "  " + fmt(it[1])); });
      if (items.length > 8) line(details, "\u2026 " + (items.length - 8) + " more");
    }
    list("Inputs (" + incoming.length + ")", incoming);
    list("Outputs (" + outgoing.length + ")", outgoing);
    var examples = circuit ? cfg.examples[n.id] : n.kind === "feature" ? cfg.examples[n.layer + "_" + n.feature] : null;
    if (examples && examples.length) {
      line(details, "Top examples", true).style.marginTop = "6px";
      examples.forEach(function (ex) { example(details, ex); });
    }
  }
  function select(id) {
    selected = id;
    edges.forEach(function (e) {
      var on = id === null || e.getAttribute("data-source") === id || e.getAttribute("data-target") === id;
      e.setAttribute("stroke-opacity", id === null ? "0.6" : on ? "0.95" : "0.06");
      e.classList.toggle("ik-ag-lit", id !== null && on);
    });
    nodes.forEach(function (g) {
      var shape = g.querySelector("circle,rect");
      if (shape) shape.setAttribute("stroke-width", g.getAttribute("data-node") === id ? "2.5" : "1");
    });
    root.setAttribute("data-selected", id === null ? "" : id);
    if (id === null) { if (details) details.textContent = initial; } else describe(byId[id]);
  }
  nodes.forEach(function (g) {
    g.addEventListener("click", function (ev) {
      ev.stopPropagation();
      var id = g.getAttribute("data-node");
      select(selected === id ? null : id);
    });
  });
  var svg = root.querySelector("svg");
  if (svg) svg.addEventListener("click", function () { select(null); });
  root.setAttribute("data-ready", "true");
  window.__interpkernelReady = true;
}
