function (root) {
  "use strict";
  // Shared by every chart: hover shows a mark's value, a click pins it (a second click unpins). A mark is any SVG
  // element with a <title>, which browsers show natively where this script does not run; here it moves to data-tip.
  if (!root || root.getAttribute("data-bound")) return;
  root.setAttribute("data-bound", "true");
  var titles = root.querySelectorAll("svg title");
  for (var i = 0; i < titles.length; i++) {
    var t = titles[i], owner = t.parentNode;
    if (owner.tagName.toLowerCase() === "svg") continue;
    owner.setAttribute("data-tip", t.textContent);
    owner.removeChild(t);
  }
  var tip = document.createElement("div");
  tip.className = "ik-tip";
  tip.id = root.id + "-tip";
  root.appendChild(tip);
  // Marks of a view nested inside this one belong to that view's own script.
  function mark(e) { var el = e.target && e.target.closest ? e.target.closest("[data-tip]") : null; return el && el.closest("[data-bound]") === root ? el : null; }
  root.addEventListener("mousemove", function (e) {
    var el = mark(e);
    if (!el) { tip.style.display = "none"; return; }
    tip.textContent = el.getAttribute("data-tip");
    tip.style.display = "block";
    tip.style.left = (e.clientX + 12) + "px";
    tip.style.top = (e.clientY + 12) + "px";
  });
  root.addEventListener("mouseleave", function () { tip.style.display = "none"; });
  root.addEventListener("click", function (e) {
    var el = mark(e);
    if (!el) return;
    if (el.__ikPin) { el.__ikPin.parentNode.removeChild(el.__ikPin); el.__ikPin = null; el.classList.remove("ik-pinned"); return; }
    var box = root.getBoundingClientRect(), at = el.getBoundingClientRect(), pin = document.createElement("div");
    pin.className = "ik-pin";
    pin.textContent = el.getAttribute("data-tip");
    pin.style.left = (at.left - box.left + at.width / 2) + "px";
    pin.style.top = (at.top - box.top - 4) + "px";
    root.appendChild(pin);
    el.__ikPin = pin;
    el.classList.add("ik-pinned");
  });
  root.setAttribute("data-ready", "true");
  window.__interpkernelReady = true;
}
