"""Live preview while authoring: save diagrams.yaml, see the tile.

`python -m render watch [IDS]` watches the spec with watchfiles and serves a preview page on
127.0.0.1 that the server updates by push (server-sent events). On each save: validate (errors go to
the page and the terminal, and the loop goes on); find the tiles whose content hash changed; for each,
draw the end-of-step pictures without encoding, with the lint's findings outlined (`lint --png --all`),
and show them; then render the preview video and swap it in. A save that changes nothing renders
nothing; a save during the work cancels it and starts again from the new file.

Everything the page shows lives under BUILD/preview (the server's root): pictures/<tile>/<n>/ and
the preview render's media/<tile>/.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

from render.serve import QuietServer, RangeRequestHandler
from spec.errors import SpecInvalid

KEEPALIVE = 15.0  # seconds between comments on an idle event stream


class Hub:
    """The page's event streams: every event goes to every open page; a new page gets the latest state."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients: list[queue.Queue[dict[str, Any]]] = []
        self.state: dict[str, dict[str, Any]] = {}  # the latest event of each type

    def publish(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.state[event["type"]] = event
            if event["type"] == "error":
                self.state.pop("valid", None)
            elif event["type"] == "valid":
                self.state.pop("error", None)
            for q in self.clients:
                q.put(event)

    def subscribe(self) -> queue.Queue[dict[str, Any]]:
        q: queue.Queue[dict[str, Any]] = queue.Queue()
        with self.lock:
            for kind in ("valid", "error", "pictures", "video", "status"):
                if kind in self.state:
                    q.put(self.state[kind])
            self.clients.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[dict[str, Any]]) -> None:
        with self.lock:
            if q in self.clients:
                self.clients.remove(q)


class PreviewHandler(RangeRequestHandler):
    """The preview page, its event stream, and the files under BUILD/preview (with byte ranges)."""

    hub: Hub

    def __init__(self, *args: Any, hub: Hub, **kwargs: Any) -> None:
        self.hub = hub
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif path == "/events":
            self._events()
        else:
            super().do_GET()

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        q = self.hub.subscribe()
        try:
            while True:
                try:
                    event = q.get(timeout=KEEPALIVE)
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                except queue.Empty:
                    self.wfile.write(b": keepalive\n\n")
                self.wfile.flush()
        except (ConnectionError, OSError):
            pass
        finally:
            self.hub.unsubscribe(q)


