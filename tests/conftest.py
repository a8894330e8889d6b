"""Shared fixtures: paths of the repository and small spec builders."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _real_counts() -> tuple[int, int]:
    from spec import load_spec

    spec = load_spec(ROOT / "diagrams.yaml")
    return len(spec.layers), len(spec.tiles())


# How many layers and tiles the real spec has: tests take them from the spec, so adding a tile changes no test.
LAYER_COUNT, TILE_COUNT = _real_counts()
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, headless, with nothing reaching out to the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def need(path: Path, what: str) -> None:
    """Fail with the command that installs a missing test tool (a missing tool is never a pass)."""
    if not path.exists():
        pytest.fail(f"{what} not found at {path}: run `make test` (it installs it)")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Callable[..., Any]]:
    """Launch Debian's Chromium through Playwright, by path (never a downloaded browser): `chromium(*extra_args)`.

    One browser per set of flags for the whole session; every test module shares it and makes its own contexts.
    """
    need(CHROMIUM, "Chromium (Debian package chromium)")
    import playwright.sync_api as playwright_api

    browsers: dict[tuple[str, ...], Any] = {}
    with playwright_api.sync_playwright() as p:

        def launch(*extra: str) -> Any:
            if extra not in browsers:
                browsers[extra] = p.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra])
            return browsers[extra]

        try:
            yield launch
        finally:
            for b in browsers.values():
                b.close()


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run `python -m render ...` as a user would, from the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "render", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def spec_text(tiles_yaml: str) -> str:
    """A one-layer spec around the given tile entries (indented YAML list items)."""
    head = textwrap.dedent(
        """\
        version: 1
        layers:
          - id: basics
            title: Basics
            blurb: A layer.
            tiles:
        """
    )
    return head + textwrap.indent(textwrap.dedent(tiles_yaml), " " * 6)


@pytest.fixture
def write_spec(tmp_path: Path):
    def write(tiles_yaml: str, name: str = "diagrams.yaml") -> Path:
        path = tmp_path / name
        path.write_text(spec_text(tiles_yaml), encoding="utf-8")
        return path

    return write


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", help="rewrite tests/golden/*.png from the current code")
