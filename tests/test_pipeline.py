"""End to end: render a 3-tile fixture for real (Manim, Graphviz, LaTeX, ffmpeg) and check every output."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scenes.encode import PALETTE_MAX_ERROR, probe
from tests.conftest import FIXTURES, ROOT, run_cli

pytestmark = pytest.mark.render
TILES = ["pipeline", "parabola", "grid"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Render the fixture spec once for this module (preview quality)."""
    root = tmp_path_factory.mktemp("e2e")
    spec = root / "diagrams.yaml"
    shutil.copy(FIXTURES / "three.yaml", spec)
    build = root / "build"
    res = run_cli("--spec", str(spec), "--build", str(build), "render", "--quality", "preview", "-j", "2")
    assert res.returncode == 0, res.stderr
    return {"spec": spec, "build": build, "media": build / "media", "first": res}


def snapshot(media: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(media)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(media.rglob("*"))
            if p.is_file()}


def meta_of(built: dict, tile: str) -> dict:
    return json.loads((built["media"] / tile / "meta.json").read_text())


def test_first_run_renders_every_tile_and_reports_progress(built: dict) -> None:
    err = built["first"].stderr
    assert "3 rendered, 0 failed" in err
    for tile in TILES:
        assert f"✓ {tile}" in err


@pytest.mark.parametrize("tile", TILES)
def test_mp4_is_h264_yuv420p_faststart_at_the_preset(built: dict, tile: str) -> None:
    mp4 = built["media"] / tile / "video.mp4"
    info = probe(mp4)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert video["codec_name"] == "h264"
    assert video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == (854, 480)
    assert video["r_frame_rate"] == "15/1"  # the frame grid; a wait is stored as one held picture
    meta = meta_of(built, tile)
    assert abs(float(info["format"]["duration"]) - meta["duration"]) < 1 / 15
    data = mp4.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "moov atom must come first (+faststart)"


@pytest.mark.parametrize("tile", TILES)
def test_gif_loops_and_is_at_most_960_wide(built: dict, tile: str) -> None:
    with Image.open(built["media"] / tile / "loop.gif") as gif:
        assert gif.info.get("loop") == 0
        assert gif.n_frames > 10
        assert gif.width <= 960


@pytest.mark.parametrize("tile", TILES)
def test_poster_is_the_last_frame_of_the_video(built: dict, tile: str, tmp_path: Path) -> None:
    last = tmp_path / "last.png"
    subprocess.run(["ffmpeg", "-v", "error", "-sseof", "-0.2", "-i", str(built["media"] / tile / "video.mp4"),
                    "-update", "1", "-frames:v", "1", "-y", str(last)], check=True)
    poster = np.asarray(Image.open(built["media"] / tile / "poster.png").convert("RGB"), dtype=float)
    frame = np.asarray(Image.open(last).convert("RGB"), dtype=float)
    assert poster.shape == frame.shape == (480, 854, 3)
    assert np.abs(poster - frame).mean() < 2.5
    # and the poster is not blank: it holds the finished picture
    assert poster.std() > 10


@pytest.mark.parametrize("tile", TILES)
def test_the_video_shows_each_step_picture_at_the_end_of_its_step(built: dict, tile: str, tmp_path: Path) -> None:
    """Each step ends on a wait, stored as one held picture: a seek into it shows the step's finished picture."""
    meta = meta_of(built, tile)
    for step in meta["steps"]:
        shot = tmp_path / f"{step['index']}.png"
        subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{step['end'] - 0.2:.3f}", "-i",
                        str(built["media"] / tile / "video.mp4"), "-frames:v", "1", "-y", str(shot)], check=True)
        frame = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
        picture = np.asarray(Image.open(built["media"] / tile / step["png"]).convert("RGB"), dtype=float)
        assert np.abs(frame - picture).mean() < 2.5, f"step {step['index']} at {step['end'] - 0.2:.2f} s"


