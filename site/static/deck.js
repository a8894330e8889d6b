/* The reveal.js decks: step-by-step playback of each tile's video.
 *
 * A tile slide holds one <video> and one caption per step (.caption with data-start/data-end, in
 * seconds); every step after the first is a reveal.js fragment. Whenever the current slide or
 * fragment changes, the video seeks to the start of the current step, plays, and pauses on the
 * step's last frame. So Right/Space plays the next step and, after the last one, moves on to the
 * next slide; Left goes back a step (and plays it again). A click on the video replays the step.
 * In the speaker view's previews the video only shows the step's last frame.
 *
 * Plain script (no modules, no fetch) so the decks work from file://.
 */
(function () {
  "use strict";

  var players = [];

  function Player(section) {
    var self = this;
    this.section = section;
    this.video = section.querySelector(".stage video");
    this.captions = Array.prototype.slice.call(section.querySelectorAll(".captions .caption"));
    this.steps = this.captions.map(function (el) {
      return { start: Number(el.getAttribute("data-start")), end: Number(el.getAttribute("data-end")) };
    });
    var fps = Number(section.getAttribute("data-fps"));
    this.frame = fps > 0 ? 1 / fps : 1 / 30;
    this.index = -1;
    this.stopAt = Infinity; // pause once the video reaches this time (the step's last frame)
    this.token = 0; // bumped on every new step, so stale waits and frame callbacks do nothing
    this.video.muted = true;
    this.video.addEventListener("timeupdate", function () { self.check(self.video.currentTime); });
    this.video.addEventListener("ended", function () { self.check(Infinity); });
    this.video.addEventListener("click", function () { if (self.index >= 0) self.show(self.index, false); });
  }

  /* The step the slide is on: the number of step fragments shown. */
  Player.prototype.current = function () {
    return this.section.querySelectorAll(".captions .caption.fragment.visible").length;
  };

  Player.prototype.mark = function (index) {
    this.captions.forEach(function (el, i) { el.classList.toggle("now", i === index); });
    this.section.setAttribute("data-step", String(index + 1));
  };

  /* Seek to the start of step index and play it to its end (or, when still, show its last frame). */
  Player.prototype.show = function (index, still) {
    var self = this;
    var v = this.video;
    var step = this.steps[index];
    if (!step) return;
    this.index = index;
    this.mark(index);
    var token = ++this.token;
    // Stop on the step's last frame: half a frame before its end (the next frame belongs to the next step).
    this.stopAt = Math.max(step.start, step.end - this.frame / 2);
    this.whenReady(function () {
      if (token !== self.token) return;
      if (still) {
        v.pause();
        v.currentTime = self.stopAt;
        return;
      }
      v.currentTime = step.start;
      var playing = v.play();
      if (playing && playing.catch) {
        playing.catch(function () { /* blocked or interrupted by the next step: nothing to do */ });
      }
      self.watch(token);
    });
  };

  /* Run fn once the video knows its duration (loading it if reveal.js has not lazy-loaded it yet). */
  Player.prototype.whenReady = function (fn) {
    var v = this.video;
    if (v.readyState >= 1) {
      fn();
      return;
    }
    if (!v.getAttribute("src") && v.getAttribute("data-src")) {
      v.setAttribute("src", v.getAttribute("data-src"));
      v.removeAttribute("data-src");
      v.setAttribute("data-lazy-loaded", "");
      v.load();
    }
    v.addEventListener("loadedmetadata", function once() {
      v.removeEventListener("loadedmetadata", once);
      fn();
    });
  };

  /* Check every presented frame: timeupdate alone comes only about four times a second. */
  Player.prototype.watch = function (token) {
    var self = this;
    var v = this.video;
    if (typeof v.requestVideoFrameCallback === "function") {
      var onFrame = function (now, meta) {
        if (token !== self.token || v.paused) return;
        // meta.mediaTime is the frame on screen: stop on it when the next one would be past the step.
        if (!self.check(meta.mediaTime + self.frame)) v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
    } else {
      var onTick = function () {
        if (token !== self.token || v.paused) return;
        if (!self.check(v.currentTime)) window.requestAnimationFrame(onTick);
      };
      window.requestAnimationFrame(onTick);
    }
  };

  /* Pause on the step's last frame once time t reaches it; true when paused. */
  Player.prototype.check = function (t) {
    var v = this.video;
    if (this.index < 0 || v.seeking || t < this.stopAt) return false;
    if (!v.paused) v.pause();
    if (Math.abs(v.currentTime - this.stopAt) > this.frame / 4) v.currentTime = this.stopAt;
    return true;
  };

  Player.prototype.stop = function () {
    this.token++;
    this.index = -1;
    this.stopAt = Infinity;
    if (!this.video.paused) this.video.pause();
  };

  function playerOf(section) {
    for (var i = 0; i < players.length; i++) {
      if (players[i].section === section) return players[i];
    }
    var p = new Player(section);
    players.push(p);
    return p;
  }

  var pending = false;

  /* Slide and fragment events can come in pairs; handle them once, after reveal.js has updated the DOM. */
  function schedule() {
    if (pending) return;
    pending = true;
    window.setTimeout(update, 0);
  }

  function update() {
    pending = false;
    var slide = Reveal.getCurrentSlide();
    players.forEach(function (p) { if (p.section !== slide) p.stop(); });
    if (!slide || !slide.classList.contains("tile")) return;
    var player = playerOf(slide);
    var index = Math.min(player.current(), player.steps.length - 1);
    player.show(index, Reveal.isSpeakerNotes());
  }

  Reveal.initialize({
    width: 1280,
    height: 720,
    margin: 0.04,
    minScale: 0.2,
    maxScale: 3,
    center: false,
    display: "flex",
    hash: true,
    history: false,
    controls: true,
    controlsTutorial: false,
    progress: true,
    slideNumber: "c/t",
    transition: "fade",
    transitionSpeed: "fast",
    backgroundTransition: "none",
    autoPlayMedia: false,
    viewDistance: 2,
    mobileViewDistance: 1,
    preloadIframes: false,
    plugins: window.RevealNotes ? [window.RevealNotes] : []
  }).then(function () {
    document.querySelector(".reveal").classList.add("deck-ready");
    schedule();
  });

  Reveal.on("slidechanged", schedule);
  Reveal.on("fragmentshown", schedule);
  Reveal.on("fragmenthidden", schedule);
})();
