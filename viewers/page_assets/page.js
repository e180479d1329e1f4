// deltagrad's step-through page. Every number on this page was written by the
// Python engine into the JSON block #deltagrad-data; this script only shows,
// hides and moves those strings: it computes no number.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("deltagrad-data").textContent);
  var steps = DATA.steps;
  var N = steps.length;
  var pos = 0;
  var selected = null; // id of the pinned node
  var preview = null; // id of the hovered node

  function $(id) { return document.getElementById(id); }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function item(list, text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    list.appendChild(li);
    return li;
  }

  // --- the graph: nodes, their elements, and what each step knows -------------
  var nodes = {};
  var order = [];
  DATA.nodes.forEach(function (n) { nodes[n.id] = n; order.push(n.id); });
  var forwardCount = 0;
  steps.forEach(function (s, k) {
    if (s.pass === "forward") { forwardCount += 1; nodes[s.node].fstep = k; }
    else { nodes[s.node].bstep = k; }
  });
  // Contributions each node receives, in the order they arrive.
  var received = {};
  steps.forEach(function (s, k) {
    (s.contributions || []).forEach(function (c) {
      (received[c.to] = received[c.to] || []).push({ step: k, from: s.node, text: c.text });
    });
  });
  var finishedAt = {}; // node id -> index in finishOrder
  (DATA.finishOrder || []).forEach(function (id, k) { finishedAt[id] = k; });

  var svg = document.querySelector("#drawing svg");
  var els = {};
  if (svg) {
    Array.prototype.forEach.call(svg.querySelectorAll("g.node[data-node]"), function (g) {
      els[g.id] = g;
    });
  }

  function known(id, k) {
    // Is node id's value known at step k?
    var n = nodes[id];
    if (n.leaf) return true;
    var s = steps[k];
    if (!s || s.pass === "backward") return true;
    return n.fstep !== undefined && n.fstep <= k;
  }
  function finished(id, k) {
    var s = steps[k];
    if (!s || s.pass !== "backward") return false;
    var at = finishedAt[id];
    return at !== undefined && at < s.finished;
  }

  // --- showing a step ------------------------------------------------------------
  function markNodes(k) {
    var s = steps[k];
    Object.keys(els).forEach(function (id) {
      var g = els[id];
      g.classList.remove("current", "receiving");
      var dataText = g.querySelector("text.data");
      var gradText = g.querySelector("text.grad");
      var isKnown = known(id, k);
      if (dataText) {
        dataText.textContent = isKnown ? "data " + nodes[id].dataShort : "data";
        dataText.classList.toggle("blank", !isKnown);
      }
      if (gradText) {
        var done = finished(id, k);
        gradText.textContent = done ? "grad " + DATA.grads[id].short : "grad";
        gradText.classList.toggle("blank", !done);
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("#drawing .current, #drawing .active"),
      function (el) { el.classList.remove("current", "active"); });
    if (!s) return;
    if (els[s.node]) els[s.node].classList.add("current");
    var op = document.getElementById(s.node + "_op");
    if (op) op.classList.add("current");
    s.peers.forEach(function (id) { if (els[id]) els[id].classList.add("receiving"); });
    if (svg) {
      Array.prototype.forEach.call(svg.querySelectorAll('g.edge[id^="' + s.node + '_e"]'),
        function (e) { e.classList.add("active"); });
    }
  }

  // --- zoom: the whole graph, or a window of readable size that follows the step ----
  var graph0 = svg ? svg.querySelector("g.graph") : null;
  var whole = svg ? svg.getAttribute("viewBox") : null;
  var follow = false;
  var READABLE = 0.95; // screen pixels per drawing unit (pt) when following
  function paneSize() {
    var pane = $("drawing");
    return [Math.max(100, pane.clientWidth - 8), Math.max(100, pane.clientHeight - 8)];
  }
  function fitsWhole() {
    if (!whole) return true;
    var vb = whole.split(/[ ,]+/).map(Number);
    var size = paneSize();
    return Math.min(size[0] / vb[2], size[1] / vb[3]) >= 0.85;
  }
  function applyZoom(k) {
    if (!svg) return;
    $("zoom").textContent = follow ? "zoom: whole" : "zoom: step";
    $("zoom").setAttribute("aria-pressed", follow ? "true" : "false");
    if (!follow) { svg.setAttribute("viewBox", whole); return; }
    var s = steps[k];
    // the pinned node if there is one, else the step's node
    var target = selected && els[selected] ? els[selected] : s && els[s.node] ? els[s.node] : els[DATA.root];
    var vb = whole.split(/[ ,]+/).map(Number);
    var size = paneSize();
    var w = size[0] / READABLE, h = size[1] / READABLE;
    var cx = vb[0] + vb[2] / 2, cy = vb[1] + vb[3] / 2;
    if (target && graph0) {
      var b = target.getBBox();
      var m = graph0.transform.baseVal.consolidate();
      var e = m ? m.matrix.e : 0, f = m ? m.matrix.f : 0;
      cx = b.x + e + b.width / 2;
      cy = b.y + f + b.height / 2;
    }
    var x = w >= vb[2] ? vb[0] + (vb[2] - w) / 2 : Math.max(vb[0], Math.min(vb[0] + vb[2] - w, cx - w / 2));
    var y = h >= vb[3] ? vb[1] + (vb[3] - h) / 2 : Math.max(vb[1], Math.min(vb[1] + vb[3] - h, cy - h / 2));
    svg.setAttribute("viewBox", [x, y, w, h].join(" "));
  }

  function counterText(k) {
    var s = steps[k];
    if (!s) return "no steps";
    var inPass = s.pass === "forward" ? k + 1 : k - forwardCount + 1;
    var total = s.pass === "forward" ? forwardCount : N - forwardCount;
    return s.pass + " pass: step " + inPass + " of " + total;
  }

  function show(k) {
    if (N === 0) { $("counter").textContent = "no steps"; showInfo(); return; }
    pos = Math.max(0, Math.min(N - 1, k));
    var s = steps[pos];
    $("slider").value = String(pos);
    $("slider").setAttribute("aria-valuetext", counterText(pos));
    $("counter").textContent = counterText(pos);
    $("step-text").textContent = s.pass + " pass, " + s.text;
    markNodes(pos);
    applyZoom(pos);
    showInfo();
    if (window.deltagradHooks) window.deltagradHooks.forEach(function (f) { f(pos); });
  }

  // --- the node panel ------------------------------------------------------------
  function showInfo() {
    var id = preview || selected || (steps[pos] ? steps[pos].node : DATA.root);
    var n = nodes[id];
    if (!n) return;
    Object.keys(els).forEach(function (e) { els[e].classList.toggle("selected", e === selected); });
    $("info-kind").textContent = n.leaf ? "leaf" : "node";
    $("info-name").textContent = n.name;
    var isKnown = known(id, pos);
    var v = $("info-value");
    v.textContent = isKnown ? n.data : "not computed yet";
    v.className = isKnown ? "" : "blank";
    var done = finished(id, pos);
    var g = $("info-grad");
    g.textContent = done ? DATA.grads[id].full : "not computed yet";
    g.className = done ? "" : "blank";
    var f = $("info-formula");
    f.textContent = n.leaf ? "a leaf: no operation made it" : "";
    if (!n.leaf) {
      var fs = steps[n.fstep];
      f.textContent = fs ? fs.formula : "";
    }
    var rules = $("info-rules");
    clear(rules);
    if (n.rules) {
      n.rules.forEach(function (r) {
        item(rules, (r.constant ? "constant " : "to ") + r.to + ": " + r.rule, r.constant ? "pending" : "");
      });
    } else {
      item(rules, "none (a leaf)", "pending");
    }
    var list = $("info-received");
    clear(list);
    var got = received[id] || [];
    var arrived = 0;
    got.forEach(function (c) {
      var here = steps[pos] && steps[pos].pass === "backward" && c.step <= pos;
      if (here) arrived += 1;
      var from = nodes[c.from].name;
      var li = item(list, "from " + from + " (backward step " + (c.step - forwardCount + 1) + "): " +
        c.text, here ? "" : "pending");
      if (!here) li.title = "not sent yet";
    });
    if (id === DATA.root) item(list, "the seed: d" + n.name + "/d" + n.name + " = 1", "");
    else if (!got.length) item(list, "none: nothing uses this node", "pending");
    else if (arrived < got.length) item(list, (got.length - arrived) + " of " + got.length + " still to come", "pending");
  }

  // --- controls --------------------------------------------------------------------
  var slider = $("slider");
  slider.max = String(Math.max(0, N - 1));
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  $("first").addEventListener("click", function () { show(0); });
  $("prev").addEventListener("click", function () { show(pos - 1); });
  $("next").addEventListener("click", function () { show(pos + 1); });
  $("last").addEventListener("click", function () { show(N - 1); });
  $("zoom").addEventListener("click", function () { follow = !follow; applyZoom(pos); });
  window.addEventListener("resize", function () { applyZoom(pos); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var moves = { ArrowRight: function () { show(pos + 1); }, ArrowLeft: function () { show(pos - 1); },
                  Home: function () { show(0); }, End: function () { show(N - 1); } };
    if (moves[e.key]) { e.preventDefault(); moves[e.key](); return; }
    if ((e.key === "Enter" || e.key === " ") && e.target && e.target.dataset && e.target.dataset.node !== undefined) {
      e.preventDefault(); select(e.target.id);
    }
    if (e.key === "Escape") { selected = null; showInfo(); }
    if ((e.key === "z" || e.key === "Z") && !(e.target && e.target.tagName === "INPUT" && e.target.type !== "range")) {
      follow = !follow; applyZoom(pos);
    }
  });
  function select(id) { selected = selected === id ? null : id; preview = null; showInfo(); applyZoom(pos); }
  Object.keys(els).forEach(function (id) {
    var g = els[id];
    g.addEventListener("click", function () { select(id); });
    g.addEventListener("mouseenter", function () { preview = id; showInfo(); });
    g.addEventListener("mouseleave", function () { preview = null; showInfo(); });
    g.addEventListener("focus", function () { selected = id; showInfo(); applyZoom(pos); });
  });

  window.deltagrad = { show: show, select: select, data: DATA, position: function () { return pos; } };
  follow = !fitsWhole();
  show(0);
})();
