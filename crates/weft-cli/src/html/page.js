// cargo weft html: draws the trace embedded in this page. No network.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("weft-trace").textContent);
  var MAX_ROWS = 3000;
  var app = document.getElementById("app");
  var css = getComputedStyle(document.documentElement);
  var ROW = parseInt(css.getPropertyValue("--row"), 10) || 30;
  var HEAD = parseInt(css.getPropertyValue("--head"), 10) || 54;
  var showAll = data.steps.length <= MAX_ROWS;
  var selected = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function laneColor(i) {
    var hues = [210, 140, 30, 280, 0, 180, 330, 90];
    return "hsl(" + hues[i % hues.length] + ", 55%, 48%)";
  }
  function failingSet() { var s = {}; data.failing_steps.forEach(function (n) { s[n] = true; }); return s; }
  function relatedSet() { var s = {}; data.related_steps.forEach(function (n) { s[n] = true; }); return s; }
  function laneName(id) { var l = data.lanes[id]; return l ? l.name : "thread-" + id; }

  function renderHeader() {
    var h = el("header", "summary");
    var h1 = el("h1", null, "model `" + data.model + "`");
    h1.appendChild(el("span", "badge", data.headline));
    h.appendChild(h1);
    h.appendChild(el("p", "message", data.message));
    var meta = el("div", "meta");
    if (data.test) meta.appendChild(el("span", null, "test " + data.test));
    meta.appendChild(el("span", null, "backend " + data.backend));
    meta.appendChild(el("span", "found", data.found_in));
    meta.appendChild(el("span", null, data.steps.length + (data.steps.length === 1 ? " step, " : " steps, ") + data.lanes.length + (data.lanes.length === 1 ? " thread" : " threads")));
    if (data.minimized) meta.appendChild(el("span", "minimized", "minimal schedule: " + data.minimized));
    if (data.failed_at) meta.appendChild(el("span", null, "failed at " + data.failed_at));
    h.appendChild(meta);
    if (data.trace_path) {
      var cmds = el("div", "commands");
      cmds.appendChild(el("code", null, "cargo weft replay " + data.trace_path));
      cmds.appendChild(el("code", null, "cargo weft show " + data.trace_path));
      h.appendChild(cmds);
    }
    var ex = explanation();
    if (ex) h.appendChild(ex);
    var legend = el("div", "legend");
    var items = [["l-fail", "failing step / failure"], ["l-rel", "step that explains it"], ["l-sel", "selected (click a box; \u2191 \u2193 to move)"]];
    items.forEach(function (it) { var s = el("span"); s.appendChild(el("i", it[0])); s.appendChild(document.createTextNode(it[1])); legend.appendChild(s); });
    var target = data.failing_steps.length ? data.failing_steps[0] : null;
    if (target !== null && data.steps.length > 20) {
      var jump = el("button", "jump", "\u2193 go to the failing step (" + target + ")");
      jump.addEventListener("click", function () {
        var box = document.querySelector('[data-step="' + target + '"]');
        if (box) { box.scrollIntoView({ block: "center" }); box.click(); }
      });
      legend.appendChild(jump);
    } else if (data.steps.length > 20) {
      var toEnd = el("button", "jump", "\u2193 go to the end");
      toEnd.addEventListener("click", function () {
        var end = document.querySelector(".end.failure") || document.querySelector(".end");
        if (end) { end.scrollIntoView({ block: "center" }); end.click(); }
      });
      legend.appendChild(toEnd);
    }
    h.appendChild(legend);
    return h;
  }

  function explanation() {
    var box, ul;
    if (data.cycle.length) {
      box = el("section", "explain cycle");
      box.appendChild(el("h2", null, "The wait-for cycle"));
      ul = el("ul");
      data.cycle.forEach(function (e) {
        var t = "`" + e.thread_name + "` ";
        if (e.holds) t += "holds `" + e.holds[0] + "` (taken at " + e.holds[1] + ") and ";
        t += "waits for `" + e.waits_for + "` (at " + e.waits_at + "), held by `" + e.held_by_name + "`";
        ul.appendChild(el("li", null, t));
      });
      box.appendChild(ul);
      return box;
    }
    if (data.race) {
      box = el("section", "explain race");
      box.appendChild(el("h2", null, "The racing pair, on `" + data.race.object + "`"));
      ul = el("ul");
      [data.race.first, data.race.second].forEach(function (a) {
        ul.appendChild(el("li", null, (a.step ? "step " + a.step + ": " : "") + a.kind + " by `" + a.thread_name + "` at " + a.at));
      });
      ul.appendChild(el("li", null, "and no happens-before orders them"));
      box.appendChild(ul);
      return box;
    }
    if (data.kind === "deadlock") {
      box = el("section", "explain");
      box.appendChild(el("h2", null, "No thread can run, and no lock cycle explains it"));
      ul = el("ul");
      data.lanes.forEach(function (l) { if (l.end_is_failure) ul.appendChild(el("li", null, "`" + l.name + "` " + l.end + (l.end_at ? " (at " + l.end_at + ")" : ""))); });
      box.appendChild(ul);
      return box;
    }
    return null;
  }

  function showDetails(item) {
    var panel = document.getElementById("details");
    panel.textContent = "";
    var dl = el("dl");
    function row(k, v) { if (v === null || v === undefined || v === "") return; dl.appendChild(el("dt", null, k)); dl.appendChild(el("dd", null, v)); }
    if (!item) {
      panel.appendChild(el("h2", null, "Details"));
      panel.appendChild(el("p", "hint", "Hover or click a step to see what it did, on which object, and where in the source."));
      return;
    }
    if (item.kind === "step") {
      var s = item.step;
      panel.appendChild(el("h2", null, "Step " + s.step + (item.failing ? " \u2014 the failing step" : item.related ? " \u2014 explains the failure" : "")));
      row("thread", "[" + s.thread + "] " + laneName(s.thread));
      row("operation", s.op);
      row("what", s.text);
      if (s.object) { row("object", s.object.name); row("kind", s.object.kind); row("created at", s.object.created_at); }
      row("source", s.location);
    } else {
      var l = item.lane;
      panel.appendChild(el("h2", null, "Thread `" + l.name + "` at the end"));
      row("thread", "[" + l.id + "] " + l.name);
      row("state", l.state);
      row("end", l.end);
      row("at", l.end_at);
      row("holds", l.holds.length ? l.holds.join(", ") : "nothing");
      row("spawned at", l.spawned_at || (l.id === 0 ? "(the model's main thread)" : null));
    }
    panel.appendChild(dl);
    panel.appendChild(el("p", "hint", "Click to pin; \u2191 / \u2193 (or k / j) move between steps."));
  }

  function select(node, item) {
    if (selected) selected.node.classList.remove("selected");
    selected = node ? { node: node, item: item } : null;
    if (node) { node.classList.add("selected"); showDetails(item); }
  }

  function renderTimeline(container) {
    container.textContent = "";
    var failing = failingSet(), related = relatedSet();
    var steps = showAll ? data.steps : data.steps.slice(data.steps.length - MAX_ROWS);
    if (!showAll) {
      var more = el("div", "more");
      var b = el("button", null, "show all " + data.steps.length + " steps (the first " + (data.steps.length - MAX_ROWS) + " are hidden)");
      b.addEventListener("click", function () { showAll = true; renderTimeline(container); });
      more.appendChild(b);
      container.appendChild(more);
    }
    var tl = el("div", "timeline");
    var gutter = el("div", "gutter");
    var endTop = HEAD + steps.length * ROW + 12;
    var height = endTop + 6 * ROW;
    gutter.style.height = height + "px";
    var lanes = data.lanes.map(function (lane, i) {
      var div = el("div", "lane");
      div.setAttribute("data-thread", lane.id);
      div.style.setProperty("--lane-color", laneColor(i));
      div.style.height = height + "px";
      var head = el("div", "lane-head");
      head.appendChild(el("div", "name", "[" + lane.id + "] " + lane.name));
      head.appendChild(el("div", "state " + lane.state, lane.state + (lane.holds.length ? " \u00b7 holds " + lane.holds.join(", ") : "")));
      head.title = lane.name;
      div.appendChild(head);
      tl.appendChild(div);
      return div;
    });
    tl.insertBefore(gutter, tl.firstChild);
    var boxes = [];
    var markerPlaced = false;
    steps.forEach(function (s, row) {
      var top = HEAD + row * ROW + 3;
      var num = el("div", "num" + (failing[s.step] ? " failing" : ""), String(s.step));
      num.style.top = (top - 3) + "px";
      gutter.appendChild(num);
      var box = el("div", "step" + (failing[s.step] ? " failing" : "") + (related[s.step] ? " related" : "") + (s.op === "trace" ? " trace-event" : ""));
      box.style.top = top + "px";
      box.setAttribute("data-step", s.step);
      if (failing[s.step]) {
        var m = el("span", "failure-marker", "\u2716");
        if (!markerPlaced) { m.id = "failure-marker"; markerPlaced = true; }
        m.title = "the failure";
        box.appendChild(m);
      }
      box.appendChild(document.createTextNode(s.text));
      if (data.race && (data.race.first.step === s.step || data.race.second.step === s.step)) {
        box.appendChild(el("span", "tag", "race"));
      }
      box.title = s.text + "  \u2014  " + s.location;
      var item = { kind: "step", step: s, failing: !!failing[s.step], related: !!related[s.step] };
      box.addEventListener("mouseenter", function () { if (!selected) showDetails(item); });
      box.addEventListener("click", function () { select(box, item); });
      (lanes[s.thread] || lanes[0]).appendChild(box);
      boxes.push({ node: box, item: item });
    });
    var ends = data.lanes.map(function (lane, i) {
      var end = el("div", "end" + (lane.end_is_failure ? " failure" : ""));
      end.style.top = endTop + "px";
      end.setAttribute("data-end", lane.id);
      if (lane.end_is_failure) {
        var m = el("span", "failure-marker", "\u2716");
        if (!markerPlaced) { m.id = "failure-marker"; markerPlaced = true; }
        end.appendChild(m);
      }
      end.appendChild(document.createTextNode(lane.end));
      var item = { kind: "end", lane: lane };
      end.addEventListener("mouseenter", function () { if (!selected) showDetails(item); });
      end.addEventListener("click", function () { select(end, item); });
      lanes[i].appendChild(end);
      return end;
    });
    var gnum = el("div", "num", "end");
    gnum.style.top = (endTop) + "px";
    gutter.appendChild(gnum);
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "overlay");
    tl.appendChild(svg);
    container.appendChild(tl);
    drawOverlay(tl, svg, boxes, ends);
    window.addEventListener("resize", function () { drawOverlay(tl, svg, boxes, ends); });
    document.onkeydown = function (ev) {
      var down = ev.key === "ArrowDown" || ev.key === "j", up = ev.key === "ArrowUp" || ev.key === "k";
      if (!down && !up) return;
      var i = selected ? boxes.findIndex(function (b) { return b.node === selected.node; }) : -1;
      i = Math.max(0, Math.min(boxes.length - 1, i + (down ? 1 : -1)));
      if (boxes[i]) { select(boxes[i].node, boxes[i].item); boxes[i].node.scrollIntoView({ block: "nearest" }); ev.preventDefault(); }
    };
    return boxes;
  }

  function drawOverlay(tl, svg, boxes, ends) {
    var NS = "http://www.w3.org/2000/svg";
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var base = tl.getBoundingClientRect();
    svg.setAttribute("width", Math.ceil(base.width));
    svg.setAttribute("height", Math.ceil(base.height));
    var defs = document.createElementNS(NS, "defs");
    var marker = document.createElementNS(NS, "marker");
    marker.setAttribute("id", "arrowhead"); marker.setAttribute("viewBox", "0 0 10 10");
    marker.setAttribute("refX", "9"); marker.setAttribute("refY", "5");
    marker.setAttribute("markerWidth", "7"); marker.setAttribute("markerHeight", "7"); marker.setAttribute("orient", "auto-start-reverse");
    var tip = document.createElementNS(NS, "path"); tip.setAttribute("d", "M0,0 L10,5 L0,10 z"); tip.setAttribute("fill", "currentColor");
    marker.appendChild(tip); defs.appendChild(marker); svg.appendChild(defs);
    svg.style.color = getComputedStyle(document.documentElement).getPropertyValue("--fail");
    function rect(node) { var r = node.getBoundingClientRect(); return { x: r.left - base.left, y: r.top - base.top, w: r.width, h: r.height }; }
    function label(x, y, text) { var t = document.createElementNS(NS, "text"); t.setAttribute("x", x); t.setAttribute("y", y); t.setAttribute("text-anchor", "middle"); t.textContent = text; svg.appendChild(t); }
    function curve(cls, a, b, text, bend) {
      var p = document.createElementNS(NS, "path");
      var mx = (a.x + b.x) / 2, my = Math.max(a.y, b.y) + bend;
      p.setAttribute("d", "M" + a.x + "," + a.y + " Q" + mx + "," + my + " " + b.x + "," + b.y);
      p.setAttribute("class", cls);
      if (cls === "cycle-arrow") p.setAttribute("marker-end", "url(#arrowhead)");
      svg.appendChild(p);
      label(mx, (Math.max(a.y, b.y) + my) / 2 + 4, text);
    }
    data.cycle.forEach(function (e, k) {
      var from = ends[e.thread], to = ends[e.held_by];
      if (!from || !to) return;
      var a = rect(from), b = rect(to);
      var text = "waits for " + e.waits_for;
      if (from === to) {
        var p = document.createElementNS(NS, "path");
        var x = a.x + a.w - 10, y = a.y + a.h;
        p.setAttribute("d", "M" + (x - 30) + "," + y + " C" + (x - 40) + "," + (y + 50) + " " + (x + 20) + "," + (y + 50) + " " + x + "," + y);
        p.setAttribute("class", "cycle-arrow"); p.setAttribute("marker-end", "url(#arrowhead)");
        svg.appendChild(p); label(x - 10, y + 56, text);
        return;
      }
      // Rightward edges bend a little, leftward ones further, from other
      // points of the boxes: the two edges of a 2-cycle never overlap.
      var right = b.x > a.x;
      var start = { x: a.x + a.w * (right ? 0.8 : 0.35), y: a.y + a.h };
      var end = { x: b.x + b.w * (right ? 0.2 : 0.65), y: b.y + b.h };
      var bend = (right ? 36 : 96) + 14 * k;
      curve("cycle-arrow", start, end, text, bend);
    });
    if (data.race && data.race.first.step && data.race.second.step) {
      var first = boxes.find(function (bx) { return bx.item.step.step === data.race.first.step; });
      var second = boxes.find(function (bx) { return bx.item.step.step === data.race.second.step; });
      if (first && second) {
        var a = rect(first.node), b = rect(second.node);
        var p = document.createElementNS(NS, "path");
        var rightward = b.x > a.x + 1, same = Math.abs(b.x - a.x) <= 1;
        var ax, bx, ay = a.y + a.h / 2, by = b.y + b.h / 2, d;
        if (same) {
          // One lane: a bracket on the boxes' right.
          ax = a.x + a.w; bx = b.x + b.w;
          d = "M" + ax + "," + ay + " C" + (ax + 40) + "," + ay + " " + (bx + 40) + "," + by + " " + bx + "," + by;
        } else {
          // Two lanes: out of one box, along the gap, into the other.
          ax = rightward ? a.x + a.w : a.x; bx = rightward ? b.x : b.x + b.w;
          var gx = rightward ? bx - 4 : bx + 4;
          d = "M" + ax + "," + ay + " H" + gx + " V" + by + " H" + bx;
        }
        p.setAttribute("d", d);
        p.setAttribute("class", "race-link");
        svg.appendChild(p);
        [[ax, ay], [bx, by]].forEach(function (pt) {
          var c = document.createElementNS(NS, "circle");
          c.setAttribute("cx", pt[0]); c.setAttribute("cy", pt[1]); c.setAttribute("r", 4);
          c.setAttribute("class", "race-end");
          svg.appendChild(c);
        });
        var lx = same ? ax + 44 : (ax + bx) / 2, ly = Math.min(ay, by) - a.h / 2 - 6;
        var t = document.createElementNS(NS, "text");
        t.setAttribute("x", lx); t.setAttribute("y", same ? (ay + by) / 2 + 4 : ly);
        t.setAttribute("text-anchor", same ? "start" : "middle");
        t.textContent = "data race on " + data.race.object;
        svg.appendChild(t);
      }
    }
  }

  document.title = "weft trace: " + data.model + " (" + data.headline + ")";
  app.appendChild(renderHeader());
  var body = el("main", "body");
  var scroller = el("div", "scroller");
  var aside = el("aside", "details"); aside.id = "details";
  body.appendChild(scroller); body.appendChild(aside);
  app.appendChild(body);
  var boxes = renderTimeline(scroller);
  var first = boxes.find(function (b) { return b.item.failing; });
  var failedLane = data.lanes.find(function (l) { return l.end_is_failure; });
  showDetails(first ? first.item : failedLane ? { kind: "end", lane: failedLane } : null);
  document.body.setAttribute("data-weft-rendered", "true");
  document.body.setAttribute("data-lanes", String(data.lanes.length));
})();