@pytest.mark.parametrize("tile", TILES)
def test_steps_captions_chapters_and_meta_agree(built: dict, tile: str) -> None:
    d = built["media"] / tile
    meta = meta_of(built, tile)
    n = len(meta["steps"])
    assert n == 3
    assert sorted(p.name for p in (d / "steps").glob("*.png")) == [f"{i:02d}.png" for i in range(1, n + 1)]
    # The poster is the last step's picture, stored with a palette when that is faithful.
    last = np.asarray(Image.open(d / "steps" / f"{n:02d}.png").convert("RGB"), dtype=int)
    poster = np.asarray(Image.open(d / "poster.png").convert("RGB"), dtype=int)
    assert poster.shape == last.shape
    assert np.abs(poster - last).mean(axis=(0, 1)).max() <= PALETTE_MAX_ERROR
    starts = [s["start"] for s in meta["steps"]]
    assert starts[0] == 0 and starts == sorted(starts)
    captions = (d / "captions.vtt").read_text()
    chapters = (d / "chapters.vtt").read_text()
    assert captions.startswith("WEBVTT") and chapters.startswith("WEBVTT")
    assert captions.count("-->") == chapters.count("-->") == n
    for s in meta["steps"]:
        assert s["say"] in captions
    assert meta["title"] and meta["tagline"] and meta["layer"]["id"] == "basics"
    assert meta["outputs"]["mp4"] == "video.mp4" and len(meta["outputs"]["steps"]) == n
    with Image.open(d / "thumb.png") as thumb:
        assert thumb.width == 480


def test_step_frames_differ_as_the_picture_builds_up(built: dict) -> None:
    d = built["media"] / "grid" / "steps"
    first = np.asarray(Image.open(d / "01.png").convert("L"), dtype=float)
    second = np.asarray(Image.open(d / "02.png").convert("L"), dtype=float)
    assert np.abs(first - second).mean() > 0.5


def test_gallery_lists_the_rendered_tiles(built: dict) -> None:
    site = built["build"] / "site"
    html = (site / "index.html").read_text()
    data = (site / "gallery-data.js").read_text()  # the player's data, a deferred script beside the page
    assert "gallery-data.js" in html
    for tile in TILES:
        assert f"thumbs/{tile}/" in html and f"t/{tile}.html" in html, tile
        assert f"media/{tile}/video.mp4" in data
        assert (built["build"] / "site" / "media" / tile / "poster.png").is_file()


def test_second_run_renders_nothing(built: dict) -> None:
    before = snapshot(built["media"])
    res = run_cli("--spec", str(built["spec"]), "--build", str(built["build"]), "render", "--quality", "preview")
    assert res.returncode == 0, res.stderr
    assert "0 rendered" in res.stderr and "3 tile(s) up to date" in res.stderr
    assert snapshot(built["media"]) == before


def test_invalid_input_leaves_existing_outputs_untouched(built: dict, tmp_path: Path) -> None:
    before = snapshot(built["media"])
    broken = tmp_path / "broken.yaml"
    broken.write_text(built["spec"].read_text().replace("{show: cm.grid}", "{show: cm.gird}"))
    res = run_cli("--spec", str(broken), "--build", str(built["build"]), "render", "--quality", "preview")
    assert res.returncode == 1
    assert "unknown element 'gird' in panel 'cm'; did you mean 'grid'?" in res.stderr
    assert "Traceback" not in res.stderr
    assert snapshot(built["media"]) == before


def test_editing_one_caption_re_renders_only_that_tile(built: dict) -> None:
    spec = built["spec"]
    before = snapshot(built["media"])
    spec.write_text(spec.read_text().replace("'Walk downhill.'", "'Walk downhill, one step at a time.'"))
    res = run_cli("--spec", str(spec), "--build", str(built["build"]), "render", "--quality", "preview")
    assert res.returncode == 0, res.stderr
    assert "1 rendered" in res.stderr and "✓ parabola" in res.stderr
    after = snapshot(built["media"])
    for tile in ("pipeline", "grid"):
        assert {k: v for k, v in after.items() if k.startswith(tile + "/")} == \
            {k: v for k, v in before.items() if k.startswith(tile + "/")}
    assert "one step at a time" in (built["media"] / "parabola" / "captions.vtt").read_text()