class Watcher:
    """Turns each save into pictures, then a video, for the tiles whose content hash changed."""

    def __init__(self, spec_path: Path, build: Path, ids: list[str], hub: Hub, out: Any = sys.stderr):
        self.spec_path = spec_path
        self.build = build
        self.root = build / "preview"
        self.ids = ids
        self.hub = hub
        self.out = out
        self.hashes: dict[str, str] = {}
        self.generation = 0
        self.lock = threading.Lock()
        self.job: threading.Thread | None = None
        self.cancelled = threading.Event()
        self.proc: subprocess.Popen[str] | None = None

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -------------------------------------------------------------- starting and cancelling work

    def changed(self, first: bool = False) -> None:
        """A save (or the start): cancel what is running and start over from the file as it is now."""
        with self.lock:
            if self.job is not None and self.job.is_alive():
                self.cancelled.set()
                self._kill()
                self.job.join()
            self.cancelled.clear()
            self.generation += 1
            self.job = threading.Thread(target=self._work, args=(self.generation, time.perf_counter(), first),
                                        daemon=True)
            self.job.start()

    def stop(self) -> None:
        self.cancelled.set()
        self._kill()
        if self.job is not None:
            self.job.join(timeout=30)

    def _kill(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGINT)  # a render stops cleanly on SIGINT (exit 130)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                proc.kill()

    def _run(self, *args: str) -> tuple[int, str] | None:
        """Run `python -m render` in a process group of its own; None when the work was cancelled."""
        cmd = [sys.executable, "-m", "render", "--spec", str(self.spec_path), "--build", str(self.root), *args]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                                             os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True, env=env)
        output, _ = self.proc.communicate()
        code = self.proc.returncode
        self.proc = None
        if self.cancelled.is_set():
            return None
        return code, output

    # -------------------------------------------------------------- one save

    def _work(self, gen: int, t0: float, first: bool) -> None:
        from render.plan import content_hash
        from spec.load import parse_spec
        from spec.read import read_spec

        try:
            text, file = read_spec(self.spec_path)
            spec = parse_spec(text, file, scanned=True)
        except SpecInvalid as e:
            lines = [str(err) for err in e.errors]
            for line in lines:
                self.say(line)
            self.say(f"{len(lines)} error(s); fix and save again (the watch goes on)")
            self.hub.publish({"type": "error", "errors": lines})
            return
        self.hub.publish({"type": "valid"})
        authored = [(n, layer, tile) for n, (layer, tile) in enumerate(spec.tiles(), 1)
                    if tile.status == "authored" and (not self.ids or tile.id in self.ids)]
        digests = {tile.id: content_hash(layer, tile, n, "dark", "preview") for n, layer, tile in authored}
        if first and not self.ids:  # the starting point: nothing to show until a tile changes
            self.hashes = digests
            self.hub.publish({"type": "status", "text": "watching: save diagrams.yaml to see a tile"})
            return
        todo = [(n, layer, tile) for n, layer, tile in authored if self.hashes.get(tile.id) != digests[tile.id]]
        if not todo:
            self.say("no change to any tile: nothing to render")
            self.hub.publish({"type": "status", "text": "saved: no tile changed, nothing rendered"})
            return
        for _, _, tile in todo:
            if self.cancelled.is_set() or not self._tile(tile, gen, t0):
                return
            self.hashes[tile.id] = digests[tile.id]

    def _tile(self, tile: Any, gen: int, t0: float) -> bool:
        folder = self.root / "pictures" / tile.id / str(gen)
        self.hub.publish({"type": "status", "text": f"{tile.id}: drawing the step pictures…"})
        res = self._run("lint", tile.id, "--theme", "dark", "--png", str(folder), "--all")
        if res is None:
            return False
        code, output = res
        findings = [line for line in output.splitlines() if line.startswith(f"{tile.id} ")]
        pictures = sorted(folder.glob(f"{tile.id}-step*.png"))
        if not pictures:
            self.say(output.strip())
            self.hub.publish({"type": "error", "errors": output.strip().splitlines()[-20:]})
            return False
        seconds = time.perf_counter() - t0
        self.say(f"{tile.id}: step pictures in {seconds:.1f} s ({len(findings)} lint finding(s))")
        for line in findings:
            self.say(f"  {line}")
        steps = [{"png": p.relative_to(self.root).as_posix(), "title": s.chapter(), "say": s.say}
                 for p, s in zip(pictures, tile.steps, strict=False)]
        self.hub.publish({"type": "pictures", "tile": tile.id, "title": tile.title, "gen": gen, "steps": steps,
                          "findings": findings, "seconds": round(seconds, 2)})
        self.hub.publish({"type": "status", "text": f"{tile.id}: rendering the preview video…"})
        res = self._run("render", tile.id, "--quality", "preview", "--no-site", "-j", "1")
        if res is None:
            return False
        code, output = res
        if code != 0:
            self.say(output.strip())
            self.hub.publish({"type": "status", "text": f"{tile.id}: the video failed; see the terminal"})
            return False
        seconds = time.perf_counter() - t0
        self.say(f"{tile.id}: video in {seconds:.1f} s")
        media = f"media/{tile.id}"
        self.hub.publish({"type": "video", "tile": tile.id, "gen": gen, "mp4": f"{media}/video.mp4?g={gen}",
                          "poster": f"{media}/poster.png?g={gen}", "seconds": round(seconds, 2)})
        self.hub.publish({"type": "status", "text": f"{tile.id}: up to date"})
        return True


