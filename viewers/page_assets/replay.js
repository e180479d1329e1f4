// deltagrad's training replay. Every number shown was written by the Python
// engine into #deltagrad-data; this script shows and moves those strings. It
// reads numbers only to place things (line widths, the loss curve, the points).
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("deltagrad-data").textContent);
  var frames = DATA.frames;
  var F = frames.length;
  var frame = 0;
  var mode = "train"; // or "backward"
  var bstep = 0;
  var playing = null;
  var selected = null;

  function $(id) { return document.getElementById(id); }

  // --- the network view's elements --------------------------------------------------
  var svg = document.querySelector("#drawing svg");
  var SVGNS = svg.namespaceURI; // the SVG namespace, read from the page rather than written out
  var neuronEls = {};
  DATA.neurons.forEach(function (name, k) {
    var g = svg.querySelector('g.neuron[data-node="' + name + '"]');
    if (g) {
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", "neuron " + name);
      neuronEls[name] = { g: g, index: k, z: g.querySelector("text.z"), a: g.querySelector("text.a"),
                          delta: g.querySelector("text.delta"), title: g.querySelector("title") };
    }
  });
  function prefix(el) {
    if (!el) return "";
    if (!el.dataset.prefix) el.dataset.prefix = el.textContent.split(" =")[0];
    return el.dataset.prefix;
  }
  var weightEls = DATA.params.map(function (name) {
    var g = svg.querySelector('g.weight[data-node="' + name + '"], g.bias[data-node="' + name + '"]');
    var label = svg.querySelector('g.weight-label[data-for="' + name + '"] text');
    return g ? { g: g, line: g.querySelector("line"), title: g.querySelector("title"),
                 text: g.querySelector("text.b"), label: label, bias: /\.b$/.test(name) } : null;
  });
  var maxWidth = 0;
  weightEls.forEach(function (e) {
    if (e && e.line) maxWidth = Math.max(maxWidth, parseFloat(e.line.getAttribute("stroke-width")));
  });
  var unit = maxWidth / 0.4; // viewers.network: width = font * (0.06 + 0.34 |w| / max |w|)
  var inputEls = Array.prototype.slice.call(svg.querySelectorAll("g.input text.value"));
  var lossEl = svg.querySelector("g.loss text.value");
  var lossTitle = svg.querySelector("g.loss title");

  // --- which neurons are done at a backward step ---------------------------------------
  function doneAt(f, k) {
    // neuron name -> true for the neurons whose delta is known after backward step k
    var done = {};
    frames[f].bw.steps.slice(0, k + 1).forEach(function (s) { s.nodes.forEach(function (n) { done[n] = true; }); });
    return done;
  }
  function bsteps(f) { return frames[f].bw.steps; }

  // --- drawing a frame ------------------------------------------------------------------
  function drawNetwork() {
    var fr = frames[frame];
    var biggest = 0;
    fr.w.forEach(function (v, i) { if (!weightEls[i] || !weightEls[i].bias) biggest = Math.max(biggest, Math.abs(parseFloat(v))); });
    biggest = biggest || 1;
    var bi = 0;
    fr.w.forEach(function (v, i) {
      var e = weightEls[i];
      if (!e) return;
      var name = DATA.params[i];
      if (e.bias) {
        if (e.text) e.text.textContent = prefix(e.text) + " = " + fr.short.b[bi];
        bi += 1;
        if (e.title) e.title.textContent = "bias " + name + " = " + v;
        return;
      }
      var w = parseFloat(v);
      e.line.setAttribute("stroke-width", (unit * (0.06 + 0.34 * Math.abs(w) / biggest)).toFixed(2));
      e.line.setAttribute("stroke", w >= 0 ? "#1565c0" : "#c62828");
      if (e.title) e.title.textContent = "weight " + name + " = " + v;
      if (e.label && fr.short.w) e.label.textContent = fr.short.w[i];
    });
    inputEls.forEach(function (t, i) { if (fr.short.x[i] !== undefined) t.textContent = prefix(t) + " = " + fr.short.x[i]; });
    if (lossEl) lossEl.textContent = "L = " + fr.short.L;
    if (lossTitle) lossTitle.textContent = "this sample's loss L = " + fr.sampleLoss;
    var steps = bsteps(frame);
    var done = mode === "backward" ? doneAt(frame, bstep) : null;
    var current = mode === "backward" ? steps[bstep].nodes : [];
    Object.keys(neuronEls).forEach(function (name) {
      var e = neuronEls[name];
      var n = fr.n[e.index];
      if (e.z) e.z.textContent = prefix(e.z) + " = " + n[3];
      if (e.a) e.a.textContent = prefix(e.a) + " = " + n[4];
      var known = !done || done[name];
      if (e.delta) {
        e.delta.textContent = prefix(e.delta) + (known ? " = " + n[5] : " =");
        e.delta.classList.toggle("blank", !known);
      }
      if (e.title) e.title.textContent = name + ": z = " + n[0] + ", a = " + n[1] + (known ? ", delta = " + n[2] : "");
      e.g.classList.toggle("current", current.indexOf(name) >= 0);
    });
  }
  function drawLoss() {
    var curve = $("loss-curve");
    while (curve.firstChild) curve.removeChild(curve.firstChild);
    var values = frames.map(function (f) { return parseFloat(f.loss); });
    var finite = values.filter(function (v) { return isFinite(v); });
    var top = Math.max.apply(null, finite.concat([1e-12]));
    var bottom = Math.min(0, Math.min.apply(null, finite.concat([0])));
    function x(i) { return F > 1 ? 4 + 292 * i / (F - 1) : 150; }
    function y(v) { return 96 - 92 * (v - bottom) / (top - bottom || 1); }
    var pts = values.map(function (v, i) { return x(i).toFixed(1) + "," + y(isFinite(v) ? v : top).toFixed(1); });
    var line = document.createElementNS(SVGNS, "polyline");
    line.setAttribute("points", pts.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#ef6c00");
    line.setAttribute("stroke-width", "1.2");
    line.setAttribute("vector-effect", "non-scaling-stroke");
    curve.appendChild(line);
    var mark = document.createElementNS(SVGNS, "line");
    mark.setAttribute("id", "loss-mark");
    mark.setAttribute("y1", "0");
    mark.setAttribute("y2", "100");
    mark.setAttribute("stroke", "#1565c0");
    mark.setAttribute("vector-effect", "non-scaling-stroke");
    curve.appendChild(mark);
    drawLoss.x = x;
  }

  var COLOURS = [["#fde0dc", "#f9bdbb", "#f69988", "#f36c60"], ["#e1f5fe", "#b3e5fc", "#81d4fa", "#4fc3f7"],
                 ["#e8f5e9", "#c8e6c9", "#a5d6a7", "#81c784"], ["#fff8e1", "#ffecb3", "#ffe082", "#ffd54f"],
                 ["#f3e5f5", "#e1bee7", "#ce93d8", "#ba68c8"], ["#eceff1", "#cfd8dc", "#b0bec5", "#90a4ae"]];
  var POINTS = ["#c62828", "#1565c0", "#2e7d32", "#ff8f00", "#6a1b9a", "#455a64"];
  var cells = [];
  var ring = null;
  function setupRegions() {
    var box = $("regions");
    if (!DATA.bounds) { $("regions-figure").hidden = true; return; }
    var G = DATA.grid;
    box.setAttribute("viewBox", "0 0 " + G + " " + G);
    for (var r = 0; r < G; r++) {
      for (var c = 0; c < G; c++) {
        var rect = document.createElementNS(SVGNS, "rect");
        rect.setAttribute("x", c); rect.setAttribute("y", r);
        rect.setAttribute("width", "1.02"); rect.setAttribute("height", "1.02");
        box.appendChild(rect);
        cells.push(rect);
      }
    }
    var b = DATA.bounds.map(parseFloat);
    DATA.points.forEach(function (p) {
      var dot = document.createElementNS(SVGNS, "circle");
      dot.setAttribute("cx", (G * (parseFloat(p[0]) - b[0]) / (b[1] - b[0])).toFixed(2));
      dot.setAttribute("cy", (G * (b[3] - parseFloat(p[1])) / (b[3] - b[2])).toFixed(2));
      dot.setAttribute("r", "0.35");
      dot.setAttribute("fill", POINTS[Math.min(p[2], 5)]);
      dot.setAttribute("stroke", "white");
      dot.setAttribute("stroke-width", "0.08");
      box.appendChild(dot);
    });
    ring = document.createElementNS(SVGNS, "circle");
    ring.setAttribute("r", "0.9");
    ring.setAttribute("fill", "none");
    ring.setAttribute("stroke", "black");
    ring.setAttribute("stroke-width", "0.18");
    box.appendChild(ring);
    setupRegions.b = b;
  }
  function drawRegions() {
    if (!DATA.bounds) return;
    var grid = frames[frame].grid;
    for (var i = 0; i < cells.length; i++) {
      var code = grid.charCodeAt(i) - 97;
      cells[i].setAttribute("fill", COLOURS[Math.floor(code / 4)][code % 4]);
    }
    var b = setupRegions.b, G = DATA.grid, x = frames[frame].x;
    ring.setAttribute("cx", (G * (parseFloat(x[0]) - b[0]) / (b[1] - b[0])).toFixed(2));
    ring.setAttribute("cy", (G * (b[3] - parseFloat(x[1])) / (b[3] - b[2])).toFixed(2));
  }

  // --- the panel -------------------------------------------------------------------------
  function showInfo() {
    var fr = frames[frame];
    var steps = bsteps(frame);
    var name = selected || (mode === "backward" ? steps[bstep].nodes[0] : null);
    var e = name ? neuronEls[name] : null;
    Object.keys(neuronEls).forEach(function (n) { neuronEls[n].g.classList.toggle("selected", n === selected); });
    if (!e) {
      $("info-kind").textContent = "sample";
      $("info-name").textContent = "#" + fr.sample + " (class " + DATA.classes[fr.label] + ")";
      $("label-z").textContent = "x"; $("label-a").textContent = "loss"; $("label-delta").textContent = "";
      $("info-z").textContent = "(" + fr.x.join(", ") + ")";
      $("info-a").textContent = fr.sampleLoss;
      $("info-delta").textContent = "";
      $("info-step").textContent = "Click a neuron (or Tab to it) for its numbers in full.";
      return;
    }
    var n = fr.n[e.index];
    var done = mode === "backward" ? doneAt(frame, bstep) : null;
    var known = !done || done[name];
    $("info-kind").textContent = "neuron";
    $("info-name").textContent = name;
    $("label-z").textContent = "z"; $("label-a").textContent = "a"; $("label-delta").textContent = "delta";
    $("info-z").textContent = n[0];
    $("info-a").textContent = n[1];
    $("info-delta").textContent = known ? n[2] : "not computed yet";
    $("info-delta").className = known ? "" : "blank";
    $("info-step").textContent = known ? (fr.bw.full[name] || "") : "";
  }

  // --- moving ------------------------------------------------------------------------------
  function show() {
    var fr = frames[frame];
    $("slider").value = String(frame);
    var counter = "training step " + (fr.step + 1) + " of " + DATA.totalSteps + " (epoch " + fr.epoch + ")";
    $("counter").textContent = counter;
    $("slider").setAttribute("aria-valuetext", counter);
    $("loss-value").textContent = "L_B = " + fr.loss;
    var mark = $("loss-mark");
    if (mark) { var xx = drawLoss.x(frame).toFixed(1); mark.setAttribute("x1", xx); mark.setAttribute("x2", xx); }
    var steps = bsteps(frame);
    if (mode === "backward") {
      bstep = Math.max(0, Math.min(steps.length - 1, bstep));
      $("bcounter").textContent = "backward pass: " + (DATA.granularity === "layer" ? "layer" : "neuron") +
        " step " + (bstep + 1) + " of " + steps.length;
      var lines = [steps[bstep].text];
      if (steps[bstep].nodes.length === 1 && fr.bw.full[steps[bstep].nodes[0]]) lines.push(fr.bw.full[steps[bstep].nodes[0]]);
      if (bstep === 0 && fr.bw.loss) lines.push("(the loss's own nodes came first:)\n" + fr.bw.loss);
      $("step-text").textContent = (DATA.single ? "backward pass" : "training step " + (fr.step + 1) + ", backward pass of sample #" + fr.sample) +
        ", step " + (bstep + 1) + " of " + steps.length + ":\n" + lines.join("\n");
    } else {
      $("bcounter").textContent = "";
      $("step-text").textContent = "training step " + (fr.step + 1) + " (epoch " + fr.epoch + "): batch loss L_B = " +
        fr.loss + "; the network as this step found it, and the pass of the batch's first sample #" + fr.sample +
        " (class " + DATA.classes[fr.label] + ", x = (" + fr.x.join(", ") + "), its loss " + fr.sampleLoss + ")";
    }
    $("backward").setAttribute("aria-pressed", mode === "backward" ? "true" : "false");
    $("backward").textContent = mode === "backward" ? "back to training (Esc)" : "backward pass of this step";
    $("bprev").disabled = $("bnext").disabled = mode !== "backward";
    drawNetwork();
    drawRegions();
    applyZoom();
    showInfo();
  }
  function go(f) { frame = Math.max(0, Math.min(F - 1, f)); bstep = 0; show(); }
  function bgo(k) { bstep = k; show(); }
  function setMode(m) { if (DATA.single) m = "backward"; if (m === "backward") pause(); mode = m; bstep = 0; show(); }
  function play() {
    if (playing) return;
    if (mode === "backward") setMode("train");
    if (frame >= F - 1) go(0);
    playing = setInterval(function () { if (frame >= F - 1) { pause(); return; } go(frame + 1); }, 120);
    $("play").textContent = "pause"; $("play").setAttribute("aria-pressed", "true");
  }
  function pause() {
    if (playing) clearInterval(playing);
    playing = null;
    $("play").textContent = "play"; $("play").setAttribute("aria-pressed", "false");
  }

  // --- zoom, as on the graph page ---------------------------------------------------------
  var whole = svg.getAttribute("viewBox");
  var follow = null; // null: automatic (the whole network while training, the step's neuron in a backward pass)
  var READABLE = 0.8;
  function fitsWhole() {
    var vb = whole.split(/[ ,]+/).map(Number);
    var pane = $("drawing");
    return Math.min((pane.clientWidth - 8) / vb[2], (pane.clientHeight - 8) / vb[3]) >= 0.85;
  }
  function following() { return follow === null ? mode === "backward" && !fitsWhole() : follow; }
  function toggleZoom() { follow = !following(); applyZoom(); }
  function applyZoom() {
    var followNow = following();
    $("zoom").textContent = followNow ? "zoom: whole" : "zoom: step";
    $("zoom").setAttribute("aria-pressed", followNow ? "true" : "false");
    if (!followNow) { svg.setAttribute("viewBox", whole); return; }
    var vb = whole.split(/[ ,]+/).map(Number);
    var pane = $("drawing");
    var w = Math.max(100, pane.clientWidth - 8) / READABLE, h = Math.max(100, pane.clientHeight - 8) / READABLE;
    var steps = bsteps(frame);
    var name = selected || (mode === "backward" ? steps[bstep].nodes[0] : null);
    var cx = vb[0] + vb[2] / 2, cy = vb[1] + vb[3] / 2;
    var target = name && neuronEls[name] ? neuronEls[name].g : (name === "L" ? svg.querySelector("g.loss") : null);
    if (target) { var b = target.getBBox(); cx = b.x + b.width / 2; cy = b.y + b.height / 2; }
    var x = w >= vb[2] ? vb[0] + (vb[2] - w) / 2 : Math.max(vb[0], Math.min(vb[0] + vb[2] - w, cx - w / 2));
    var y = h >= vb[3] ? vb[1] + (vb[3] - h) / 2 : Math.max(vb[1], Math.min(vb[1] + vb[3] - h, cy - h / 2));
    svg.setAttribute("viewBox", [x, y, w, h].join(" "));
  }

  // --- controls ------------------------------------------------------------------------------
  var slider = $("slider");
  slider.max = String(Math.max(0, F - 1));
  slider.addEventListener("input", function () { pause(); if (mode === "backward") mode = "train"; go(parseInt(slider.value, 10)); });
  $("play").addEventListener("click", function () { if (playing) pause(); else play(); });
  $("first").addEventListener("click", function () { pause(); mode = "train"; go(0); });
  $("prev").addEventListener("click", function () { pause(); mode = "train"; go(frame - 1); });
  $("next").addEventListener("click", function () { pause(); mode = "train"; go(frame + 1); });
  $("last").addEventListener("click", function () { pause(); mode = "train"; go(F - 1); });
  $("backward").addEventListener("click", function () { setMode(mode === "backward" ? "train" : "backward"); });
  $("bprev").addEventListener("click", function () { bgo(bstep - 1); });
  $("bnext").addEventListener("click", function () { bgo(bstep + 1); });
  $("zoom").addEventListener("click", toggleZoom);
  window.addEventListener("resize", applyZoom);
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var steps = bsteps(frame);
    var key = e.key;
    var handled = true;
    if (key === " " && !(e.target && e.target.tagName === "BUTTON")) { if (playing) pause(); else play(); }
    else if (key === "b" || key === "B") setMode(mode === "backward" ? "train" : "backward");
    else if (key === "Escape") { if (mode === "backward") setMode("train"); else { selected = null; show(); } }
    else if (key === "z" || key === "Z") toggleZoom();
    else if (mode === "backward") {
      if (key === "ArrowRight") bgo(bstep + 1);
      else if (key === "ArrowLeft") bgo(bstep - 1);
      else if (key === "Home") bgo(0);
      else if (key === "End") bgo(steps.length - 1);
      else handled = false;
    } else {
      if (key === "ArrowRight") { pause(); go(frame + 1); }
      else if (key === "ArrowLeft") { pause(); go(frame - 1); }
      else if (key === "Home") { pause(); go(0); }
      else if (key === "End") { pause(); go(F - 1); }
      else handled = false;
    }
    if (!handled && (key === "Enter") && e.target && e.target.dataset && neuronEls[e.target.dataset.node]) {
      select(e.target.dataset.node); handled = true;
    }
    if (handled) e.preventDefault();
  });
  function select(name) { selected = selected === name ? null : name; show(); }
  Object.keys(neuronEls).forEach(function (name) {
    var g = neuronEls[name].g;
    g.addEventListener("click", function () { select(name); });
    g.addEventListener("focus", function () { selected = name; showInfo(); });
  });

  if (DATA.single) {
    ["play", "first", "prev", "next", "last", "slider", "counter", "backward", "loss-figure", "regions-figure"].forEach(
      function (id) { $(id).hidden = true; });
    mode = "backward";
    document.querySelector("footer").textContent = "Keys: \u2190 \u2192 one step of the backward pass, Home / End " +
      "first / last; Z zoom. Click or Tab to a neuron for its numbers in full; hover a weight for its value.";
  }
  drawLoss();
  setupRegions();
  window.deltagrad = { data: DATA, frame: function () { return frame; }, mode: function () { return mode; } };
  go(0);
})();
