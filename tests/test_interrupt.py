"""Ctrl-C and a lost machine during a real render: a prompt, clean stop, and nothing left behind for long."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.render
LEFTOVER = re.compile(r"^\.[a-z0-9-]+\.[a-z0-9_]{8}$")


def leftovers(media: Path) -> list[str]:
    return sorted(d.name for d in media.iterdir() if LEFTOVER.match(d.name)) if media.is_dir() else []


def start_render(root: Path) -> tuple[subprocess.Popen[str], Path]:
    """Start a 3-tile render in a process group of its own, as a terminal runs it; return once tiles are in flight."""
    spec = root / "diagrams.yaml"
    shutil.copy(FIXTURES / "three.yaml", spec)
    build = root / "build"
    log = (root / "out.txt").open("w")
    cmd = [sys.executable, "-m", "render", "--spec", str(spec), "--build", str(build), "render", "--quality",
           "preview", "-j", "2", "--no-site"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 300
    while not leftovers(build / "media"):
        assert proc.poll() is None, (root / "out.txt").read_text()
        assert time.monotonic() < deadline, "no tile started rendering"
        time.sleep(0.05)
    time.sleep(1.0)  # well into the tiles: scenes drawing, encoders running
    return proc, build


def test_ctrl_c_stops_promptly_reports_what_finished_and_leaves_nothing(tmp_path: Path) -> None:
    proc, build = start_render(tmp_path)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C: the whole foreground group
    proc.wait(timeout=60)
    out = (tmp_path / "out.txt").read_text()
    assert proc.returncode == 130, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out
    assert "FAILED" not in out and "EncodeError" not in out and "failed" not in out
    m = re.search(r"interrupted: (\d+) tile\(s\) finished \(([^)]*)\); (\d+) not rendered \(([^)]*)\)", out)
    assert m, out
    assert int(m.group(1)) + int(m.group(3)) == 3
    assert leftovers(build / "media") == []


def test_a_killed_render_leaves_temporary_folders_that_the_next_run_removes(tmp_path: Path) -> None:
    proc, build = start_render(tmp_path)
    os.killpg(proc.pid, signal.SIGKILL)  # a lost machine: nothing gets to clean up
    proc.wait(timeout=60)
    left = leftovers(build / "media")
    assert left, "a killed worker leaves its temporary folder"
    res = subprocess.run([sys.executable, "-m", "render", "--spec", str(tmp_path / "diagrams.yaml"), "--build",
                          str(build), "render", "--quality", "preview", "-j", "2", "--no-site"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr
    assert leftovers(build / "media") == []
    assert all((build / "media" / t / "meta.json").is_file() for t in ("pipeline", "parabola", "grid"))


def alive_in_session(sid: int) -> list[str]:
    """Processes still running in a session (the render's workers, ffmpeg), zombies excluded."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:
            alive.append(stat.parent.name)
    return alive


@pytest.mark.parametrize("target", ["group", "process"])
def test_sigterm_stops_like_ctrl_c_and_leaves_no_worker_running(tmp_path: Path, target: str) -> None:
    # `timeout` sends SIGTERM to the whole group; `kill PID` (or a CI runner) to the render's own process only.
    proc, build = start_render(tmp_path)
    if target == "group":
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    out = (tmp_path / "out.txt").read_text()
    assert proc.returncode == 128 + signal.SIGTERM, out
    assert "Traceback" not in out and "FAILED" not in out, out
    assert "interrupted" in out, out
    deadline = time.monotonic() + 10
    while alive_in_session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive_in_session(proc.pid) == [], "a worker outlived the render it belonged to"
    assert leftovers(build / "media") == []
