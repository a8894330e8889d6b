"""The gallery's HTTP server: byte ranges (so videos seek), gzip for text, types, loopback only."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from render.serve import make_server, parse_range
from tests.conftest import ROOT, run_cli

DATA = bytes(range(256)) * 4  # 1024 bytes
PAGE = "<!doctype html><title>page</title>" + "<p>A paragraph of the gallery, said again.</p>\n" * 400


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 1023)),
        ("bytes=-24", (1000, 1023)),
        ("bytes=-5000", (0, 1023)),
        ("bytes=1000-5000", (1000, 1023)),
        ("bytes=5-4", None),  # not a valid range: ignored, the whole file is sent
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_parse_range(header: str, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, len(DATA)) == expected


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=2000-3000", "bytes=-0"])
def test_unsatisfiable_ranges_raise(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header, len(DATA))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "video.mp4").write_bytes(DATA)
    (tmp_path / "captions.vtt").write_text("WEBVTT\n")
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "app.js").write_text("var x = 1;\n" * 200)
    httpd = make_server(tmp_path, port=0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[0], httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def get(server: tuple[str, int], path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(*server, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()


def test_listens_on_loopback_only(server: tuple[str, int]) -> None:
    assert server[0] == "127.0.0.1"


def test_whole_file_says_it_accepts_ranges(server: tuple[str, int]) -> None:
    status, headers, body = get(server, "/media/video.mp4")
    assert status == 200 and body == DATA
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-type"] == "video/mp4"
    assert headers["content-length"] == "1024"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=10-19", 10, 19), ("bytes=1000-", 1000, 1023), ("bytes=-4", 1020, 1023), ("bytes=0-0", 0, 0)],
)
def test_a_range_is_answered_with_206(server: tuple[str, int], header: str, first: int, last: int) -> None:
    status, headers, body = get(server, "/media/video.mp4", Range=header)
    assert status == 206
    assert body == DATA[first : last + 1]
    assert headers["content-range"] == f"bytes {first}-{last}/1024"
    assert headers["content-length"] == str(last - first + 1)
    assert headers["content-type"] == "video/mp4"


def test_a_range_past_the_end_is_416(server: tuple[str, int]) -> None:
    status, headers, body = get(server, "/media/video.mp4", Range="bytes=5000-")
    assert status == 416
    assert headers["content-range"] == "bytes */1024"
    assert body == b""


def test_several_ranges_get_the_whole_file(server: tuple[str, int]) -> None:
    status, _, body = get(server, "/media/video.mp4", Range="bytes=0-1,5-6")
    assert status == 200 and body == DATA


def test_if_range_with_a_stale_date_gets_the_whole_file(server: tuple[str, int]) -> None:
    status, _, body = get(
        server, "/media/video.mp4", Range="bytes=0-9", **{"If-Range": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    assert status == 200 and body == DATA
    _, headers, _ = get(server, "/media/video.mp4")
    status, _, body = get(server, "/media/video.mp4", Range="bytes=0-9", **{"If-Range": headers["last-modified"]})
    assert status == 206 and body == DATA[:10]


def test_head_with_a_range_sends_headers_only(server: tuple[str, int]) -> None:
    status, headers, body = get(server, "/media/video.mp4", method="HEAD", Range="bytes=0-9")
    assert status == 206 and body == b""
    assert headers["content-length"] == "10"


def test_types_and_missing_files(server: tuple[str, int]) -> None:
    assert get(server, "/captions.vtt")[1]["content-type"].startswith("text/vtt")
    assert get(server, "/")[1]["content-type"].startswith("text/html")
    assert get(server, "/nope.mp4", Range="bytes=0-1")[0] == 404


def test_serve_without_a_built_site_is_a_clear_error(tmp_path: Path) -> None:
    res = run_cli("--build", str(tmp_path / "build"), "serve", "--port", "0")
    assert res.returncode == 2
    assert "no gallery in" in res.stderr and "python -m render site" in res.stderr
    assert "Traceback" not in res.stderr


def test_the_serve_command_serves_a_folder_until_interrupted(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>gallery</title>")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "render", "serve", "--dir", str(tmp_path), "--port", "0"]
    # A shell starts background jobs with SIGINT ignored, and a Python started so never raises
    # KeyboardInterrupt: give the server the default disposition, as a terminal would.
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
        assert m, line
        status, headers, body = get((m.group(1), int(m.group(2))), "/index.html", Range="bytes=0-8")
        assert (status, body) == (206, b"<!doctype")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_text_goes_gzip_compressed_to_a_client_that_asks(server: tuple[str, int]) -> None:
    status, headers, body = get(server, "/page.html", **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert headers["content-type"].startswith("text/html")
    assert headers["content-length"] == str(len(body)) and len(body) < len(PAGE) / 10
    assert gzip.decompress(body).decode() == PAGE
    assert "accept-ranges" not in headers  # ranges are of the plain file, not of this body
    _, headers, body = get(server, "/app.js", **{"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == b"var x = 1;\n" * 200
    # the folder's index too, and HEAD sends the same headers without a body
    status, headers, body = get(server, "/", method="HEAD", **{"Accept-Encoding": "gzip"})
    assert status == 200 and body == b"" and "content-encoding" not in headers  # 30 bytes: not worth it
    status, headers, body = get(server, "/page.html", method="HEAD", **{"Accept-Encoding": "gzip"})
    assert status == 200 and body == b"" and headers["content-encoding"] == "gzip"


def test_no_gzip_unless_asked_and_never_for_video(server: tuple[str, int]) -> None:
    for accept in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"}):
        status, headers, body = get(server, "/page.html", **accept)
        assert status == 200 and body == PAGE.encode() and "content-encoding" not in headers, accept
        assert headers["accept-ranges"] == "bytes"
    status, headers, body = get(server, "/media/video.mp4", **{"Accept-Encoding": "gzip"})
    assert status == 200 and body == DATA and "content-encoding" not in headers
    assert headers["accept-ranges"] == "bytes"


def test_ranges_still_work_for_a_client_that_accepts_gzip(server: tuple[str, int]) -> None:
    status, headers, body = get(server, "/media/video.mp4", Range="bytes=10-19", **{"Accept-Encoding": "gzip"})
    assert status == 206 and body == DATA[10:20] and "content-encoding" not in headers
    assert headers["content-range"] == "bytes 10-19/1024"
    status, headers, body = get(server, "/page.html", Range="bytes=0-8", **{"Accept-Encoding": "gzip"})
    assert (status, body) == (206, b"<!doctype") and "content-encoding" not in headers


def test_a_current_copy_gets_304(server: tuple[str, int]) -> None:
    _, headers, _ = get(server, "/page.html", **{"Accept-Encoding": "gzip"})
    status, _, body = get(server, "/page.html", **{"Accept-Encoding": "gzip", "If-Modified-Since": headers["last-modified"]})
    assert (status, body) == (304, b"")
    status, _, body = get(server, "/page.html", **{"Accept-Encoding": "gzip",
                                                   "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert status == 200 and gzip.decompress(body).decode() == PAGE
