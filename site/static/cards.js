/* Flashcards: every interview question with a model answer is a card, scheduled with FSRS by ts-fsrs
 * (its UMD build, loaded before this file as a classic script, defines window.FSRS; no scheduler is written here).
 * Progress lives in localStorage; export and import move it between browsers and between file:// and a server.
 * Plain script (no modules: those do not load from file://); exposes window.Cards. */
(function (global) {
  "use strict";

  var KEY = "study-diagrams:cards";
  var STUDIED_KEY = "study-diagrams:studied"; // the gallery's manual "Mark studied" (site/static/gallery.js)
  var FORMAT = "study-diagrams-progress";
  var VERSION = 1;
  var DEFAULT_NEW_PER_DAY = 20;
  var MAX_NEW_PER_DAY = 999;
  var LEARN_AHEAD_MS = 20 * 60 * 1000; // a card due again within 20 minutes comes back in the same session
  var GRADES = [
    { grade: 1, key: "1", name: "again", label: "Again" },
    { grade: 2, key: "2", name: "hard", label: "Hard" },
    { grade: 3, key: "3", name: "good", label: "Good" },
    { grade: 4, key: "4", name: "easy", label: "Easy" },
  ];
  var CARD_NUMBERS = ["stability", "difficulty", "elapsed_days", "scheduled_days", "learning_steps", "reps", "lapses"];
  var ID_RE = /^[a-z0-9-]+#[0-9a-f]{8}$/;

  function storageGet(key) {
    try { return global.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { global.localStorage.setItem(key, value); return true; } catch (e) { return false; }
  }

  /* ------------------------------------------------------------ card ids */

  function normalize(text) { return String(text).normalize("NFC").replace(/\s+/g, " ").trim(); }

  // FNV-1a (32 bits) over the UTF-8 bytes: short, stable, and the same in every browser.
  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return ("0000000" + h.toString(16)).slice(-8);
  }

  /* A card's id: its tile and a hash of its question's text, so editing another question keeps this one's progress. */
  function cardId(tileId, question) { return tileId + "#" + fnv1a(normalize(question)); }

  /* The cards of the gallery's data (tiles in seed order, their answered questions in order). */
  function deck(data) {
    var out = [];
    (data.tiles || []).forEach(function (t) { out = out.concat(tileCards(t)); });
    return out;
  }

  function tileCards(t) {
    var seen = {};
    var out = [];
    (t.questions || []).forEach(function (q, i) {
      if (!q || !q.answer) return; // a card needs its answer side
      var id = cardId(t.id, q.q);
      if (seen[id]) return;
      seen[id] = true;
      out.push({ id: id, tile: t.id, index: i, q: q.q, answer: q.answer, source: q.source || "" });
    });
    return out;
  }

  /* ------------------------------------------------------------ time */

  function now() { return new Date(); }
  function dayStart(date, plusDays) {
    var d = new Date(date.getTime());
    d.setHours(0, 0, 0, 0);
    if (plusDays) d.setDate(d.getDate() + plusDays);
    return d;
  }
  function sameDay(a, b) { return dayStart(a).getTime() === dayStart(b).getTime(); }

  /* "in 10 minutes", "in 3 days", "tomorrow": how long until a date, for the rating buttons. */
  function until(due, from) {
    var ms = due.getTime() - from.getTime();
    var min = Math.round(ms / 60000);
    if (min < 1) return "now";
    if (min < 60) return min + " min";
    var h = Math.round(min / 60);
    if (h < 24) return h + " h";
    var d = Math.round(ms / 86400000);
    if (d < 31) return d + (d === 1 ? " day" : " days");
    var m = Math.round(d / 30.4);
    if (m < 12) return m + (m === 1 ? " month" : " months");
    var y = Math.round(d / 36.5) / 10;
    return y + (y === 1 ? " year" : " years");
  }

  /* ------------------------------------------------------------ the state and its checks */

  function emptyState() { return { cards: {}, settings: { newPerDay: DEFAULT_NEW_PER_DAY } }; }

  function isDate(v) { return typeof v === "string" && v.length <= 40 && !isNaN(Date.parse(v)); }

  // Check a card record; return the first problem as "field: what is wrong", or "" when it is sound.
  function cardProblem(rec) {
    if (!rec || typeof rec !== "object" || Array.isArray(rec)) return "is not an object";
    if (!isDate(rec.due)) return "due: not a date";
    if (!isDate(rec.first)) return "first: not a date";
    if (rec.last_review !== undefined && !isDate(rec.last_review)) return "last_review: not a date";
    for (var i = 0; i < CARD_NUMBERS.length; i++) {
      var k = CARD_NUMBERS[i];
      if (typeof rec[k] !== "number" || !isFinite(rec[k]) || rec[k] < 0) return k + ": not a number of 0 or more";
    }
    if ([0, 1, 2, 3].indexOf(rec.state) < 0) return "state: not 0 (new), 1 (learning), 2 (review) or 3 (relearning)";
    if (rec.reps < 1) return "reps: a stored card has been reviewed at least once";
    return "";
  }

  /* Check a progress record (from storage or a file); return {state, studied} or throw an Error that says what is wrong. */
  function parseProgress(obj) {
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new Error("it is not a progress file (no JSON object)");
    if (obj.format !== FORMAT) {
      throw new Error("it is not a progress file of these diagrams (format is " +
        (obj.format === undefined ? "missing" : JSON.stringify(String(obj.format)).slice(0, 60)) + ", expected \"" + FORMAT + "\")");
    }
    if (obj.version !== VERSION) throw new Error("version " + JSON.stringify(obj.version) + " is not one this page reads (" + VERSION + ")");
    var cards = obj.cards;
    if (!cards || typeof cards !== "object" || Array.isArray(cards)) throw new Error("cards: not an object");
    var out = emptyState();
    Object.keys(cards).forEach(function (id) {
      if (!ID_RE.test(id)) throw new Error("cards: " + JSON.stringify(id).slice(0, 60) + " is not a card id (tile-id#8 hex digits)");
      var problem = cardProblem(cards[id]);
      if (problem) throw new Error("cards[" + id + "]." + problem);
      out.cards[id] = pick(cards[id]);
    });
    var settings = obj.settings || {};
    if (typeof settings !== "object" || Array.isArray(settings)) throw new Error("settings: not an object");
    if (settings.newPerDay !== undefined) {
      var n = settings.newPerDay;
      if (typeof n !== "number" || n !== Math.floor(n) || n < 0 || n > MAX_NEW_PER_DAY) {
        throw new Error("settings.newPerDay: not a whole number from 0 to " + MAX_NEW_PER_DAY);
      }
      out.settings.newPerDay = n;
    }
    var studied = obj.studied === undefined ? null : obj.studied;
    if (studied !== null && (!Array.isArray(studied) || studied.some(function (s) { return typeof s !== "string" || !/^[a-z0-9-]+$/.test(s); }))) {
      throw new Error("studied: not a list of diagram ids");
    }
    return { state: out, studied: studied };
  }

  function pick(rec) {
    var out = { due: rec.due, state: rec.state, first: rec.first };
    CARD_NUMBERS.forEach(function (k) { out[k] = rec[k]; });
    if (rec.last_review !== undefined) out.last_review = rec.last_review;
    return out;
  }

  var state = null;

  function load() {
    var raw = storageGet(KEY);
    if (!raw) return emptyState();
    try { return parseProgress(JSON.parse(raw)).state; } catch (e) {
      // Unreadable (another version wrote it?): keep a copy before the next rating overwrites it.
      storageSet(KEY + ":unreadable", raw);
      return emptyState();
    }
  }

  function current() {
    if (!state) state = load();
    return state;
  }

  function record() {
    var s = current();
    return { format: FORMAT, version: VERSION, settings: s.settings, cards: s.cards };
  }

  function save() {
    storageSet(KEY, JSON.stringify(record()));
    changed();
  }

  function changed() {
    try { global.dispatchEvent(new global.CustomEvent("cards:change")); } catch (e) { /* no listeners */ }
  }

  // Another tab (or the other page) changed the progress: read it again.
  global.addEventListener("storage", function (e) {
    if (e.key === KEY || e.key === null) { state = null; changed(); }
  });

  /* ------------------------------------------------------------ scheduling (ts-fsrs) */

  function available() { return !!(global.FSRS && global.FSRS.fsrs); }

  var fsrsInstance = null;
  function scheduler() {
    if (!available()) throw new Error("the scheduler (ts-fsrs) is not loaded");
    if (!fsrsInstance) fsrsInstance = global.FSRS.fsrs(); // the library's default parameters (no fuzz)
    return fsrsInstance;
  }

  function fsrsCard(rec, at) {
    if (!rec) return global.FSRS.createEmptyCard(at);
    var c = { due: new Date(rec.due), state: rec.state };
    CARD_NUMBERS.forEach(function (k) { c[k] = rec[k]; });
    if (rec.last_review) c.last_review = new Date(rec.last_review);
    return c;
  }

  /* The stored record of a card, or null while it is new. */
  function get(id) { return current().cards[id] || null; }

  /* Rate a card (1 again, 2 hard, 3 good, 4 easy) at a time (default now); store and return its new record. */
  function rate(id, grade, at) {
    at = at || now();
    if ([1, 2, 3, 4].indexOf(grade) < 0) throw new Error("a rating is 1 (again), 2 (hard), 3 (good) or 4 (easy)");
    var before = get(id);
    var c = scheduler().next(fsrsCard(before, at), at, grade).card;
    var rec = { due: c.due.toISOString(), state: c.state, first: before ? before.first : at.toISOString() };
    CARD_NUMBERS.forEach(function (k) { rec[k] = c[k]; });
    if (c.last_review) rec.last_review = new Date(c.last_review).toISOString();
    current().cards[id] = rec;
    save();
    return rec;
  }

  /* When each rating would bring the card back: {1: Date, 2: Date, 3: Date, 4: Date}. */
  function preview(id, at) {
    at = at || now();
    var p = scheduler().repeat(fsrsCard(get(id), at), at);
    var out = {};
    GRADES.forEach(function (g) { out[g.grade] = p[g.grade].card.due; });
    return out;
  }

  function newPerDay() { return current().settings.newPerDay; }

  function setNewPerDay(n) {
    n = Number(n);
    if (!isFinite(n) || n !== Math.floor(n) || n < 0 || n > MAX_NEW_PER_DAY) return false;
    current().settings.newPerDay = n;
    save();
    return true;
  }

  /* What to study at a time: the due cards (their date has passed) and today's share of new cards.
   * Returns {cards (in deck order: due reviews and the new cards allowed today), reviews, fresh, newLeft,
   *          introduced (new cards first seen today), laterToday, tomorrow: {reviews, fresh}}. */
  function queue(cards, at) {
    at = at || now();
    var s = current();
    var t = at.getTime();
    var tomorrow = dayStart(at, 1).getTime();
    var dayAfter = dayStart(at, 2).getTime();
    var introduced = 0;
    Object.keys(s.cards).forEach(function (id) { if (sameDay(new Date(s.cards[id].first), at)) introduced++; });
    var allowance = Math.max(0, s.settings.newPerDay - introduced);
    var out = { cards: [], reviews: 0, fresh: 0, newLeft: 0, introduced: introduced, laterToday: 0, tomorrow: { reviews: 0, fresh: 0 } };
    cards.forEach(function (c) {
      var rec = s.cards[c.id];
      if (!rec) {
        out.newLeft++;
        if (out.fresh < allowance) { out.fresh++; out.cards.push(c); }
        return;
      }
      var due = Date.parse(rec.due);
      if (due <= t) { out.reviews++; out.cards.push(c); }
      else if (due < tomorrow) out.laterToday++;
      else if (due < dayAfter) out.tomorrow.reviews++;
    });
    out.tomorrow.fresh = Math.min(s.settings.newPerDay, out.newLeft - out.fresh);
    return out;
  }

  /* Whether a card rated at a time comes back in the same session (a learning step of minutes). */
  function backSoon(rec, at) { return Date.parse(rec.due) - at.getTime() <= LEARN_AHEAD_MS; }

  /* A tile is studied when each of its cards has been reviewed at least once (tile: its gallery record). */
  function tileReviewed(tile) {
    var cards = tile ? tileCards(tile) : [];
    return cards.length > 0 && cards.every(function (c) { return !!get(c.id); });
  }

  /* ------------------------------------------------------------ export and import */

  function exportText(at) {
    at = at || now();
    var studied = [];
    try {
      var list = JSON.parse(storageGet(STUDIED_KEY) || "[]");
      if (Array.isArray(list)) studied = list.filter(function (s) { return typeof s === "string"; }).sort();
    } catch (e) { /* an unreadable list exports as empty */ }
    var out = record();
    out.exported = at.toISOString();
    out.studied = studied;
    return JSON.stringify(out, null, 1);
  }

  function exportName(at) {
    at = at || now();
    var d = at.getFullYear() + "-" + ("0" + (at.getMonth() + 1)).slice(-2) + "-" + ("0" + at.getDate()).slice(-2);
    return "study-diagrams-progress-" + d + ".json";
  }

  /* Replace the progress with a file's; throw an Error naming the file and what is wrong (nothing changes then). */
  function importText(text, name) {
    name = name || "the file";
    var obj;
    try { obj = JSON.parse(text); } catch (e) {
      throw new Error(name + ": not a progress file: it is not JSON (" + e.message + ")");
    }
    var parsed;
    try { parsed = parseProgress(obj); } catch (e) { throw new Error(name + ": " + e.message); }
    var previous = storageGet(KEY);
    if (!storageSet(KEY, JSON.stringify({ format: FORMAT, version: VERSION, settings: parsed.state.settings, cards: parsed.state.cards }))) {
      throw new Error(name + ": this browser refused to store the progress (storage full or disabled)");
    }
    if (parsed.studied !== null && !storageSet(STUDIED_KEY, JSON.stringify(parsed.studied))) {
      if (previous === null) global.localStorage.removeItem(KEY); else storageSet(KEY, previous);
      throw new Error(name + ": this browser refused to store the progress (storage full or disabled)");
    }
    state = parsed.state;
    changed();
    return { cards: Object.keys(parsed.state.cards).length, studied: parsed.studied ? parsed.studied.length : 0 };
  }

  /* Offer text as a file download (works from file:// too). */
  function download(text, name) {
    var url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  /* ------------------------------------------------------------ rating buttons */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  /* The four rating buttons (keys 1-4), each saying when that rating brings the card back. onRate(grade). */
  function ratingGroup(id, onRate, labelledBy) {
    var group = el("div", { "class": "rate", role: "group" });
    if (labelledBy) group.setAttribute("aria-labelledby", labelledBy);
    else group.setAttribute("aria-label", "How well did you recall the answer?");
    GRADES.forEach(function (g) {
      var b = el("button", { type: "button", "class": "btn rate-" + g.name, "data-grade": g.grade, "aria-keyshortcuts": g.key });
      b.appendChild(el("kbd", { "aria-hidden": "true" }, g.key));
      b.appendChild(document.createTextNode(" " + g.label));
      b.appendChild(el("span", { "class": "rate-when" }));
      b.addEventListener("click", function () { onRate(g.grade); });
      group.appendChild(b);
    });
    refreshGroup(group, id);
    return group;
  }

  /* Say on each rating button when that rating would bring the card back (after a rating: from its new state). */
  function refreshGroup(group, id) {
    var at = now();
    var when = available() ? preview(id, at) : {};
    GRADES.forEach(function (g) {
      var span = group.querySelector('[data-grade="' + g.grade + '"] .rate-when');
      if (span) span.textContent = when[g.grade] ? until(when[g.grade], at) : "";
    });
  }

  function ratingKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.repeat) return 0;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return 0;
    return /^[1-4]$/.test(e.key) ? Number(e.key) : 0;
  }

  function describe(rec, at) {
    return "Next review " + (Date.parse(rec.due) - at.getTime() < 60000 ? "now" : "in " + until(new Date(rec.due), at)) + ".";
  }

  /* In the player: under a question's answer (a <details> in li), the rating buttons, shown once it is opened. */
  function attachQuestion(li, tileId, question) {
    var details = li.querySelector("details");
    if (!details || !question.answer || !available()) return;
    var id = cardId(tileId, question.q);
    li.dataset.card = id;
    var status = el("p", { "class": "card-status", role: "status" });
    var box = el("div", { "class": "card-rate" });
    var hintId = "rate-h-" + id.replace("#", "-");
    box.appendChild(el("p", { "class": "rate-prompt", id: hintId }, "How well did you recall it?"));
    details.appendChild(box);
    li.appendChild(status);
    function fill() { // kept, not rebuilt: a clicked button keeps the focus
      var group = box.querySelector(".rate");
      if (group) refreshGroup(group, id);
      else box.appendChild(ratingGroup(id, function (grade) { done(grade); }, hintId));
    }
    function done(grade) {
      var at = now();
      var rec = rate(id, grade, at);
      status.textContent = "Rated " + GRADES[grade - 1].label.toLowerCase() + ". " + describe(rec, at);
      fill();
    }
    var rec = get(id);
    if (rec) status.textContent = describe(rec, now());
    details.addEventListener("toggle", function () { if (details.open) fill(); });
    li.addEventListener("keydown", function (e) {
      var grade = details.open ? ratingKey(e) : 0;
      if (!grade) return;
      e.preventDefault();
      done(grade);
    });
  }

  /* A standalone tile page: the server-rendered list of questions (one <li> per question, in order). */
  function attachList(list, tileId, questions) {
    if (!list) return;
    var items = list.children;
    (questions || []).forEach(function (q, i) { if (items[i]) attachQuestion(items[i], tileId, q); });
  }

  global.Cards = {
    FORMAT: FORMAT,
    GRADES: GRADES,
    KEY: KEY,
    available: available,
    attachList: attachList,
    attachQuestion: attachQuestion,
    backSoon: backSoon,
    cardId: cardId,
    deck: deck,
    describe: describe,
    download: download,
    exportName: exportName,
    exportText: exportText,
    get: get,
    importText: importText,
    newPerDay: newPerDay,
    preview: preview,
    queue: queue,
    rate: rate,
    ratingGroup: ratingGroup,
    ratingKey: ratingKey,
    refreshGroup: refreshGroup,
    setNewPerDay: setNewPerDay,
    tileCards: tileCards,
    tileReviewed: tileReviewed,
    until: until,
  };
})(window);
