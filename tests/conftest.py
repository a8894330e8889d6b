"""Shared fixtures: paths of the repository and small spec builders."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
