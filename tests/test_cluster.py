"""--scheduler: a real Dask cluster (distributed.LocalCluster, two single-threaded worker processes whose working
directory is not the project's) renders the fixture tiles; the coordinator publishes them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from render.cluster import ClusterError, check_address
from tests.conftest import FIXTURES, ROOT, run_cli
from tests.test_shard import snapshot


def test_scheduler_addresses_are_checked() -> None:
    assert check_address("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert check_address("tls://render-1.example.org:8786") == "tls://render-1.example.org:8786"
    assert check_address("tcp://[::1]:8786") == "tcp://[::1]:8786"
    for bad in ("10.0.0.5:8786", "http://10.0.0.5:8786", "tcp://10.0.0.5", "tcp://10.0.0.5:99999", "tcp://:8786"):
        with pytest.raises(ClusterError, match=r"expected tcp://HOST:PORT or tls://HOST:PORT"):
            check_address(bad)


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three fixture tiles rendered the ordinary way, with local worker processes."""
    build = tmp_path_factory.mktemp("local") / "build"
    res = run_cli("--spec", str(FIXTURES / "three.yaml"), "--build", str(build), "render", "--quality", "preview",
                  "-j", "2", "--no-site")
    assert res.returncode == 0, res.stderr
    return build


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Path]]:
    """A LocalCluster of two worker processes with one thread each, started from a folder outside the project.

    The workers import the project from PYTHONPATH (as an installed package would be) and keep their caches
    in their own temporary folder (TMPDIR), nothing on the coordinator's disk."""
    from distributed import LocalCluster

    home = tmp_path_factory.mktemp("workers")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(home)
        mp.setenv("PYTHONPATH", str(ROOT))
        mp.setenv("TMPDIR", str(home))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                          host="127.0.0.1") as lc:
            yield lc, home


def client_of(cluster: tuple[object, Path]):  # type: ignore[no-untyped-def]
    from distributed import Client

    lc, _ = cluster
    return Client(lc.scheduler_address, set_as_default=False)  # type: ignore[attr-defined]


@pytest.mark.render
def test_a_cluster_render_gives_the_files_of_a_local_render(cluster, local_build: Path, tmp_path: Path) -> None:
    lc, home = cluster
    with client_of(cluster) as client:
        cwds = client.run(os.getcwd)
    assert len(cwds) == 2 and all(Path(c) == home for c in cwds.values()), cwds
    build = tmp_path / "build"
    res = run_cli("--spec", str(FIXTURES / "three.yaml"), "--build", str(build), "render", "--quality", "preview",
                  "--no-site", "--scheduler", lc.scheduler_address)
    assert res.returncode == 0, res.stderr
    assert "3 rendered, 0 failed" in res.stderr
    assert all(f"✓ {t}" in res.stderr for t in ("pipeline", "parabola", "grid"))
    assert snapshot(build) == snapshot(local_build)
    assert not list((build / "media").glob(".*")), "no temporary folders left behind"
    # the cache works as locally: a second run renders nothing
    res = run_cli("--spec", str(FIXTURES / "three.yaml"), "--build", str(build), "render", "--quality", "preview",
                  "--no-site", "--scheduler", lc.scheduler_address)
    assert res.returncode == 0 and "3 tile(s) up to date" in res.stderr and "0 rendered" in res.stderr, res.stderr


@pytest.mark.render
def test_a_failing_tile_fails_alone_with_exit_status_1(cluster, tmp_path: Path) -> None:
    lc, _ = cluster
    spec = tmp_path / "diagrams.yaml"
    spec.write_text((FIXTURES / "three.yaml").read_text().replace(r"w \leftarrow w - \eta\, \nabla L(w)", r"\frac{w"))
    build = tmp_path / "build"
    res = run_cli("--spec", str(spec), "--build", str(build), "render", "--quality", "preview", "--no-site",
                  "--scheduler", lc.scheduler_address)
    assert res.returncode == 1
    assert "2 rendered, 1 failed" in res.stderr and "FAILED parabola" in res.stderr
    assert not (build / "media" / "parabola").exists()
    assert sorted(p.name for p in (build / "media").iterdir()) == ["grid", "pipeline"]


