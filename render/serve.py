"""Serve build/site over HTTP on the loopback address, with byte ranges so videos can seek, and gzip for text.

Python's http.server answers every GET with the whole file; browsers need
`206 Partial Content` answers to `Range: bytes=...` requests to seek in a video
(and Chromium refuses to seek at all without them). Pages, stylesheets, scripts,
captions and SVG go gzip-compressed to a client that accepts it (a tenth to a third
of the bytes); a request with a Range gets the plain bytes it asks for.
"""

from __future__ import annotations

import datetime
import email.utils
import gzip
import io
import logging
import mimetypes
import os
import re
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024
TYPES = {
    ".vtt": "text/vtt; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".mp4": "video/mp4",
    ".gif": "image/gif",
    ".png": "image/png",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
# What is worth compressing: text. Images and video are compressed already.
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")
GZIP_MIN = 512  # bytes: smaller files go as they are
CACHE_BYTES = 32 * 1024 * 1024  # compressed bodies kept in memory, by path, size and modification time


class GzipCache:
    """Compressed file bodies, least recently used dropped first; one compression per file version."""

    def __init__(self, limit: int = CACHE_BYTES):
        self.limit = limit
        self.items: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, path: str, st: os.stat_result, read: Any) -> bytes:
        key = (path, st.st_size, st.st_mtime_ns)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        body = gzip.compress(read(), compresslevel=6, mtime=0)
        with self.lock:
            self.items[key] = body
            self.size += len(body)
            while self.size > self.limit and len(self.items) > 1:
                _, old = self.items.popitem(last=False)
                self.size -= len(old)
        return body


GZIP_CACHE = GzipCache()


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (a q=0 refuses it)."""
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """Return the (first, last) byte positions of a single-range header, inclusive.

    Returns None when the header is not a single byte range we can serve whole-file
    instead (RFC 9110 lets a server ignore Range); raises ValueError when the range is
    well formed but cannot be satisfied (a 416 answer).
    """
    m = RANGE_RE.match(header.strip())
    if not m:
        return None
    first, last = m.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise ValueError("range starts past the end")
    return start, min(end, size - 1)


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """A static file handler that answers single byte-range requests with 206."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}
    _range: tuple[int, int] | None = None
    _gzip = False

    def send_head(self) -> IO[bytes] | None:  # type: ignore[override]
        self._range = None
        self._gzip = False
        header = self.headers.get("Range")
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            index = os.path.join(path, "index.html")
            if os.path.isfile(index):
                path = index
        if header is None and os.path.isfile(path) and self._compressible(path):
            return self._send_gzip(path)
        if header is None or os.path.isdir(path) or not os.path.isfile(path):
            return super().send_head()
        try:
            f = open(path, "rb")  # noqa: SIM115 - returned to the base class, which closes it
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            st = os.fstat(f.fileno())
            size = st.st_size
            if not self._if_range_ok(st.st_mtime):
                f.close()
                return super().send_head()
            try:
                rng = parse_range(header, size)
            except ValueError:
                f.close()
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if rng is None:
                f.close()
                return super().send_head()
            start, end = rng
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Last-Modified", self.date_time_string(int(st.st_mtime)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            f.seek(start)
            self._range = rng
            return f
        except BaseException:
            f.close()
            raise

    def _compressible(self, path: str) -> bool:
        return accepts_gzip(self.headers.get("Accept-Encoding")) and self.guess_type(path).startswith(COMPRESSIBLE)

    def _send_gzip(self, path: str) -> IO[bytes] | None:
        """A whole text file, gzip-compressed (or as it is when small); a 304 when the client's copy is current."""
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        with f:
            st = os.fstat(f.fileno())
            if self._not_modified(st.st_mtime):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("Vary", "Accept-Encoding")
                self.end_headers()
                return None
            if st.st_size < GZIP_MIN:
                body = f.read()
            else:
                body = GZIP_CACHE.get(path, st, f.read)
                self._gzip = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        if self._gzip:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(st.st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def _not_modified(self, mtime: float) -> bool:
        """An If-Modified-Since at or after the file's time (and no If-None-Match), as the base class decides."""
        value = self.headers.get("If-Modified-Since")
        if value is None or "If-None-Match" in self.headers:
            return False
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return False
        if when is None:
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        return int(mtime) <= int(when.timestamp())

    def _if_range_ok(self, mtime: float) -> bool:
        """An If-Range with a date still matching the file keeps the range; anything else drops it."""
        value = self.headers.get("If-Range")
        if value is None:
            return True
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return False
        return when is not None and int(when.timestamp()) == int(mtime)

    def end_headers(self) -> None:
        if self._range is None and not self._gzip and self.command in ("GET", "HEAD"):
            self.send_header("Accept-Ranges", "bytes")  # ranges are of the plain bytes, not of a compressed body
        # Pages and media change on every build: let the browser revalidate instead of guessing.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        if self._range is None:
            shutil.copyfileobj(source, outputfile, CHUNK)
            return
        remaining = self._range[1] - self._range[0] + 1
        while remaining > 0:
            chunk = source.read(min(CHUNK, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.info("%s %s", self.address_string(), format % args)


class QuietServer(ThreadingHTTPServer):
    """A threading server that does not print a traceback when a browser drops a connection.

    Browsers cancel video requests all the time (a seek, a closed dialog).
    """

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> QuietServer:
    """Create (but do not start) a server for directory; port 0 picks a free port."""
    mimetypes.init()
    handler = partial(RangeRequestHandler, directory=str(directory))
    return QuietServer((host, port), handler)


def serve(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve directory until interrupted."""
    with make_server(directory, host, port) as httpd:
        h, p = httpd.server_address[:2]
        print(f"serving {directory} at http://{h}:{p}/  (Ctrl-C stops)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            print("stopped", flush=True)


@contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve site with render.serve (what `make serve` runs) on a free loopback port; yield its base URL."""
    httpd = make_server(site, port=0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
