/* The step-aware video player shared by the gallery's dialog and the standalone tile pages.
 * Plain script (no modules: those do not load from file://); exposes window.StudyPlayer. */
(function (global) {
  "use strict";

  var EPSILON = 0.05; // seconds: a seek lands on or just before a step's start
  var CAPTIONS_KEY = "study-diagrams:captions";

  function storageGet(key) {
    try { return global.localStorage.getItem(key); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try { global.localStorage.setItem(key, value); } catch (e) { /* private mode: not remembered */ }
  }

  function stepAt(steps, t) {
    var index = 0;
    for (var i = 0; i < steps.length; i++) {
      if (t + EPSILON >= steps[i].start) index = i;
    }
    return index;
  }

  function isTextField(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable ||
      (tag === "INPUT" && !/^(button|checkbox|radio|range|submit|reset)$/i.test(el.type));
  }

  // Space activates a focused button or summary: leave it to them.
  function spaceBelongsTo(el) {
    return isTextField(el) || (el && (el.tagName === "BUTTON" || el.tagName === "SUMMARY" ||
      (el.tagName === "INPUT" && /^(button|checkbox|radio|submit|reset)$/i.test(el.type))));
  }

  /* Captions: a <track src> over http(s). From file:// Chromium refuses to load track files,
   * so there the cues come from the data embedded in the page. */
  function setUpCaptions(video, tile, root) {
    var tracks = video.querySelectorAll("track");
    if (global.location.protocol === "file:") {
      tracks.forEach(function (t) { t.remove(); });
      var track = video.addTextTrack("captions", "English", "en");
      (tile.cues || []).forEach(function (c) {
        try { track.addCue(new global.VTTCue(c[0], c[1], c[2])); } catch (e) { /* skip a bad cue */ }
      });
      return;
    }
    if (!tracks.length && tile.media) {
      var el = document.createElement("track");
      el.kind = "captions";
      el.src = root + tile.media.captions;
      el.srclang = "en";
      el.label = "English";
      el.default = true;
      video.appendChild(el);
    }
  }

  function Player(opts) {
    this.video = opts.video;
    this.tile = opts.tile;
    this.steps = opts.tile.steps || [];
    this.stepsEl = opts.stepsEl;
    this.captionsButton = opts.captionsButton || null;
    this.onStep = opts.onStep || function () {};
    this.current = -1;
    this.listeners = [];
    setUpCaptions(this.video, this.tile, opts.root || "");
    var self = this;
    this.listen(this.video, "timeupdate", function () { self.sync(); });
    this.listen(this.video, "seeked", function () { self.sync(); });
    this.listen(this.video, "loadedmetadata", function () { self.applyCaptions(); self.sync(); });
    this.listen(this.video.textTracks, "addtrack", function () { self.applyCaptions(); });
    this.listen(this.video.textTracks, "change", function () { self.reflectCaptions(); });
    if (this.stepsEl) {
      this.listen(this.stepsEl, "click", function (e) {
        var b = e.target.closest("button[data-index]");
        if (b) self.seekStep(Number(b.dataset.index), true);
      });
      // A mouse click on a step keeps the focus where it was, so Space still plays and pauses.
      this.listen(this.stepsEl, "mousedown", function (e) {
        if (e.target.closest("button")) e.preventDefault();
      });
    }
    this.captions = storageGet(CAPTIONS_KEY) !== "off";
    this.applyCaptions();
    this.sync();
  }

  Player.prototype.listen = function (target, type, fn) {
    target.addEventListener(type, fn);
    this.listeners.push([target, type, fn]);
  };

  Player.prototype.destroy = function () {
    this.listeners.forEach(function (l) { l[0].removeEventListener(l[1], l[2]); });
    this.listeners = [];
    var v = this.video;
    v.pause();
    v.removeAttribute("src");
    v.querySelectorAll("source").forEach(function (s) { s.remove(); });
    v.load(); // stop downloading
  };

  Player.prototype.play = function () {
    var v = this.video;
    var p = v.play();
    if (p && p.catch) {
      // Without a user gesture (a deep link), browsers only autoplay muted video; the diagrams are silent.
      p.catch(function (err) {
        if (err && err.name === "NotAllowedError" && !v.muted) {
          v.muted = true;
          v.play().catch(function () {});
        }
      });
    }
  };

  Player.prototype.toggle = function () {
    if (this.video.paused || this.video.ended) this.play();
    else this.video.pause();
  };

  Player.prototype.seekStep = function (index, fromClick) {
    if (!this.steps.length) return;
    index = Math.max(0, Math.min(this.steps.length - 1, index));
    var v = this.video;
    var wasEnded = v.ended;
    v.currentTime = this.steps[index].start;
    this.setCurrent(index);
    if (fromClick && wasEnded) this.play();
  };

  Player.prototype.prevStep = function () { this.seekStep(this.currentIndex() - 1); };
  Player.prototype.nextStep = function () { this.seekStep(this.currentIndex() + 1); };

  Player.prototype.currentIndex = function () {
    return this.current < 0 ? stepAt(this.steps, this.video.currentTime) : this.current;
  };

  Player.prototype.sync = function () {
    if (!this.video.seeking) this.setCurrent(stepAt(this.steps, this.video.currentTime));
  };

  Player.prototype.setCurrent = function (index) {
    if (index === this.current || !this.steps.length) return;
    this.current = index;
    if (this.stepsEl) {
      var buttons = this.stepsEl.querySelectorAll("button[data-index]");
      buttons.forEach(function (b) {
        if (Number(b.dataset.index) === index) b.setAttribute("aria-current", "step");
        else b.removeAttribute("aria-current");
      });
      var active = buttons[index];
      var list = this.stepsEl;
      if (active && list.scrollHeight > list.clientHeight) {
        var top = active.offsetTop - list.offsetTop;
        if (top < list.scrollTop || top + active.offsetHeight > list.scrollTop + list.clientHeight) {
          list.scrollTop = Math.max(0, top - list.clientHeight / 3);
        }
      }
    }
    this.onStep(index);
  };

  Player.prototype.setCaptions = function (on) {
    this.captions = !!on;
    storageSet(CAPTIONS_KEY, on ? "on" : "off");
    this.applyCaptions();
  };

  Player.prototype.applyCaptions = function () {
    var tracks = this.video.textTracks;
    for (var i = 0; i < tracks.length; i++) {
      if (tracks[i].kind === "captions" || tracks[i].kind === "subtitles") {
        tracks[i].mode = this.captions ? "showing" : "hidden";
      }
    }
    this.reflectCaptions();
  };

  // The browser's own captions menu can change the mode too: keep the button honest.
  Player.prototype.reflectCaptions = function () {
    var tracks = this.video.textTracks;
    var showing = false;
    for (var i = 0; i < tracks.length; i++) if (tracks[i].mode === "showing") showing = true;
    if (tracks.length) this.captions = showing;
    if (this.captionsButton) this.captionsButton.setAttribute("aria-pressed", String(this.captions));
  };

  /* Handle the player's keys; return true when the key was used. */
  Player.prototype.handleKey = function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return false;
    var target = e.target;
    if (e.key === " " || e.key === "Spacebar") {
      if (spaceBelongsTo(target)) return false;
      if (!e.repeat) this.toggle();
      this.spaceDown = true;
      return true;
    }
    if (isTextField(target)) return false;
    if (e.key === "ArrowLeft") { this.prevStep(); return true; }
    if (e.key === "ArrowRight") { this.nextStep(); return true; }
    if (e.key === "c" || e.key === "C") { this.setCaptions(!this.captions); return true; }
    return false;
  };

  /* The video's own controls toggle playback on Space's keyup: stop that after a handled keydown. */
  Player.prototype.handleKeyUp = function (e) {
    if ((e.key === " " || e.key === "Spacebar") && this.spaceDown) {
      this.spaceDown = false;
      return true;
    }
    return false;
  };

  /* Wire the buttons with data-action inside root to a player. */
  function bindButtons(root, player) {
    root.querySelectorAll("[data-action]").forEach(function (b) {
      var action = b.dataset.action;
      var fn = {
        "prev-step": function () { player.prevStep(); },
        "next-step": function () { player.nextStep(); },
        "captions": function () { player.setCaptions(!player.captions); },
      }[action];
      if (!fn) return;
      player.listen(b, "click", fn);
      player.listen(b, "mousedown", function (e) { e.preventDefault(); });
    });
  }

  /* A standalone tile page: the server-rendered video, steps and buttons. */
  function attachPage(stage, tile) {
    if (!stage) return null;
    var player = new Player({
      video: stage.querySelector("video"),
      tile: tile,
      stepsEl: stage.querySelector(".steps"),
      captionsButton: document.querySelector('[data-action="captions"]'),
      root: "../",
    });
    bindButtons(document, player);
    // Capture: the video's own controls would also act on Space and the arrows.
    document.addEventListener("keydown", function (e) {
      if (player.handleKey(e)) { e.preventDefault(); e.stopPropagation(); }
    }, true);
    document.addEventListener("keyup", function (e) {
      if (player.handleKeyUp(e)) { e.preventDefault(); e.stopPropagation(); }
    }, true);
    return player;
  }

  global.StudyPlayer = {
    Player: Player,
    attachPage: attachPage,
    bindButtons: bindButtons,
    isTextField: isTextField,
    stepAt: stepAt,
    storageGet: storageGet,
    storageSet: storageSet,
  };
})(window);
