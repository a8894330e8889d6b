"""--shard K/N and `merge`: a deterministic, balanced split for CI matrices, merged back into one build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from render.shard import ShardError, load_times, merge, parse_shard, partition, shard_ids
from spec import load_spec
from tests.conftest import FIXTURES, ROOT, run_cli


def test_shard_values_are_checked() -> None:
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/2", "3/2", "2", "a/b", "1/0"):
        with pytest.raises(ShardError, match=r"expected K/N with 1 <= K <= N"):
            parse_shard(bad)


def test_the_partition_covers_every_tile_once_and_is_balanced_by_the_committed_times() -> None:
    spec = load_spec(ROOT / "diagrams.yaml")
    times = load_times(ROOT / "render-times.json")
    authored = [t.id for _, t in spec.tiles() if t.status == "authored"]
    assert set(times) == set(authored), "render-times.json lists every authored tile"
    for n in (2, 3, 4):
        shards = [shard_ids(spec, times, k, n) for k in range(1, n + 1)]
        assert sorted(t for s in shards for t in s) == sorted(authored)
        loads = [sum(times[t] for t in s) for s in shards]
        # longest-first greedy: no shard exceeds another by more than its largest tile
        assert max(loads) - min(loads) <= max(times.values())
        assert max(loads) <= sum(loads) / n * 1.1
        # the same inputs give the same shards (every CI job computes the same partition)
        assert shards == [shard_ids(load_spec(ROOT / "diagrams.yaml"), dict(reversed(times.items())), k, n)
                          for k in range(1, n + 1)]


def test_tiles_without_a_time_count_as_the_median_and_shards_keep_the_spec_order() -> None:
    tiles = ["a", "b", "c", "d", "e"]
    shards = partition(tiles, {"a": 10.0, "b": 1.0, "c": 1.0}, 2)
    assert shards == [["a"], ["b", "c", "d", "e"]]  # d and e count as 1 s each
    assert partition(tiles, {}, 2) == [["a", "c", "e"], ["b", "d"]]  # no times: balanced by count


def test_a_broken_times_file_names_the_file_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "render-times.json"
    f.write_text('{\n "tiles": {\n  "grid": 3.5,\n  "parabola": "fast"\n }\n}\n')
    with pytest.raises(ShardError, match=r"render-times.json:4: field 'tiles.parabola': expected a positive number"):
        load_times(f)
    f.write_text('{\n "tiles": {\n  "grid": 3.5,\n }\n}\n')
    with pytest.raises(ShardError, match=r"render-times.json:4: not valid JSON"):
        load_times(f)
    assert load_times(tmp_path / "absent.json") == {}


def test_bad_shard_and_scheduler_options_are_clear_errors(tmp_path: Path) -> None:
    res = run_cli("--spec", str(FIXTURES / "three.yaml"), "--build", str(tmp_path), "render", "--shard", "3/2")
    assert res.returncode == 2 and res.stderr.strip() == \
        "error: --shard '3/2': expected K/N with 1 <= K <= N, for example --shard 2/4"
    res = run_cli("--spec", str(FIXTURES / "three.yaml"), "--build", str(tmp_path), "render", "--scheduler",
                  "10.0.0.5:8786")
    assert res.returncode == 2 and "error: --scheduler '10.0.0.5:8786': expected tcp://HOST:PORT or tls://HOST:PORT" \
        in res.stderr
    assert not (tmp_path / "media").exists()


def fake_build(root: Path, tiles: dict[str, str], body: str = "x") -> Path:
    """A build folder whose tiles have a meta.json, its listed files and a manifest entry (no render needed)."""
    for tid in tiles:
        d = root / "media" / tid
        (d / "steps").mkdir(parents=True)
        (d / "video.mp4").write_text(f"{tid} {body}")
        (d / "steps" / "01.png").write_text(f"{tid} step")
        (d / "meta.json").write_text(json.dumps({"id": tid, "outputs": {"mp4": "video.mp4", "steps": ["steps/01.png"]}}))
    (root / "cache").mkdir(parents=True)
    (root / "cache" / "manifest-dark.json").write_text(json.dumps(tiles))
    return root


def test_merge_refuses_a_tile_two_shards_rendered_differently(tmp_path: Path) -> None:
    a = fake_build(tmp_path / "a", {"grid": "1" * 64, "pipeline": "2" * 64})
    b = fake_build(tmp_path / "b", {"grid": "3" * 64})
    with pytest.raises(ShardError, match=r"conflict: tile 'grid' \(dark\) has hash 111111111111 in .*a but "
                                         r"333333333333 in .*b"):
        merge([a, b], tmp_path / "out")
    c = fake_build(tmp_path / "c", {"grid": "1" * 64}, body="other bytes")
    with pytest.raises(ShardError, match=r"conflict: tile 'grid' \(dark\) has the same hash .* but different files"):
        merge([a, c], tmp_path / "out")
    shutil.rmtree(c / "media" / "grid")
    fake_build(tmp_path / "d", {"grid": "1" * 64})
    counts = merge([a, tmp_path / "d"], tmp_path / "out")  # the same tile, identical: fine
    assert counts == {"dark": 2}
    res = run_cli("--build", str(tmp_path / "out2"), "merge", str(a), str(tmp_path / "nothing"))
    assert res.returncode == 2 and "nothing: not a build folder" in res.stderr


def snapshot(build: Path) -> dict[str, bytes]:
    """Every file of the media folders and the manifests: what a build is, file for file."""
    files = [p for p in (build / "media").rglob("*") if p.is_file()] + sorted((build / "cache").glob("manifest-*.json"))
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in files}


@pytest.mark.render
def test_shards_one_and_two_merged_equal_the_unsharded_build(tmp_path: Path) -> None:
    spec = tmp_path / "diagrams.yaml"
    shutil.copy(FIXTURES / "three.yaml", spec)
    (tmp_path / "render-times.json").write_text(json.dumps({"tiles": {"pipeline": 2.0, "parabola": 2.5, "grid": 1.0}}))
    whole = tmp_path / "whole"
    res = run_cli("--spec", str(spec), "--build", str(whole), "render", "--quality", "preview", "-j", "2", "--no-site")
    assert res.returncode == 0, res.stderr
    shards = []
    for k in (1, 2):
        build = tmp_path / f"shard{k}"
        res = run_cli("--spec", str(spec), "--build", str(build), "render", "--quality", "preview", "-j", "1",
                      "--no-site", "--shard", f"{k}/2")
        assert res.returncode == 0, res.stderr
        shards.append(sorted(p.name for p in (build / "media").iterdir()))
    # parabola (2.5 s) alone; pipeline and grid (3 s) together
    assert shards == [["parabola"], ["grid", "pipeline"]]
    res = run_cli("--spec", str(spec), "--build", str(tmp_path / "merged"), "merge", str(tmp_path / "shard1"),
                  str(tmp_path / "shard2"))
    assert res.returncode == 0, res.stderr
    assert "merged 2 build(s)" in res.stdout and "3 dark tile(s)" in res.stdout
    assert snapshot(tmp_path / "merged") == snapshot(whole)
    # the merged build is a build: nothing is stale in it
    res = run_cli("--spec", str(spec), "--build", str(tmp_path / "merged"), "render", "--quality", "preview",
                  "--no-site")
    assert res.returncode == 0 and "3 tile(s) up to date" in res.stderr, res.stderr
