"""The vetted functions added for layer 7 (piecewise_linear, psi_shift), against values computed by hand."""

import math
from statistics import NormalDist

import numpy as np
import pytest

from spec.vetted.functions import evaluate


def test_piecewise_linear_interpolates_and_steps():
    p = {"xs": [0, 1, 1, 3], "ys": [0, 0, 10, 30]}
    ys = evaluate("piecewise_linear", p, [-1, 0.5, 1, 2, 3, 5])
    # flat before the first point, 0 up to x = 1, the jump to 10 at x = 1, then 10 + 10 (x - 1), flat after
    assert np.allclose(ys, [0, 0, 10, 20, 30, 30])


def _psi_by_hand(shift: float, sigma: float, k: int) -> float:
    std = NormalDist()
    live = NormalDist(shift, sigma)
    cuts = [-math.inf] + [std.inv_cdf(i / k) for i in range(1, k)] + [math.inf]
    total = 0.0
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        a = (1.0 if hi == math.inf else live.cdf(hi)) - (0.0 if lo == -math.inf else live.cdf(lo))
        e = 1 / k
        total += (a - e) * math.log(a / e)
    return total


def test_psi_shift_two_bins_closed_form():
    # two bins split at the training median 0: e = (1/2, 1/2), a = (Phi(-x), 1 - Phi(-x))
    x = 0.5
    a1 = 0.5 * (1 + math.erf(-x / math.sqrt(2)))
    a2 = 1 - a1
    want = (a1 - 0.5) * math.log(a1 / 0.5) + (a2 - 0.5) * math.log(a2 / 0.5)
    assert float(evaluate("psi_shift", {"bins": 2}, x)) == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize("shift", [0.0, 0.3, 0.55, 0.8])
def test_psi_shift_deciles(shift):
    assert float(evaluate("psi_shift", {}, shift)) == pytest.approx(_psi_by_hand(shift, 1.0, 10), rel=1e-7, abs=1e-12)


def test_psi_shift_values_used_in_the_tiles():
    # ai-evals-observability: a 0.3 sd shift stays under 0.1, a 0.55 sd shift passes 0.25
    assert round(float(evaluate("psi_shift", {}, 0.3)), 3) == 0.086
    assert round(float(evaluate("psi_shift", {}, 0.55)), 3) == 0.287
    # vectorised over x
    assert evaluate("psi_shift", {}, [0.3, 0.55]).shape == (2,)


def test_absmax_quant_by_hand():
    # 4 bits: s = 1/7, 0.62 / s = 4.34 -> 4 -> 4/7; 2 bits: s = 1, 0.62 -> 1, 0.41 -> 0
    assert float(evaluate("absmax_quant", {"w": 0.62, "wmax": 1.0}, 4)) == pytest.approx(4 / 7)
    assert float(evaluate("absmax_quant", {"w": 0.62, "wmax": 1.0}, 2)) == pytest.approx(1.0)
    assert float(evaluate("absmax_quant", {"w": 0.41, "wmax": 1.0}, 2)) == pytest.approx(0.0)
    # 8 bits: s = 1/127, the error is at most s / 2
    assert abs(float(evaluate("absmax_quant", {"w": -0.27, "wmax": 1.0}, 8)) + 0.27) <= 0.5 / 127
    # the group's largest weight is always exact
    for b in (2, 3, 4, 8):
        assert float(evaluate("absmax_quant", {"w": -1.0, "wmax": 1.0}, b)) == pytest.approx(-1.0)
