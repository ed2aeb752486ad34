// cargo weft html, weak-memory failures (loom): the stale read drawn over
// the timeline page.js rendered. An arrow goes from the store the load
// read (or from the top of the load's lane, for the atomic's initial
// value) to the stale load; the newer store it did not see is marked.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("weft-trace").textContent);
  var w = data.weak_memory;
  if (!w) return;
  var NS = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function box(step) { return step === null ? null : document.querySelector('.step[data-step="' + step + '"]'); }
  function tag(node, cls, text) {
    if (!node) return;
    node.classList.add(cls);
    var t = el("span", "tag stale-tag", text);
    node.appendChild(t);
  }

  // The explanation, in the header, before the legend.
  var summary = document.querySelector("header.summary");
  if (summary) {
    var section = el("section", "explain weak-memory");
    section.appendChild(el("h2", null, "Stale read of `" + w.object + "` (weak memory)"));
    section.appendChild(el("pre", "weak-text", w.text.replace(/\s+$/, "")));
    summary.insertBefore(section, summary.querySelector(".legend"));
  }

  var load = box(w.load_step), source = box(w.read_from_step), newer = box(w.newer_step);
  tag(load, "stale-load", "stale");
  tag(newer, "stale-newer", "newer, not seen");
  tag(source, "stale-source", "read by " + w.load_step);

  var tl = document.querySelector(".timeline");
  if (!tl || !load) return;
  var svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "overlay weak-overlay");
  tl.appendChild(svg);

  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var base = tl.getBoundingClientRect();
    svg.setAttribute("width", Math.ceil(base.width));
    svg.setAttribute("height", Math.ceil(base.height));
    function rect(node) { var r = node.getBoundingClientRect(); return { x: r.left - base.left, y: r.top - base.top, w: r.width, h: r.height }; }
    var defs = document.createElementNS(NS, "defs");
    var marker = document.createElementNS(NS, "marker");
    marker.setAttribute("id", "stale-arrowhead"); marker.setAttribute("viewBox", "0 0 10 10");
    marker.setAttribute("refX", "9"); marker.setAttribute("refY", "5");
    marker.setAttribute("markerWidth", "7"); marker.setAttribute("markerHeight", "7"); marker.setAttribute("orient", "auto-start-reverse");
    var tip = document.createElementNS(NS, "path"); tip.setAttribute("d", "M0,0 L10,5 L0,10 z"); tip.setAttribute("class", "stale-tip");
    marker.appendChild(tip); defs.appendChild(marker); svg.appendChild(defs);

    var b = rect(load), a, d, label;
    var by = b.y + b.h / 2;
    if (source) {
      a = rect(source);
      var ay = a.y + a.h / 2;
      if (Math.abs(a.x - b.x) <= 1) {
        // One lane: a bracket on the boxes' left.
        d = "M" + a.x + "," + ay + " C" + (a.x - 40) + "," + ay + " " + (b.x - 40) + "," + by + " " + b.x + "," + by;
      } else {
        var right = b.x > a.x;
        var ax = right ? a.x + a.w : a.x, bx = right ? b.x : b.x + b.w;
        d = "M" + ax + "," + ay + " C" + (ax + (right ? 60 : -60)) + "," + ay + " " + (bx + (right ? -60 : 60)) + "," + by + " " + bx + "," + by;
      }
      label = "reads from step " + w.read_from_step;
    } else {
      // The initial value: from the top of the load's lane.
      var head = load.parentNode.querySelector(".lane-head");
      var top = head ? rect(head).y + rect(head).h : b.y - 30;
      var x = b.x + 14;
      d = "M" + x + "," + top + " V" + b.y;
      label = "reads the initial value";
    }
    var p = document.createElementNS(NS, "path");
    p.setAttribute("d", d);
    p.setAttribute("class", "stale-arrow");
    p.setAttribute("marker-end", "url(#stale-arrowhead)");
    svg.appendChild(p);
    var t = document.createElementNS(NS, "text");
    // Right of the load, in the gap between lanes rather than over a box.
    t.setAttribute("x", b.x + b.w + 8); t.setAttribute("y", by + 4);
    t.setAttribute("text-anchor", "start");
    t.setAttribute("class", "stale-label");
    t.textContent = label;
    svg.appendChild(t);
    if (newer) {
      var n = rect(newer);
      var c = document.createElementNS(NS, "rect");
      c.setAttribute("x", n.x - 3); c.setAttribute("y", n.y - 3);
      c.setAttribute("width", n.w + 6); c.setAttribute("height", n.h + 6);
      c.setAttribute("rx", 5);
      c.setAttribute("class", "stale-newer-mark");
      svg.appendChild(c);
    }
  }
  draw();
  window.addEventListener("resize", draw);
  document.body.setAttribute("data-weak-memory", "drawn");
})();
