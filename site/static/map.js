/* The study views: the map (pan, zoom, the path to a chosen diagram, studied marks) and the study order's
 * checkboxes. Studied diagrams are the gallery's: localStorage "study-diagrams:studied" (see gallery.js).
 * A classic script with its data embedded in the page, so the views work from file:// as well. */
(function () {
  "use strict";

  var STUDIED_KEY = "study-diagrams:studied";
  var data = JSON.parse(document.getElementById("study-data").textContent);
  var tiles = data.tiles;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  function loadStudied() {
    try {
      var list = JSON.parse(window.localStorage.getItem(STUDIED_KEY) || "[]");
      return new Set(Array.isArray(list) ? list.filter(function (id) { return tiles[id]; }) : []);
    } catch (e) { return new Set(); }
  }
  function saveStudied(set) {
    try { window.localStorage.setItem(STUDIED_KEY, JSON.stringify(Array.from(set).sort())); } catch (e) { /* private mode */ }
  }
  var studied = loadStudied();

  /** Everything a tile requires, transitively (not the tile itself). */
  function ancestors(id) {
    var seen = new Set();
    var stack = (tiles[id] ? tiles[id].requires : []).slice();
    while (stack.length) {
      var r = stack.pop();
      if (!seen.has(r) && tiles[r]) { seen.add(r); stack = stack.concat(tiles[r].requires); }
    }
    return seen;
  }

  /* ------------------------------------------------------------ the study order */

  function renderOrder() {
    var boxes = $all("input.studied-check");
    if (!boxes.length) return;
    var done = 0;
    boxes.forEach(function (box) {
      var on = studied.has(box.dataset.tile);
      box.checked = on;
      box.closest("li").classList.toggle("is-studied", on);
      if (on) done += 1;
    });
    $("#order-done").textContent = done;
  }
  $all("input.studied-check").forEach(function (box) {
    box.addEventListener("change", function () {
      studied = loadStudied(); // another tab may have changed it
      if (box.checked) studied.add(box.dataset.tile); else studied.delete(box.dataset.tile);
      saveStudied(studied);
      renderOrder();
    });
  });
  renderOrder();
  var refreshers = [renderOrder]; // what to redraw when another tab changes the studied tiles
  window.addEventListener("storage", function (e) {
    if (e.key !== STUDIED_KEY) return;
    studied = loadStudied();
    refreshers.forEach(function (f) { f(); });
  });

  /* ------------------------------------------------------------ the map */

  var svg = document.getElementById("map-svg");
  var view = document.getElementById("map-view");
  if (!svg || !view) return;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var nodes = {};
  $all("g.tile-node", svg).forEach(function (g) { nodes[g.id.replace(/^node-/, "")] = g; });
  var edges = $all("g.edge", svg).map(function (g) {
    var m = /^edge-(.+)--(.+)$/.exec(g.id);
    return { g: g, from: m[1], to: m[2] };
  });
  var status = document.getElementById("path-status");
  var picker = document.getElementById("path-to");

  function markStudied() {
    Object.keys(nodes).forEach(function (id) {
      var g = nodes[id];
      var on = studied.has(id);
      g.classList.toggle("studied", on);
      var tick = $(".tick", g);
      if (on && !tick) {
        var box = $("path, polygon", g).getBBox();
        tick = document.createElementNS(SVG_NS, "text");
        tick.setAttribute("class", "tick");
        tick.setAttribute("x", box.x + box.width - 3);
        tick.setAttribute("y", box.y + 11);
        tick.setAttribute("text-anchor", "end");
        tick.setAttribute("aria-hidden", "true");
        tick.textContent = "✓";
        $("a", g).appendChild(tick);
      } else if (!on && tick) {
        tick.remove();
      }
      var a = $("a", g);
      var label = a.getAttribute("aria-label").replace(/, studied$/, "");
      a.setAttribute("aria-label", on ? label + ", studied" : label);
    });
  }

  var chosen = null; // the tile whose path is shown (picked in the list, or pointed at / focused)
  var pinned = ""; // the tile picked in the list: shown again when the pointer or focus leaves a node

  function choose(id) {
    chosen = id || null;
    var path = chosen ? ancestors(chosen) : new Set();
    svg.classList.toggle("has-path", !!chosen);
    Object.keys(nodes).forEach(function (nid) {
      nodes[nid].classList.toggle("on-path", path.has(nid));
      nodes[nid].classList.toggle("chosen", nid === chosen);
    });
    edges.forEach(function (e) {
      e.g.classList.toggle("on-path", path.has(e.from) && (path.has(e.to) || e.to === chosen));
    });
    if (!chosen) { status.textContent = ""; return; }
    var t = tiles[chosen];
    var before = Array.from(path).filter(function (nid) { return !studied.has(nid); }).length;
    status.textContent = path.size
      ? t.title + ": " + path.size + " diagram" + (path.size === 1 ? "" : "s") + " to study first, " + before + " not studied yet."
      : t.title + ": nothing to study first.";
  }

  Object.keys(nodes).forEach(function (id) {
    var a = $("a", nodes[id]);
    a.addEventListener("focus", function () { choose(id); });
    a.addEventListener("blur", function () { choose(pinned); });
    nodes[id].addEventListener("pointerenter", function (e) { if (e.pointerType === "mouse") choose(id); });
    nodes[id].addEventListener("pointerleave", function (e) {
      if (e.pointerType === "mouse" && document.activeElement !== a) choose(pinned);
    });
  });
  picker.addEventListener("change", function () { pinned = picker.value; choose(pinned); });

  /* Pan and zoom: svg-pan-zoom for the wheel and drag; keys, buttons and two-finger pinch here. */
  var pz = window.svgPanZoom(svg, {
    zoomEnabled: true,
    panEnabled: true,
    controlIconsEnabled: false,
    dblClickZoomEnabled: false,
    mouseWheelZoomEnabled: true,
    preventMouseEventsDefault: true,
    zoomScaleSensitivity: 0.25,
    minZoom: 0.8,
    maxZoom: 12,
    fit: true,
    center: true,
  });
  var STEP = 1.3;
  var PAN = 80;

  function zoom(how) {
    if (how === "in") pz.zoomBy(STEP);
    else if (how === "out") pz.zoomBy(1 / STEP);
    else { pz.resize(); pz.fit(); pz.center(); }
  }

  // On a narrow screen the whole map is too small to read: start at a readable size on the first tile (the root
  // of the study path, at the top), and let "Fit" show all of it.
  var READABLE = 0.9; // the real scale at which a node's label is about 12 px tall
  function startView() {
    var sz = pz.getSizes();
    if (sz.width >= 700 || sz.realZoom >= READABLE) return;
    // The first node's top centre in the map's own units (inside the pan-zoom viewport; its transform is
    // drawn on the next frame, so it is not read from the screen).
    var first = nodes[Object.keys(tiles).sort(function (a, b) { return tiles[a].number - tiles[b].number; })[0]];
    var vp = svg.querySelector(".svg-pan-zoom_viewport");
    var b = first.getBBox();
    var p = svg.createSVGPoint();
    p.x = b.x + b.width / 2;
    p.y = b.y;
    p = p.matrixTransform(vp.getCTM().inverse().multiply(first.getCTM()));
    var cx = p.x;
    var cy = p.y;
    pz.zoom(READABLE / sz.realZoom);
    pz.pan({ x: sz.width / 2 - cx * READABLE, y: 40 - cy * READABLE });
  }
  startView();
  $all("[data-zoom]").forEach(function (b) { b.addEventListener("click", function () { zoom(b.dataset.zoom); }); });

  view.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var moves = { ArrowLeft: [PAN, 0], ArrowRight: [-PAN, 0], ArrowUp: [0, PAN], ArrowDown: [0, -PAN] };
    if (moves[e.key]) { pz.panBy({ x: moves[e.key][0], y: moves[e.key][1] }); }
    else if (e.key === "+" || e.key === "=") zoom("in");
    else if (e.key === "-" || e.key === "_") zoom("out");
    else if (e.key === "0") zoom("reset");
    else return;
    e.preventDefault();
  });

  // Keep a diagram reached with Tab in view.
  view.addEventListener("focusin", function (e) {
    var a = e.target.closest && e.target.closest("a[data-tile]");
    if (!a) return;
    var r = a.getBoundingClientRect();
    var v = view.getBoundingClientRect();
    var margin = 24;
    var dx = 0;
    var dy = 0;
    if (r.left < v.left + margin) dx = v.left + margin - r.left;
    else if (r.right > v.right - margin) dx = v.right - margin - r.right;
    if (r.top < v.top + margin) dy = v.top + margin - r.top;
    else if (r.bottom > v.bottom - margin) dy = v.bottom - margin - r.bottom;
    if (dx || dy) pz.panBy({ x: dx, y: dy });
    view.scrollTop = 0; // the browser may have scrolled the clipped view itself to reveal the link
    view.scrollLeft = 0;
  });

  // A drag that starts on a diagram pans the map; it does not open the diagram.
  var down = null;
  var dragged = false;
  view.addEventListener("pointerdown", function (e) { down = { x: e.clientX, y: e.clientY }; dragged = false; });
  view.addEventListener("pointermove", function (e) {
    if (down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 6) dragged = true;
  });
  view.addEventListener("pointerup", function () { down = null; });
  view.addEventListener("click", function (e) {
    if (dragged) { e.preventDefault(); e.stopPropagation(); dragged = false; }
  }, true);

  // Two-finger pinch (svg-pan-zoom handles one-finger drags): zoom about the fingers' midpoint.
  var pinch = null;
  function spread(t) { return Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY); }
  view.addEventListener("touchstart", function (e) {
    if (e.touches.length === 2) { pinch = spread(e.touches); pz.disablePan(); }
  }, { passive: true });
  view.addEventListener("touchmove", function (e) {
    if (!pinch || e.touches.length !== 2) return;
    var d = spread(e.touches);
    var box = svg.getBoundingClientRect();
    var mid = { x: (e.touches[0].clientX + e.touches[1].clientX) / 2 - box.left,
                y: (e.touches[0].clientY + e.touches[1].clientY) / 2 - box.top };
    if (d > 0 && pinch > 0) pz.zoomAtPointBy(d / pinch, mid);
    pinch = d;
    e.preventDefault();
  }, { passive: false });
  view.addEventListener("touchend", function (e) {
    if (pinch && e.touches.length < 2) { pinch = null; pz.enablePan(); }
  });
  window.addEventListener("resize", function () { pz.resize(); });

  refreshers.push(markStudied, function () { choose(chosen); });
  markStudied();
  window.StudyMap = { panZoom: pz, choose: choose, ancestors: ancestors };
})();
