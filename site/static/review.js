/* The Review page: today's due flashcards grouped by diagram. Each diagram's video plays from the start
 * (skippable at once), then its due cards are asked one by one and rated 1-4; FSRS (via window.Cards) schedules them. */
(function () {
  "use strict";

  var SP = window.StudyPlayer;
  var C = window.Cards;
  var data = JSON.parse(document.getElementById("gallery-data").textContent);
  var tiles = {};
  data.tiles.forEach(function (t) { tiles[t.id] = t; });
  var all = C.deck(data);

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  var overview = $("r-overview");
  var sessionEl = $("r-session");
  var doneEl = $("r-done");
  var session = null; // {groups: [{tile, cards}], gi, ci, revealed, ctl, rated}

  function groupsOf(cards) {
    var groups = [];
    var byTile = {};
    cards.forEach(function (c) {
      if (!byTile[c.tile]) { byTile[c.tile] = { tile: c.tile, cards: [] }; groups.push(byTile[c.tile]); }
      byTile[c.tile].cards.push(c);
    });
    return groups;
  }

  function tomorrowText(q) {
    var parts = [];
    if (q.laterToday) parts.push("Later today: " + plural(q.laterToday, "card in its", "cards in their") + " first steps.");
    parts.push("Tomorrow: " + plural(q.tomorrow.reviews, "review", "reviews") + " and " +
      plural(q.tomorrow.fresh, "new card", "new cards") + ".");
    return parts.join(" ");
  }

  /* ------------------------------------------------------------ the overview */

  function renderOverview() {
    $("r-new").value = C.newPerDay();
    if (!C.available()) {
      $("r-missing").hidden = false;
      $("r-start").disabled = true;
      $("r-summary").textContent = "The flashcards cannot be scheduled on this page.";
      return;
    }
    var q = C.queue(all, new Date());
    $("r-summary").textContent = q.cards.length
      ? plural(q.cards.length, "card", "cards") + " due now: " + plural(q.reviews, "review", "reviews") + " and " +
        plural(q.fresh, "new card", "new cards") + " (at most " + C.newPerDay() + " new a day; " +
        q.introduced + " introduced today)."
      : "Nothing is due now: " + all.length + " cards in all, " + q.newLeft + " not started yet.";
    var list = $("r-tiles");
    list.textContent = "";
    groupsOf(q.cards).forEach(function (g) {
      var t = tiles[g.tile];
      var fresh = g.cards.filter(function (c) { return !C.get(c.id); }).length;
      var li = el("li", { "data-tile": t.id });
      li.appendChild(el("span", { "class": "r-tile-num" }, pad(t.number)));
      li.appendChild(el("span", { "class": "r-tile-title" }, t.title));
      li.appendChild(el("span", { "class": "r-tile-count" },
        plural(g.cards.length, "card", "cards") + (fresh ? " (" + fresh + " new)" : "")));
      list.appendChild(li);
    });
    list.hidden = !q.cards.length;
    $("r-start").disabled = !q.cards.length;
    $("r-tomorrow").textContent = tomorrowText(q);
  }

  /* ------------------------------------------------------------ a session */

  function start() {
    var q = C.queue(all, new Date());
    if (!q.cards.length) return;
    session = { groups: groupsOf(q.cards), gi: 0, ci: 0, revealed: false, ctl: null, rated: 0 };
    overview.hidden = true;
    doneEl.hidden = true;
    sessionEl.hidden = false;
    startTile();
  }

  function remaining() {
    var n = 0;
    session.groups.forEach(function (g, i) {
      if (i > session.gi) n += g.cards.length;
      else if (i === session.gi) n += g.cards.length - session.ci;
    });
    return n;
  }

  function reflectProgress() {
    var t = tiles[session.groups[session.gi].tile];
    $("r-progress").textContent = plural(remaining(), "card", "cards") + " left · diagram " + (session.gi + 1) +
      " of " + session.groups.length + ": " + t.title;
  }

  function stopVideo() {
    if (session && session.ctl) { session.ctl.destroy(); session.ctl = null; }
    $("r-video").textContent = "";
  }

  function startTile() {
    var g = session.groups[session.gi];
    var t = tiles[g.tile];
    session.ci = 0;
    $("r-num").textContent = pad(t.number);
    $("r-layer").textContent = t.layerTitle;
    $("r-tile-title").textContent = t.title;
    reflectProgress();
    if (t.state !== "rendered") { toCards(); return; } // no video yet: straight to its cards
    $("r-card").hidden = true;
    $("r-watch").hidden = false;
    var v = el("video", { controls: "", playsinline: "", preload: "auto", width: t.media.width, height: t.media.height });
    v.setAttribute("aria-label", t.title);
    v.poster = t.media.poster;
    v.src = t.media.mp4;
    $("r-video").appendChild(v);
    session.ctl = new SP.Player({ video: v, tile: t, root: "" });
    v.addEventListener("ended", function () { if (session && !$("r-watch").hidden) toCards(); });
    $("r-skip").focus();
    session.ctl.play(); // from the start: a new element
  }

  function toCards() {
    stopVideo();
    $("r-watch").hidden = true;
    $("r-card").hidden = false;
    showCard();
  }

  function showCard() {
    var g = session.groups[session.gi];
    var c = g.cards[session.ci];
    session.revealed = false;
    $("r-card").dataset.card = c.id;
    $("r-card-count").textContent = "Card " + (session.ci + 1) + " of " + g.cards.length + " for this diagram" +
      (C.get(c.id) ? "" : " · new");
    $("r-q").textContent = c.q;
    $("r-answer").hidden = true;
    $("r-answer-text").textContent = "";
    $("r-source").textContent = "";
    var box = $("r-rate-box");
    var old = box.querySelector(".rate");
    if (old) old.remove();
    box.hidden = true;
    var show = $("r-show");
    show.hidden = false;
    show.setAttribute("aria-expanded", "false");
    reflectProgress();
    show.focus();
  }

  function reveal() {
    if (!session || session.revealed || $("r-card").hidden) return;
    var c = session.groups[session.gi].cards[session.ci];
    session.revealed = true;
    $("r-answer-text").textContent = c.answer;
    $("r-source").textContent = c.source ? "Source: " + c.source : "";
    $("r-answer").hidden = false;
    var show = $("r-show");
    show.setAttribute("aria-expanded", "true");
    show.hidden = true;
    $("r-rate-box").appendChild(C.ratingGroup(c.id, rateCurrent, "r-rate-h"));
    $("r-rate-box").hidden = false;
    $("r-answer").focus(); // a screen reader reads the answer region: its name and text
  }

  function rateCurrent(grade) {
    if (!session || !session.revealed) return;
    var g = session.groups[session.gi];
    var c = g.cards[session.ci];
    var at = new Date();
    var rec = C.rate(c.id, grade, at);
    session.rated++;
    if (C.backSoon(rec, at)) g.cards.push(c); // a learning step of minutes: again before this diagram ends
    session.ci++;
    if (session.ci < g.cards.length) { showCard(); return; }
    session.gi++;
    if (session.gi < session.groups.length) startTile();
    else finish();
  }

  function finish() {
    var rated = session ? session.rated : 0;
    stopVideo();
    session = null;
    sessionEl.hidden = true;
    var q = C.queue(all, new Date());
    $("r-done-text").textContent = "You rated " + plural(rated, "card", "cards") + ". " +
      (q.cards.length ? plural(q.cards.length, "more card is", "more cards are") + " due now. " : "Nothing else is due now. ") +
      tomorrowText(q);
    renderOverview();
    doneEl.hidden = false;
    doneEl.focus();
  }

  function backToList() {
    stopVideo();
    session = null;
    sessionEl.hidden = true;
    doneEl.hidden = true;
    renderOverview();
    overview.hidden = false;
    $("r-today-h").setAttribute("tabindex", "-1");
    $("r-today-h").focus();
  }

  /* ------------------------------------------------------------ wiring */

  $("r-start").addEventListener("click", start);
  $("r-skip").addEventListener("click", function () { if (session) toCards(); });
  $("r-show").addEventListener("click", reveal);
  $("r-stop").addEventListener("click", finish);
  $("r-again").addEventListener("click", backToList);

  document.addEventListener("keydown", function (e) {
    if (!session) return;
    var grade = session.revealed ? C.ratingKey(e) : 0;
    if (grade) { e.preventDefault(); rateCurrent(grade); return; }
    if (session.ctl && SP.isTextField(e.target) === false && e.target.tagName !== "BUTTON" && session.ctl.handleKey(e)) {
      e.preventDefault();
    }
  });

  var status = $("r-io-status");
  function say(text, bad) {
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
  }

  $("r-new").addEventListener("change", function () {
    if (C.setNewPerDay(this.value)) { say("New cards a day: " + C.newPerDay() + "."); renderOverview(); }
    else say("New cards a day must be a whole number from 0 to 999; it stays " + C.newPerDay() + ".", true);
  });

  $("r-export").addEventListener("click", function () {
    var at = new Date();
    var text = C.exportText(at);
    C.download(text, C.exportName(at));
    say("Exported the progress of " + plural(Object.keys(JSON.parse(text).cards).length, "card", "cards") +
      " to " + C.exportName(at) + ".");
  });

  var input = $("r-import");
  $("r-import-btn").addEventListener("click", function () { input.click(); });
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) return;
    if (file.size > 20e6) { // a progress file of every card is about 0.1 MB
      say("Not imported, nothing changed: " + file.name + " is " + (file.size / 1e6).toFixed(0) + " MB, too large to be a progress file.", true);
      input.value = "";
      return;
    }
    file.text().then(function (text) {
      try {
        var got = C.importText(text, file.name);
        say("Imported " + plural(got.cards, "card", "cards") + " and " + plural(got.studied, "studied mark", "studied marks") +
          " from " + file.name + ".");
      } catch (err) {
        say("Not imported, nothing changed: " + err.message, true);
      }
      input.value = "";
      if (!session) renderOverview();
    }, function () { say("Not imported, nothing changed: " + file.name + " could not be read.", true); });
  });

  window.addEventListener("cards:change", function () { if (!session) renderOverview(); });

  renderOverview();
  window.Review = { start: start, refresh: renderOverview };
})();
