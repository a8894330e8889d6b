"""Writing files safely and hashing them: the one copy of each mechanism the stages share."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


@functools.cache
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside path; when the block ends without error, rename it onto path atomically.

    The file gets the usual permissions (mkstemp makes it 0600, but pages and downloads are served).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file through a temp file in the same folder and an atomic rename."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_copy(src: Path, target: Path, link: bool = False) -> None:
    """Put src's bytes at target atomically: a hard link when link is set and the filesystem allows, else a copy."""
    with atomic_path(target) as tmp:
        if link:
            tmp.unlink()
            try:
                os.link(src, tmp)
                return
            except OSError:
                pass
        shutil.copyfile(src, tmp)


def digest_files(paths: Iterable[Path], root: Path | None = None, length: int = 10) -> str:
    """A short hash of files' bytes (and of their paths relative to root, when given), for asset URLs and stamps."""
    h = hashlib.sha256()
    for p in paths:
        if root is not None:
            h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:length]


@functools.cache
def font_path(pattern: str) -> str | None:
    """The font file fontconfig picks for a pattern ("DejaVu Sans", "Inter:weight=80"), or None when fc-match is
    missing or finds nothing."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        res = subprocess.run([exe, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    path = res.stdout.strip()
    return path if res.returncode == 0 and path and Path(path).is_file() else None
