// cargo weft html, potential deadlocks (lockdep): draws the lock-order
// graph with its cycle, from the report's paths, above the timeline. Runs
// after page.js; does nothing for other failures. No network.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("weft-trace").textContent);
  if (data.kind !== "potential_deadlock" && data.kind !== "potential deadlock") return;
  var SVG = "http://www.w3.org/2000/svg";
  // "  `audit` locked `accounts` at f:53 while holding `journal` (locked at f:52), in execution 1"
  var re = /^\s*`([^`]*)` locked `([^`]*)` at (\S+) while holding `([^`]*)` \(locked at (\S+)\)(?:, in execution (\d+))?$/;
  var edges = [];
  data.message.split("\n").forEach(function (line) {
    var m = re.exec(line);
    if (m) edges.push({ thread: m[1], to: m[2], at: m[3], from: m[4], heldAt: m[5], execution: m[6] });
  });
  if (!edges.length) return;
  var locks = [];
  edges.forEach(function (e) { if (locks.indexOf(e.from) < 0) locks.push(e.from); });
  edges.forEach(function (e) { if (locks.indexOf(e.to) < 0) locks.push(e.to); });

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  var W = 640, H = 300, R = 100, cx = W / 2, cy = H / 2;
  var pos = {};
  locks.forEach(function (l, i) {
    // From the left, clockwise: two locks sit side by side.
    var a = Math.PI + (2 * Math.PI * i) / locks.length;
    pos[l] = { x: cx + R * 1.6 * Math.cos(a), y: cy + R * Math.sin(a) };
  });
  var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, "class": "lock-graph" });
  var defs = svg("defs", {});
  ["plain", "closing"].forEach(function (kind) {
    var marker = svg("marker", { id: "lock-arrow-" + kind, viewBox: "0 0 10 10", refX: 10, refY: 5,
      markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse" });
    marker.appendChild(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", "class": "lock-arrowhead " + kind }));
    defs.appendChild(marker);
  });
  root.appendChild(defs);
  edges.forEach(function (e, i) {
    var a = pos[e.from], b = pos[e.to];
    var dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
    // Stop short of the lock boxes; bend each edge to its left, so that
    // the two edges of a 2-cycle never overlap.
    var sx = a.x + dx / len * 50, sy = a.y + dy / len * 18;
    var ex = b.x - dx / len * 50, ey = b.y - dy / len * 18;
    var mx = (sx + ex) / 2 - dy / len * 40, my = (sy + ey) / 2 + dx / len * 40;
    var closing = i === edges.length - 1;
    var kind = closing ? "closing" : "plain";
    root.appendChild(svg("path", {
      d: "M " + sx + " " + sy + " Q " + mx + " " + my + " " + ex + " " + ey,
      "class": closing ? "lock-edge closing" : "lock-edge",
      "marker-end": "url(#lock-arrow-" + kind + ")",
      "data-thread": e.thread
    }));
    // The label sits beyond the curve's middle, on its outer side.
    var lx = (sx + ex) / 2 - dy / len * 34, ly = (sy + ey) / 2 + dx / len * 34 + 4;
    root.appendChild(svg("text", { x: lx, y: ly, "class": "lock-edge-label", "text-anchor": "middle" },
      "`" + e.thread + "` at " + e.at + (closing ? "  (closes the cycle)" : "")));
  });
  locks.forEach(function (l) {
    var p = pos[l];
    var g = svg("g", { "class": "lock-node", "data-lock": l });
    g.appendChild(svg("rect", { x: p.x - 46, y: p.y - 16, width: 92, height: 32, rx: 6 }));
    g.appendChild(svg("text", { x: p.x, y: p.y + 5, "text-anchor": "middle" }, l));
    root.appendChild(g);
  });

  var box = document.createElement("section");
  box.className = "explain lock-order";
  box.id = "lock-order";
  var h2 = document.createElement("h2");
  h2.textContent = "The lock-order graph: a cycle, though no execution deadlocked";
  box.appendChild(h2);
  box.appendChild(root);
  var list = document.createElement("ul");
  edges.forEach(function (e) {
    var li = document.createElement("li");
    li.textContent = "`" + e.thread + "` locked `" + e.to + "` at " + e.at + " while holding `" +
      e.from + "` (locked at " + e.heldAt + ")" + (e.execution ? ", in execution " + e.execution : "");
    list.appendChild(li);
  });
  box.appendChild(list);
  var app = document.getElementById("app");
  var body = app.querySelector("main.body");
  app.insertBefore(box, body);
  document.body.setAttribute("data-lock-order", String(edges.length));
})();
