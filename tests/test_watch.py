"""The live preview, as an author uses it: a real `watch` process on a temporary spec, a page in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = [pytest.mark.render, pytest.mark.browser]
TIMEOUT = 120_000  # ms: a render on a busy 2-core machine


class Watch:
    def __init__(self, root: Path):
        self.spec = root / "diagrams.yaml"
        shutil.copy(FIXTURES / "three.yaml", self.spec)
        self.log = root / "out.txt"
        cmd = [sys.executable, "-m", "render", "--spec", str(self.spec), "--build", str(root / "build"), "watch",
               "pipeline", "--port", "0"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
                                     start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.url = self.wait_for(r"preview of .* at (http://127\.0\.0\.1:\d+/)").group(1)

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.output())
            if m:
                return m
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.output()}"
            time.sleep(0.1)

    def edit(self, old: str, new: str) -> None:
        text = self.spec.read_text()
        assert old in text
        self.spec.write_text(text.replace(old, new, 1))


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Watch]:
    w = Watch(tmp_path)
    try:
        yield w
    finally:
        if w.proc.poll() is None:
            os.killpg(w.proc.pid, signal.SIGKILL)


def test_a_save_reaches_the_page_errors_show_and_ctrl_c_stops_it(watching: Watch, chromium: Any) -> None:
    w = watching
    page = chromium().new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(w.url)
    # The tile named on the command line: its step pictures, then its video, pushed to the page.
    page.wait_for_selector("body[data-gen='1']")
    assert page.locator("#steps img").count() == 3
    assert page.text_content("#tile") == "A Tiny Pipeline (pipeline)"
    page.wait_for_selector("body[data-video='1']")
    assert page.get_attribute("#video", "src").startswith("media/pipeline/video.mp4")
    assert page.evaluate("fetch(document.getElementById('video').src).then(r => r.status)") == 200

    # A caption edit: new pictures with the new caption, then the new video.
    before = page.get_attribute("#steps img >> nth=0", "src")
    w.edit("'Data goes in.'", "'Data goes in, and the edit shows.'")
    page.wait_for_function("() => document.querySelector('#steps .say').textContent === "
                           "'1. Data goes in, and the edit shows.'")
    assert page.get_attribute("#steps img >> nth=0", "src") != before
    assert page.evaluate("fetch(document.querySelector('#steps img').src).then(r => r.status)") == 200

    # A save that changes nothing renders nothing (once the edit's video is done).
    w.wait_for(r"pipeline: video in [\d.]+ s\n(.*\n)*pipeline: video in [\d.]+ s")
    gen = page.get_attribute("body", "data-gen")
    w.spec.write_text(w.spec.read_text())
    w.wait_for("no change to any tile: nothing to render")
    page.wait_for_selector("#status:has-text('nothing rendered')")
    assert page.get_attribute("body", "data-gen") == gen

    # An invalid edit shows its errors with their lines, and the loop goes on; a valid edit recovers.
    line = w.spec.read_text().splitlines().index("        title: 'A Tiny Pipeline'") + 1
    w.edit("title: 'A Tiny Pipeline'", "titel: 'A Tiny Pipeline'")
    page.wait_for_selector("#errors:not([hidden])")
    assert (f"diagrams.yaml:{line}: tiles[pipeline].titel: unknown field 'titel'; did you mean 'title'?"
            in page.text_content("#errors"))
    w.edit("titel: 'A Tiny Pipeline'", "title: 'A Tiny Pipeline, fixed'")
    page.wait_for_selector("#errors[hidden]", state="attached")
    page.wait_for_function("() => document.getElementById('tile').textContent === "
                           "'A Tiny Pipeline, fixed (pipeline)'")

    # Ctrl-C, as a terminal sends it, stops the server, the watcher and any render, cleanly.
    os.killpg(w.proc.pid, signal.SIGINT)
    assert w.proc.wait(timeout=60) == 0
    out = w.output()
    assert out.rstrip().endswith("stopped") and "Traceback" not in out
