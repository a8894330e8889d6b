"""Bad input, careless or hostile, costs a clear message: file:line where there is one, a non-zero exit, no traceback.

Each case runs `python -m render validate` as a user would. The time each takes is measured by hand and written
in the README (tests assert behaviour, not speed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spec.load import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_NODES
from tests.conftest import ROOT, run_cli

REAL = (ROOT / "diagrams.yaml").read_bytes()
BAD_LINE = REAL[: REAL.index(b"Gradient Descent")].count(b"\n") + 1  # where the test puts a bad byte
# A billion laughs: nine levels of nine aliases, a few hundred bytes that would expand to 9^9 values.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def validate(path: Path) -> tuple[int, str]:
    res = run_cli("--spec", str(path), "validate", timeout=60)
    assert "Traceback" not in res.stderr + res.stdout, res.stderr
    return res.returncode, res.stderr


def write(tmp_path: Path, data: bytes, name: str = "diagrams.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(bytes(range(256)) * 4, "diagrams.yaml:2: (encoding): byte 0x80 at column 118 is not UTF-8; "
                     "save the file as UTF-8", id="binary-garbage"),
        pytest.param(REAL.replace(b"Gradient Descent", b"Gradient \xff Descent", 1),
                     f"diagrams.yaml:{BAD_LINE}: (encoding): byte 0xFF at column 26 is not UTF-8", id="one-bad-byte"),
        pytest.param(BOMB.encode(), f"diagrams.yaml:7: (yaml): more than {MAX_NODES:,} values once aliases (*name) "
                     "are expanded; write the repeated parts out", id="alias-bomb"),
        pytest.param(("a: [" + "*x, " * (MAX_ALIASES + 1) + "]\n").replace("a: [", "x: &x 1\na: [").encode(),
                     f"(yaml): more than {MAX_ALIASES} aliases (*name)", id="many-aliases"),
        pytest.param(("a: " + "[" * 20000 + "]" * 20000 + "\n").encode(),
                     f"diagrams.yaml:1: (yaml): nested more than {MAX_DEPTH} levels deep", id="deep-nesting"),
    ],
)
def test_bad_input_is_one_clear_message(tmp_path: Path, data: bytes, expected: str) -> None:
    code, err = validate(write(tmp_path, data))
    assert code == 1
    assert expected in err


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = write(tmp_path, b"# padding\n" * (MAX_BYTES // 10 + 1))
    code, err = validate(big)
    assert code == 1 and f"{big}: is 8.4 MB; a spec may be at most 8 MB" in err


def test_a_directory_or_a_missing_file_as_spec(tmp_path: Path) -> None:
    code, err = validate(tmp_path)
    assert code == 1 and f"{tmp_path}: is a directory; give the spec file (diagrams.yaml)" in err
    code, err = validate(tmp_path / "missing.yaml")
    assert code == 1 and f"{tmp_path / 'missing.yaml'}: cannot read: No such file or directory" in err


def test_a_byte_order_mark_is_valid(tmp_path: Path) -> None:
    code, err = validate(write(tmp_path, b"\xef\xbb\xbf" + REAL))
    assert code == 0, err