def fake_ffmpeg(folder: Path) -> Path:
    """An ffmpeg that reports another version (and runs the real one for anything else)."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "ffmpeg"
    exe.write_text('#!/bin/sh\nif [ "$1" = "-version" ]; then echo "ffmpeg version 0.0-other"; exit 0; fi\n'
                   'exec /usr/bin/ffmpeg "$@"\n')
    exe.chmod(0o755)
    return folder


def start_odd_worker(address: str, home: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    """`dask worker ADDRESS --nthreads 1` with the project, but another ffmpeg first on its PATH."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(home),
           "PATH": f"{fake_ffmpeg(tmp_path / 'bin')}:{os.environ['PATH']}"}
    return subprocess.Popen([str(Path(sys.executable).with_name("dask")), "worker", address, "--nthreads", "1",
                             "--no-nanny", "--no-dashboard", "--name", "odd"],
                            cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.render
def test_a_worker_with_another_tool_version_is_refused(cluster, local_build: Path, tmp_path: Path) -> None:
    """A third worker joins with a different ffmpeg: it refuses tiles; the two others render them all."""
    from render.build import Paths
    from render.cluster import job_fields, render_task, versions
    from render.plan import plan
    from spec import load_spec

    lc, home = cluster
    odd = start_odd_worker(lc.scheduler_address, home, tmp_path)
    try:
        with client_of(cluster) as client:
            client.wait_for_workers(3, timeout=60)
            (odd_addr,) = [a for a, w in client.scheduler_info()["workers"].items() if w.get("name") == "odd"]
            # the task itself refuses, whichever way it reached the worker
            spec = load_spec(FIXTURES / "three.yaml")
            p = plan(spec, ["grid"], tmp_path / "m", Paths(tmp_path).manifest("dark"), "dark", "preview", True)[0]
            out = client.submit(render_task, job_fields(p, "preview", "dark"), versions(), workers=[odd_addr],
                                pure=False).result(timeout=120)
            assert out["refused"].startswith(f"worker {odd_addr} refused the task: ffmpeg is 'ffmpeg version "
                                             "0.0-other' here, 'ffmpeg version")
            assert "on the coordinator" in out["refused"] and "part of the cache key" in out["refused"]
            assert "files" not in out
            build = tmp_path / "build"
            res = run_cli("--spec", str(FIXTURES / "three.yaml"), "--build", str(build), "render", "--quality",
                          "preview", "--no-site", "--scheduler", lc.scheduler_address)
            assert res.returncode == 0, res.stderr
            assert f"worker {odd_addr} refused the task: ffmpeg is 'ffmpeg version 0.0-other'" in res.stderr
            assert "3 rendered, 0 failed" in res.stderr
            assert snapshot(build) == snapshot(local_build)
    finally:
        odd.terminate()
        odd.wait(timeout=30)


@pytest.mark.render
def test_a_cluster_of_only_refusing_workers_renders_nothing_and_says_why(tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, dashboard_address=":0", host="127.0.0.1") as lc:
        odd = start_odd_worker(lc.scheduler_address, tmp_path, tmp_path)
        try:
            res = run_cli("--spec", str(FIXTURES / "three.yaml"), "--build", str(tmp_path / "build"), "render",
                          "--quality", "preview", "--no-site", "--scheduler", lc.scheduler_address)
        finally:
            odd.terminate()
            odd.wait(timeout=30)
    assert res.returncode == 2, res.stderr
    assert "refused the task: ffmpeg is 'ffmpeg version 0.0-other' here" in res.stderr
    assert res.stderr.strip().endswith("error: no worker of the cluster can render for this coordinator (1 refused)")
    assert not (tmp_path / "build" / "media").exists()


@pytest.mark.render
def test_killing_a_worker_mid_render_still_publishes_every_tile(cluster, local_build: Path, tmp_path: Path) -> None:
    """Both workers are drawing a tile when one is killed (SIGKILL: a lost machine); its tile is retried."""
    lc, home = cluster
    build = tmp_path / "build"
    log = (tmp_path / "out.txt").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "render", "--spec", str(FIXTURES / "three.yaml"), "--build",
                             str(build), "render", "--quality", "preview", "--no-site", "--scheduler",
                             lc.scheduler_address], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    with client_of(cluster) as client:
        pids = client.run(os.getpid)
        # a worker is mid-render when its task folder holds a tile's temporary folder
        drawing = home / "diagrams-dask" / "workers"
        deadline = time.monotonic() + 120
        while len(list(drawing.glob("*/task/media/.*"))) < 2:
            assert proc.poll() is None, (tmp_path / "out.txt").read_text()
            assert time.monotonic() < deadline, "the two workers never rendered at the same time"
            time.sleep(0.02)
        busy = {w: keys for w, keys in client.processing().items() if keys}
        victim = sorted(busy)[0]
        os.kill(pids[victim], signal.SIGKILL)
        lost = busy[victim]
    assert proc.wait(timeout=300) == 0, (tmp_path / "out.txt").read_text()
    out = (tmp_path / "out.txt").read_text()
    assert "3 rendered, 0 failed" in out
    assert all(out.count(f"✓ {t}") == 1 for t in ("pipeline", "parabola", "grid")), out
    assert lost and snapshot(build) == snapshot(local_build)