def watch(spec_path: Path, build: Path, ids: list[str], host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the preview page and follow the spec until Ctrl-C."""
    import watchfiles

    hub = Hub()
    watcher = Watcher(spec_path, build, ids, hub)
    watcher.root.mkdir(parents=True, exist_ok=True)
    server = QuietServer((host, port), partial(PreviewHandler, hub=hub, directory=str(watcher.root)))
    h, p = server.server_address[:2]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    print(f"preview of {spec_path} at http://{h}:{p}/  (Ctrl-C stops)", flush=True)
    stop = threading.Event()
    target = spec_path.resolve()
    try:
        watcher.changed(first=True)
        for _ in watchfiles.watch(target.parent, stop_event=stop, debounce=150, step=50,
                                  watch_filter=lambda _change, path: Path(path) == target,
                                  raise_interrupt=True):
            watcher.changed()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        watcher.stop()
        server.shutdown()
        server.server_close()
    print("stopped", flush=True)
    return 0


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview · diagrams.yaml</title>
<style>
  :root { color-scheme: dark light; font-family: system-ui, sans-serif; }
  body { margin: 1rem auto; max-width: 1200px; padding: 0 1rem; background: #0f1420; color: #f2f4f8; }
  @media (prefers-color-scheme: light) { body { background: #fff; color: #14181f; } }
  #errors { background: #3a1212; color: #ffd9d9; padding: 0.75rem; white-space: pre-wrap; border-radius: 6px; }
  #status { opacity: 0.85; }
  ol.steps { list-style: none; padding: 0; display: grid; gap: 1rem;
    grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); }
  ol.steps img { width: 100%; height: auto; display: block; border-radius: 6px; }
  ol.steps p { margin: 0.35rem 0 0; }
  video { width: 100%; max-width: 960px; background: #000; }
  .findings li { color: #ff9f80; }
</style>
</head>
<body data-gen="0">
<header>
  <h1 id="tile">Preview</h1>
  <p id="status" role="status" aria-live="polite">Connecting…</p>
</header>
<pre id="errors" hidden></pre>
<main>
  <section aria-labelledby="steps-h"><h2 id="steps-h">Steps</h2><ol class="steps" id="steps"></ol>
    <ul class="findings" id="findings"></ul></section>
  <section aria-labelledby="video-h"><h2 id="video-h">Video</h2>
    <video id="video" controls preload="auto" aria-label="Preview video"></video></section>
</main>
<script>
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  function el(tag, text) { var n = document.createElement(tag); if (text != null) n.textContent = text; return n; }
  var es = new EventSource("events");
  es.onopen = function () { if ($("status").textContent === "Connecting…") $("status").textContent = "Watching"; };
  es.onmessage = function (m) {
    var ev = JSON.parse(m.data);
    if (ev.type === "error") {
      $("errors").textContent = ev.errors.join("\\n");
      $("errors").hidden = false;
      $("status").textContent = "The spec has errors: fix and save again.";
    } else if (ev.type === "valid") {
      $("errors").hidden = true;
      $("errors").textContent = "";
    } else if (ev.type === "status") {
      $("status").textContent = ev.text;
    } else if (ev.type === "pictures") {
      $("tile").textContent = ev.title + " (" + ev.tile + ")";
      var list = $("steps");
      list.textContent = "";
      ev.steps.forEach(function (s, i) {
        var li = el("li");
        var img = el("img");
        img.src = s.png;
        img.alt = "Step " + (i + 1) + ": " + s.title;
        li.appendChild(img);
        var p = el("p", (i + 1) + ". " + s.say);
        p.className = "say";
        li.appendChild(p);
        list.appendChild(li);
      });
      var f = $("findings");
      f.textContent = "";
      ev.findings.forEach(function (t) { f.appendChild(el("li", t)); });
      document.body.dataset.gen = ev.gen;
    } else if (ev.type === "video") {
      var v = $("video");
      v.poster = ev.poster;
      v.src = ev.mp4;
      document.body.dataset.video = ev.gen;
    }
  };
})();
</script>
</body>
</html>
"""
