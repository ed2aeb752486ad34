// cargo weft html: the flip point and the "minimal / as found" toggle.
// Runs before page.js: with #as-found in the address, it puts the first
// failing schedule's steps where page.js reads the steps; once the page is
// drawn, it adds the toggle and highlights the flip point's steps. No network.
(function () {
  "use strict";
  var node = document.getElementById("weft-trace");
  var data = JSON.parse(node.textContent);
  var asFound = location.hash === "#as-found" && !!data.as_found;
  if (asFound) {
    var f = data.as_found;
    data.steps = f.steps;
    data.failing_steps = f.failing_steps;
    data.related_steps = f.related_steps;
    if (data.race && f.race_steps) {
      data.race.first.step = f.race_steps[0];
      data.race.second.step = f.race_steps[1];
    }
    data.view = { kind: "as_found", summary: f.summary };
    // The flip point's step numbers are the minimal schedule's.
    data.flip = null;
    node.textContent = JSON.stringify(data);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function show(view) {
    location.hash = view === "as-found" ? "as-found" : "minimal";
    location.reload();
  }

  function toggle() {
    var box = el("div", "view-toggle");
    box.appendChild(el("span", "label", "schedule"));
    [["minimal", "minimal", !asFound], ["as-found", "as found", asFound]].forEach(function (v) {
      var b = el("button", null, v[1]);
      b.setAttribute("data-view", v[0]);
      b.setAttribute("aria-pressed", v[2] ? "true" : "false");
      if (v[0] === "as-found" && !data.as_found) {
        b.disabled = true;
        b.title = "the first failing schedule was the minimal one (or the trace is older)";
      } else if (!v[2]) {
        b.addEventListener("click", function () { show(v[0]); });
      }
      box.appendChild(b);
    });
    var note = asFound
      ? "the first failing schedule, as found: " + data.view.summary
      : data.as_found ? "the minimal schedule (as found: " + data.as_found.summary + ")" : "the minimal schedule";
    box.appendChild(el("span", "note", note));
    return box;
  }

  function decorate() {
    var header = document.querySelector("header.summary");
    if (!header) return;
    var legend = header.querySelector(".legend");
    header.insertBefore(toggle(), legend);
    var flip = data.flip;
    if (flip) {
      var p = el("p", "flip-point");
      p.appendChild(el("strong", null, "flip point: "));
      p.appendChild(document.createTextNode(flip.sentence));
      header.insertBefore(p, legend);
      var marks = [
        [flip.first, "flip: run after " + (flip.second !== null && flip.second !== undefined ? "step " + flip.second : "the blocked lock")],
        [flip.second, "flip: run before step " + flip.first]
      ];
      marks.forEach(function (m) {
        if (m[0] === null || m[0] === undefined) return;
        document.querySelectorAll('[data-step="' + m[0] + '"]').forEach(function (box) {
          box.classList.add("flip");
          var tag = el("span", "flip-tag", m[1]);
          box.appendChild(tag);
        });
      });
      if (flip.blocked_thread !== null && flip.blocked_thread !== undefined) {
        var end = document.querySelector('[data-end="' + flip.blocked_thread + '"]');
        if (end) {
          end.classList.add("flip");
          end.appendChild(el("span", "flip-tag", "flip: run before step " + flip.first));
        }
      }
      if (legend) {
        var s = el("span");
        s.appendChild(el("i", "l-flip"));
        s.appendChild(document.createTextNode("flip point: swapped, the model passes"));
        legend.insertBefore(s, legend.querySelector("button"));
      }
    }
    document.body.setAttribute("data-weft-view", asFound ? "as-found" : "minimal");
  }

  document.addEventListener("DOMContentLoaded", decorate);
})();
