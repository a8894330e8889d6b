"""A real gallery to test against, rendered once per test session.

Both themes are rendered (dark for the gallery, light for its second downloads and the exports).
The spec is the real diagrams.yaml (its 8 layers and 68 tiles, in seed order) with every
tile marked planned except the tiny tiles of tests/fixtures/gallery_tiles.yaml, so the
site shows the whole study path while only three short preview renders are needed.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from render.exports import Export, load
from spec import Spec, load_spec
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, FIXTURES, ROOT, need, run_cli  # noqa: F401  (re-exported)

AUTHORED = ["ml-landscape", "ml-project-lifecycle", "prompt-injection-defense"]
KEPT_FIELDS = ("id", "title", "tagline", "notes", "questions", "requires")  # requires: the study map
NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


@dataclass(frozen=True)
class RenderedSite:
    spec_path: Path
    spec: Spec
    build: Path

    @property
    def media(self) -> Path:
        return self.build / "media"

    @property
    def media_light(self) -> Path:
        return self.build / "media-light"

    @property
    def site(self) -> Path:
        return self.build / "site"

    def light_export(self) -> Export:
        """The light render as the exports read it."""
        return load(self.spec, self.media_light, "light")


def write_fixture_spec(dest: Path) -> Path:
    """Write the real spec's layers and tiles with only the fixture tiles authored."""
    real = yaml.safe_load((ROOT / "diagrams.yaml").read_text(encoding="utf-8"))
    fixture = {
        t["id"]: t for t in yaml.safe_load((FIXTURES / "gallery_tiles.yaml").read_text(encoding="utf-8"))["tiles"]
    }
    for layer in real["layers"]:
        tiles = []
        for tile in layer["tiles"]:
            entry = {k: tile[k] for k in KEPT_FIELDS if k in tile}
            if tile["id"] in fixture:
                entry.update(fixture[tile["id"]])
                entry["status"] = "authored"
            else:
                entry["status"] = "planned"
            tiles.append(entry)
        layer["tiles"] = tiles
    dest.write_text(yaml.safe_dump(real, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


@functools.cache
def _render(root: Path) -> RenderedSite:
    root.mkdir(parents=True, exist_ok=True)
    spec_path = write_fixture_spec(root / "diagrams.yaml")
    build = root / "build"
    res = run_cli(
        "--spec", str(spec_path), "--build", str(build), "render", "--quality", "preview", "-j", "2", "--no-site"
    )
    assert res.returncode == 0, res.stdout + res.stderr
    res = run_cli(
        "--spec", str(spec_path), "--build", str(build), "render", "--quality", "preview", "-j", "2", "--no-site",
        "--theme", "light",
    )
    assert res.returncode == 0, res.stdout + res.stderr
    res = run_cli("--spec", str(spec_path), "--build", str(build), "site")
    assert res.returncode == 0, res.stdout + res.stderr
    return RenderedSite(spec_path, load_spec(spec_path), build)


def rendered_site(factory: pytest.TempPathFactory) -> RenderedSite:
    """Render the fixture tiles and build the site, once per session (shared by the test modules)."""
    return _render(factory.getbasetemp() / "gallery-site")


def copy_site(site: RenderedSite, dest: Path) -> RenderedSite:
    """A private copy of the build (media and site) that a test may change."""
    shutil.copytree(site.build / "media", dest / "build" / "media")
    shutil.copytree(site.build / "media-light", dest / "build" / "media-light")
    shutil.copytree(site.build / "site", dest / "build" / "site")
    shutil.copy(site.spec_path, dest / "diagrams.yaml")
    return RenderedSite(dest / "diagrams.yaml", site.spec, dest / "build")
