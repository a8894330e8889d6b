/* The gallery: search, hover previews, study progress, and the player dialog with deep links.
 * All data comes from gallery-data.js, a classic script beside the page (no fetch: the site also works from file://). */
(function () {
  "use strict";

  var SP = window.StudyPlayer;
  var STUDIED_KEY = "study-diagrams:studied";
  // gallery-data.js (a deferred classic script before this one) holds the data; an embedded JSON element also works.
  var data = window.GALLERY_DATA || JSON.parse(document.getElementById("gallery-data").textContent);
  var tiles = {};
  data.tiles.forEach(function (t) { tiles[t.id] = t; });
  var playable = data.tiles.filter(function (t) { return t.state === "rendered"; }).map(function (t) { return t.id; });
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(s) { s = Math.floor(s); return Math.floor(s / 60) + ":" + pad(s % 60); }
  function absolute(path) { return new URL(path, document.baseURI).href; }
  function tileLink(id) { return $('a.tile-link[data-tile="' + id + '"]'); }

  /* ------------------------------------------------------------ study progress */

  var studied = loadStudied();

  function loadStudied() {
    try {
      var list = JSON.parse(SP.storageGet(STUDIED_KEY) || "[]");
      return new Set(Array.isArray(list) ? list.filter(function (id) { return tiles[id]; }) : []);
    } catch (e) { return new Set(); }
  }

  function setStudied(id, on) {
    if (on) studied.add(id); else studied.delete(id);
    SP.storageSet(STUDIED_KEY, JSON.stringify(Array.from(studied).sort()));
    renderProgress();
  }

  // Studied: marked by hand (an override), or each of the tile's flashcards reviewed at least once (cards.js).
  var cards = window.Cards ? Cards.deck(data) : [];
  function isStudied(id) { return studied.has(id) || (!!window.Cards && Cards.tileReviewed(tiles[id])); }
  window.addEventListener("cards:change", function () { renderProgress(); });

  function renderProgress() {
    var total = 0;
    data.layers.forEach(function (layer) {
      var ready = layer.tiles.filter(function (id) { return tiles[id].state === "rendered"; });
      var done = ready.filter(isStudied).length;
      total += done;
      var section = document.getElementById("layer-" + layer.id);
      var bar = $(".layer-progress", section);
      if (bar) {
        bar.value = done;
        $(".studied-n", section).textContent = done;
      }
      var nav = $('.layer-nav a[data-layer="' + layer.id + '"]');
      if (nav) nav.classList.toggle("complete", ready.length > 0 && done === ready.length);
    });
    $("#count-studied").textContent = total;
    if (window.Cards && Cards.available()) $("#count-due").textContent = "(" + Cards.queue(cards).cards.length + " due now)";
    playable.forEach(function (id) {
      var link = tileLink(id);
      var on = isStudied(id);
      link.closest(".tile").classList.toggle("is-studied", on);
      $(".studied-badge", link).hidden = !on;
    });
    if (player.id) reflectStudied();
  }

  /* ------------------------------------------------------------ search */

  var quietFocus = false;
  var haystack = {};
  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  data.tiles.forEach(function (t) {
    haystack[t.id] = fold([t.title, t.tagline].concat(t.notes).join("\n"));
  });

  var search = $("#q");
  function applySearch() {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    $all("section.layer").forEach(function (section) {
      var any = false;
      $all("li.tile", section).forEach(function (li) {
        var hit = words.every(function (w) { return haystack[li.dataset.id].indexOf(w) >= 0; });
        li.hidden = !hit;
        if (hit) { any = true; shown++; }
      });
      section.hidden = !any;
      var nav = $('.layer-nav a[data-layer="' + section.dataset.layer + '"]');
      if (nav) nav.classList.toggle("no-match", !any);
    });
    $("#no-results").hidden = shown > 0;
    $("#search-status").textContent = words.length ? shown + " of " + data.tiles.length + " match" : "";
  }
  search.addEventListener("input", applySearch);
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && !player.dialog.open && !SP.isTextField(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      search.focus();
    }
  });

  /* ------------------------------------------------------------ hover previews */

  function startPreview(link) {
    if (reducedMotion.matches || link.querySelector("video.preview")) return;
    var t = tiles[link.dataset.tile];
    var v = el("video", { "class": "preview", "aria-hidden": "true", "tabindex": "-1" });
    v.muted = true;
    v.loop = true;
    v.playsInline = true;
    v.preload = "auto";
    v.src = t.media.mp4;
    v.addEventListener("playing", function () { v.classList.add("on"); });
    $(".media", link).appendChild(v);
    var p = v.play();
    if (p && p.catch) p.catch(function () {});
  }

  function stopPreview(link) {
    var v = link.querySelector("video.preview");
    if (!v) return;
    v.pause();
    v.removeAttribute("src");
    v.load();
    v.remove();
  }

  $all("a.tile-link").forEach(function (link) {
    link.addEventListener("pointerenter", function (e) { if (e.pointerType === "mouse") startPreview(link); });
    link.addEventListener("pointerleave", function () { stopPreview(link); });
    link.addEventListener("focus", function () {
      if (quietFocus) quietFocus = false; // focus given back by the closing player: no preview
      else startPreview(link);
    });
    link.addEventListener("blur", function () { stopPreview(link); });
    link.addEventListener("click", function (e) {
      if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return; // new tab: the standalone page
      e.preventDefault();
      stopPreview(link);
      review.layer = null;
      openFromGallery(link.dataset.tile);
    });
  });

  /* ------------------------------------------------------------ the player dialog */

  var player = {
    dialog: document.getElementById("player"),
    id: null,
    ctl: null, // the StudyPlayer of the open tile
  };
  var review = { layer: null, queue: [], timer: 0 };

  function openFromGallery(id) {
    if (("#/" + id) !== location.hash) history.pushState({ gallery: true }, "", "#/" + id);
    show(id);
  }

  function hashTile() {
    var m = /^#\/([a-z0-9-]+)$/.exec(location.hash);
    return m ? m[1] : null;
  }

  function syncToHash() {
    var id = hashTile();
    if (id && tiles[id] && tiles[id].state === "rendered") {
      if (player.id !== id || !player.dialog.open) show(id);
    } else {
      if (player.dialog.open) hide();
      if (id && tiles[id]) {
        var card = document.getElementById("tile-" + id);
        card.scrollIntoView({ block: "center" });
      }
    }
  }

  function requestClose() {
    if (history.state && history.state.gallery) history.back(); // hashchange then hides the dialog
    else {
      history.replaceState(null, "", location.pathname + location.search);
      hide();
    }
  }

  function goTile(delta) {
    var list = navList();
    var i = list.indexOf(player.id) + delta;
    if (i < 0 || i >= list.length) return false;
    history.replaceState(history.state, "", "#/" + list[i]);
    show(list[i]);
    return true;
  }

  function show(id) {
    var t = tiles[id];
    var d = player.dialog;
    clearTimeout(review.timer);
    if (review.layer && review.queue.indexOf(id) < 0) review.layer = null;
    if (player.ctl) player.ctl.destroy();
    player.id = id;

    $("#p-num").textContent = pad(t.number);
    $("#p-layer").textContent = t.layerTitle;
    $("#p-title").textContent = t.title;
    $("#p-tagline").textContent = t.tagline;

    var slot = $("#p-video");
    slot.textContent = "";
    var v = el("video", { controls: "", playsinline: "", preload: "auto", width: t.media.width, height: t.media.height });
    v.setAttribute("aria-label", t.title);
    v.poster = t.media.poster;
    v.src = t.media.mp4;
    slot.appendChild(v);

    var steps = $("#p-steps");
    steps.textContent = "";
    t.steps.forEach(function (s, i) {
      var b = el("button", { type: "button", "class": "step", "data-index": i, "data-start": s.start });
      b.appendChild(el("span", { "class": "step-n" }, s.index));
      var text = el("span", { "class": "step-text" });
      text.appendChild(el("span", { "class": "step-title" }, s.title));
      text.appendChild(el("span", { "class": "step-say" }, s.say));
      b.appendChild(text);
      b.appendChild(el("span", { "class": "step-time" }, clock(s.start)));
      var li = el("li");
      li.appendChild(b);
      steps.appendChild(li);
    });

    fillKeyPoints($("#p-keypoints"), t, v, slot);
    fillList($("#p-notes"), t.notes, "No notes yet.");
    fillQuestions($("#p-questions"), t.questions, t.id);
    var dl = $("#p-downloads");
    dl.textContent = "";
    t.downloads.forEach(function (d) {  // declared once, in TileView.downloads()
      var li = el("li");
      var attrs = { href: d.href };
      if (d.download !== null) attrs.download = d.download;
      li.appendChild(el("a", attrs, d.label));
      dl.appendChild(li);
    });
    fillEmbeds(t);
    $("#copy-status").textContent = "";

    player.ctl = new SP.Player({
      video: v, tile: t, stepsEl: steps, root: "",
      captionsButton: $('[data-action="captions"]', d),
    });
    v.addEventListener("ended", onEnded);
    reflectStudied();
    reflectReview();

    if (!d.open) {
      d.showModal();
      document.documentElement.classList.add("modal-open");
    }
    d.scrollTop = 0;
    $(".player-inner", d).scrollTop = 0;
    v.focus({ preventScroll: true });
    player.ctl.play();
  }

  function navList() { return review.layer ? review.queue : playable; }

  function reflectNav() {
    var list = navList();
    var i = list.indexOf(player.id);
    [["prev-tile", i <= 0], ["next-tile", i >= list.length - 1]].forEach(function (pair) {
      var b = $('[data-action="' + pair[0] + '"]', player.dialog);
      if (pair[1] && document.activeElement === b && player.ctl) player.ctl.video.focus();
      b.disabled = pair[1];
    });
  }

  function hide() {
    var d = player.dialog;
    var id = player.id;
    clearTimeout(review.timer);
    review.layer = null;
    if (player.ctl) { player.ctl.destroy(); player.ctl = null; }
    $("#p-video").textContent = "";
    player.id = null;
    if (d.open) d.close();
    document.documentElement.classList.remove("modal-open");
    var link = id && tileLink(id);
    if (link) {
      quietFocus = document.activeElement !== link;
      link.focus({ preventScroll: true });
      link.scrollIntoView({ block: "nearest" });
    }
  }

  // Key points: hovering or focusing one pauses on the final picture and outlines the elements that carry it.
  function fillKeyPoints(list, t, video, slot) {
    list.textContent = "";
    // The outline goes on the video (paused on its last frame) and on a copy of the poster beside the list,
    // which stays in view while the list is read.
    var overlays = [el("div", { "class": "kp-overlay", "aria-hidden": "true" }),
                    el("div", { "class": "kp-overlay", "aria-hidden": "true" })];
    slot.appendChild(overlays[0]);
    var figure = $("#p-kp-poster");
    figure.textContent = "";
    figure.appendChild(el("img", { src: t.media.poster, alt: "", width: t.media.width, height: t.media.height,
                                   loading: "lazy", decoding: "async" }));
    figure.appendChild(overlays[1]);
    if (!t.keyPoints.length) list.appendChild(el("li", { "class": "empty" }, "No key points yet."));
    t.keyPoints.forEach(function (kp, i) {
      var li = el("li");
      var b = el("button", { type: "button", "class": "kp", "data-index": i });
      b.appendChild(el("span", { "class": "kp-text" }, kp.point));
      if (kp.formula) b.appendChild(el("code", { "class": "kp-formula" }, kp.formula));
      if (kp.priority) b.appendChild(el("span", { "class": "kp-priority kp-" + kp.priority }, kp.priorityLabel));
      function on() {
        video.pause();
        if (isFinite(video.duration)) video.currentTime = video.duration;
        else video.currentTime = t.media.duration;
        overlays.forEach(function (overlay) {
          overlay.textContent = "";
          kp.boxes.forEach(function (bx) {
            var r = bx.box, pad = 0.008;
            var box = el("div", { "class": "kp-box", "data-ref": bx.ref });
            box.style.left = ((r[0] - pad) * 100) + "%";
            box.style.top = ((r[1] - pad * 16 / 9) * 100) + "%";
            box.style.width = ((r[2] - r[0] + 2 * pad) * 100) + "%";
            box.style.height = ((r[3] - r[1] + 2 * pad * 16 / 9) * 100) + "%";
            overlay.appendChild(box);
          });
        });
        list.querySelectorAll(".kp").forEach(function (x) { x.classList.toggle("on", x === b); });
      }
      function off() {
        if (document.activeElement === b || b.matches(":hover")) return;
        overlays.forEach(function (overlay) { overlay.textContent = ""; });
        b.classList.remove("on");
      }
      b.addEventListener("mouseenter", on);
      b.addEventListener("focus", on);
      b.addEventListener("mouseleave", off);
      b.addEventListener("blur", off);
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  // Each question with its model answer hidden in a disclosure until the learner opens it.
  function fillQuestions(list, items, tileId) {
    list.textContent = "";
    if (!items.length) list.appendChild(el("li", { "class": "empty" }, "No questions yet."));
    items.forEach(function (item) {
      var li = el("li", {});
      li.appendChild(el("span", { "class": "q" }, item.q));
      if (item.answer) {
        var d = el("details", { "class": "answer" });
        d.appendChild(el("summary", {}, "Answer"));
        d.appendChild(el("p", {}, item.answer));
        d.appendChild(el("p", { "class": "source" }, "Source: " + item.source));
        li.appendChild(d);
        if (window.Cards) Cards.attachQuestion(li, tileId, item); // rate the recall once the answer is open
      }
      list.appendChild(li);
    });
  }

  function fillList(list, items, empty) {
    list.textContent = "";
    if (!items.length) list.appendChild(el("li", { "class": "empty" }, empty));
    items.forEach(function (text) { list.appendChild(el("li", {}, text)); });
  }

  function embedTheme() {
    var on = $('input[name="embed-theme"]:checked');
    return on ? on.value : "dark";
  }

  function fillEmbeds(t) {
    var box = $("#embed-theme");
    box.hidden = !t.light;
    var light = t.light && embedTheme() === "light";
    var m = light ? t.light : t.media;
    var attr = function (s) { return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;"); };
    var mdText = function (s) { return s.replace(/([\\\[\]])/g, "\\$1"); };
    $("#embed-html").value =
      '<video src="' + absolute(m.mp4) + '" poster="' + absolute(m.poster) + '" controls playsinline width="' + m.width +
      '" height="' + m.height + '">\n  <track kind="captions" src="' + absolute(m.captions) +
      '" srclang="en" label="English" default>\n</video>';
    $("#embed-md").value = "![" + mdText(t.title) + "](" + absolute(m.gif) + ")";
    $("#embed-iframe").value =
      '<iframe src="' + absolute("t/" + t.id + ".html?embed") + '" title="' + attr(t.title) +
      '" width="960" height="540" style="border:0" loading="lazy" allowfullscreen></iframe>';
    $("#embed-deck-box").hidden = !t.exports.deck;
    $("#embed-deck").value = t.exports.deck ?
      '<iframe src="' + absolute(t.exports.deck) + '" title="' + attr(t.title) +
      ' (slides)" width="960" height="540" style="border:0" loading="lazy" allowfullscreen></iframe>' : "";
  }

  function reflectStudied() {
    var b = $('[data-action="studied"]', player.dialog);
    var on = studied.has(player.id);
    b.setAttribute("aria-pressed", String(on));
    b.textContent = on ? "Studied ✓" : "Mark studied";
  }

  /* ------------------------------------------------------------ review mode */

  function startReview(layerId) {
    var layer = data.layers.filter(function (l) { return l.id === layerId; })[0];
    var queue = layer.tiles.filter(function (id) { return tiles[id].state === "rendered"; });
    if (!queue.length) return;
    review.layer = layer;
    review.queue = queue;
    review.done = false;
    openFromGallery(queue[0]);
  }

  function reflectReview() {
    var banner = $("#p-review");
    reflectNav();
    if (!review.layer) { banner.hidden = true; return; }
    banner.hidden = false;
    var i = review.queue.indexOf(player.id);
    $("#p-review-text").textContent = review.done
      ? "Review of " + review.layer.title + " complete: " + review.queue.length + " of " + review.queue.length + " played."
      : "Reviewing " + review.layer.title + ": " + (i + 1) + " of " + review.queue.length;
  }

  function onEnded() {
    if (!review.layer) return;
    var i = review.queue.indexOf(player.id);
    if (i < review.queue.length - 1) {
      review.timer = setTimeout(function () { goTile(1); }, 1200);
    } else {
      review.done = true;
      reflectReview();
    }
  }

  $all("button.review").forEach(function (b) {
    b.addEventListener("click", function () { startReview(b.dataset.layer); });
  });

  /* ------------------------------------------------------------ dialog wiring */

  var d = player.dialog;
  var actions = {
    "close": requestClose,
    "prev-step": function () { player.ctl.prevStep(); },
    "next-step": function () { player.ctl.nextStep(); },
    "captions": function () { player.ctl.setCaptions(!player.ctl.captions); },
    "studied": function () { setStudied(player.id, !studied.has(player.id)); },
    "prev-tile": function () { goTile(-1); },
    "next-tile": function () { goTile(1); },
    "stop-review": function () { clearTimeout(review.timer); review.layer = null; reflectReview(); player.ctl.video.focus(); },
  };
  d.addEventListener("click", function (e) {
    var b = e.target.closest("[data-action]");
    if (b && actions[b.dataset.action] && player.ctl) { actions[b.dataset.action](); return; }
    var copy = e.target.closest("[data-copy]");
    if (copy) { copySnippet(document.getElementById(copy.dataset.copy)); return; }
    if (e.target === d) requestClose(); // a click on the backdrop
  });
  $("#embed-theme").addEventListener("change", function () { if (player.id) fillEmbeds(tiles[player.id]); });
  // Mouse clicks on the player's buttons keep the focus on the video, so Space keeps playing and pausing.
  d.addEventListener("mousedown", function (e) {
    var b = e.target.closest(".controls button");
    if (b) e.preventDefault();
  });
  d.addEventListener("cancel", function (e) { e.preventDefault(); requestClose(); });
  d.addEventListener("keydown", function (e) {
    if (!player.ctl) return;
    if (e.key === "Tab") { trapFocus(e); return; }
    if (e.target.type === "radio" && e.key.indexOf("Arrow") === 0) return; // the radios' own arrow keys
    if (e.key === "Escape") { e.preventDefault(); requestClose(); return; }
    if (e.key === "PageDown" || e.key === "PageUp") {
      if (SP.isTextField(e.target)) return;
      e.preventDefault();
      goTile(e.key === "PageDown" ? 1 : -1);
      return;
    }
    if (player.ctl.handleKey(e)) { e.preventDefault(); e.stopPropagation(); }
  }, true); // capture: the video's own controls would also act on Space and the arrows
  d.addEventListener("keyup", function (e) {
    if (player.ctl && player.ctl.handleKeyUp(e)) { e.preventDefault(); e.stopPropagation(); }
  }, true);

  function focusables() {
    return $all("button, [href], textarea, input, select, video[controls], [tabindex]:not([tabindex='-1'])", d)
      .filter(function (n) { return !n.disabled && n.getClientRects().length > 0 && !n.closest("[hidden]"); });
  }

  function trapFocus(e) {
    var list = focusables();
    if (!list.length) return;
    var first = list[0];
    var last = list[list.length - 1];
    var inside = d.contains(document.activeElement);
    if (e.shiftKey && (document.activeElement === first || !inside)) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (document.activeElement === last || !inside)) { e.preventDefault(); first.focus(); }
  }

  function copySnippet(area) {
    var status = $("#copy-status");
    var done = function () { status.textContent = "Copied the " + $('label[for="' + area.id + '"]').textContent + " snippet."; };
    var fallback = function () {
      area.focus();
      area.select();
      try { document.execCommand("copy"); done(); } catch (err) { status.textContent = "Select the text and copy it."; }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(area.value).then(done, fallback);
    else fallback();
  }

  window.addEventListener("hashchange", syncToHash);
  window.addEventListener("popstate", syncToHash);

  /* ------------------------------------------------------------ nav: mark the layer in view */

  if ("IntersectionObserver" in window) {
    var navLinks = {};
    $all(".layer-nav a").forEach(function (a) { navLinks[a.dataset.layer] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        Object.keys(navLinks).forEach(function (k) { navLinks[k].removeAttribute("aria-current"); });
        var a = navLinks[entry.target.dataset.layer];
        a.setAttribute("aria-current", "location");
        var nav = a.closest("nav");
        if (nav.scrollWidth > nav.clientWidth) {
          nav.scrollTo({ left: a.offsetLeft - nav.clientWidth / 2 + a.offsetWidth / 2, behavior: "auto" });
        }
      });
    }, { rootMargin: "-30% 0px -65% 0px" });
    $all("section.layer").forEach(function (s) { observer.observe(s); });
  }

  var navBox = $(".layer-nav");
  function navEdge() { navBox.classList.toggle("at-end", navBox.scrollLeft + navBox.clientWidth >= navBox.scrollWidth - 2); }
  navBox.addEventListener("scroll", navEdge, { passive: true });
  window.addEventListener("resize", navEdge);
  navEdge();

  renderProgress();
  if (search.value) applySearch(); // the browser may restore the box's text on reload
  syncToHash();
  window.Gallery = { show: show, requestClose: requestClose, studied: studied };
})();