def test_a_failing_tile_is_reported_and_the_others_complete(tmp_path: Path) -> None:
    text = (FIXTURES / "three.yaml").read_text().replace(r"w \leftarrow w - \eta\, \nabla L(w)", r"\frac{w")
    spec = tmp_path / "diagrams.yaml"
    spec.write_text(text)
    build = tmp_path / "build"
    res = run_cli("--spec", str(spec), "--build", str(build), "render", "--quality", "preview", "-j", "2")
    assert res.returncode == 1
    assert "2 rendered, 1 failed" in res.stderr
    assert "FAILED parabola" in res.stderr and "latex" in res.stderr.lower()
    assert (build / "media" / "pipeline" / "meta.json").is_file()
    assert (build / "media" / "grid" / "meta.json").is_file()
    assert not (build / "media" / "parabola").exists()
    assert not list((build / "media").glob(".*")), "no temporary folders left behind"
    manifest = json.loads((build / "cache" / "manifest-dark.json").read_text())
    assert sorted(manifest) == ["grid", "pipeline"]


def test_a_tile_with_a_missing_output_is_rendered_again(built: dict) -> None:
    (built["media"] / "grid" / "loop.gif").unlink()
    res = run_cli("--spec", str(built["spec"]), "--build", str(built["build"]), "render", "grid", "--quality", "preview")
    assert res.returncode == 0, res.stderr
    assert "✓ grid" in res.stderr
    assert (built["media"] / "grid" / "loop.gif").is_file()


def test_unknown_tile_id_is_a_clear_error(built: dict) -> None:
    res = run_cli("--spec", str(built["spec"]), "--build", str(built["build"]), "render", "gird")
    assert res.returncode == 2
    assert res.stderr.strip() == "error: unknown tile 'gird'; did you mean 'grid'?"


def test_every_authored_tile_of_the_real_spec_renders(tmp_path: Path) -> None:
    """CI renders the whole authored study path in preview quality."""
    res = run_cli("--spec", str(ROOT / "diagrams.yaml"), "--build", str(tmp_path / "build"), "render",
                  "--quality", "preview", "-j", "2", timeout=3000)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "0 failed" in res.stderr


def test_meta_carries_each_key_point_with_the_box_of_its_elements_in_the_poster(built: dict) -> None:
    """Each box holds its element's ink in the poster, and fits it to a few pixels (boxes of a flow's nodes)."""
    from PIL import Image

    kps = meta_of(built, "pipeline")["key_points"]
    assert [kp["point"] for kp in kps][:2] == ["Data is the input.", "A model maps data to a score."]
    assert kps[1]["priority"] == "must" and kps[1]["formula"] == "score = f(x)"
    poster = np.asarray(Image.open(built["media"] / "pipeline" / "poster.png").convert("RGB"), dtype=int)
    h, w = poster.shape[:2]
    background = poster[2, 2]
    ink = np.abs(poster - background).max(axis=2) > 40
    for kp in kps[:3]:  # the three nodes: boxes with a border all round
        (b,) = kp["boxes"]
        x0, y0, x1, y1 = b["box"][0] * w, b["box"][1] * h, b["box"][2] * w, b["box"][3] * h
        m = 3  # look a little beyond the box: the element's ink ends inside it (an edge leaves a node beyond that)
        region = ink[int(y0) - m:int(y1) + m, int(x0) - m:int(x1) + m]
        ys, xs = np.nonzero(region)
        assert len(xs) > 50, b
        found = (xs.min() + int(x0) - m, ys.min() + int(y0) - m, xs.max() + int(x0) - m, ys.max() + int(y0) - m)
        assert all(abs(a - e) <= 4 for a, e in zip(found, (x0, y0, x1, y1), strict=True)), (b, found)
