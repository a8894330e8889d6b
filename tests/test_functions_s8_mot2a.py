"""The vetted functions added for the motion of layer 2 (logistic_loss), against values computed by hand."""

import math

import numpy as np
import pytest

from spec.vetted.functions import evaluate


def _log_loss_by_hand(w: float, xs: list[float], ys: list[int], x0: float) -> float:
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        p = 1 / (1 + math.exp(-w * (x - x0)))
        total += -(y * math.log(p) + (1 - y) * math.log(1 - p))
    return total / len(xs)


def test_logistic_loss_is_ln2_at_zero_weight():
    assert float(evaluate("logistic_loss", {"xs": [1, 2, 3], "ys": [0, 1, 1], "x0": 2}, 0.0)) == pytest.approx(math.log(2))


def test_logistic_loss_two_points_closed_form():
    # one point each side of x0 = 0 at distance 1, both right: each costs log(1 + e^-w)
    p = {"xs": [-1, 1], "ys": [0, 1], "x0": 0}
    assert float(evaluate("logistic_loss", p, 2.0)) == pytest.approx(math.log(1 + math.exp(-2)))
    # separable: it keeps falling as w grows
    ys = evaluate("logistic_loss", p, [0.5, 1, 2, 4, 8, 50])
    assert np.all(np.diff(ys) < 0) and ys[-1] < 1e-20


@pytest.mark.parametrize("w", [0.3, 1.0, 1.63, 4.5])
def test_logistic_loss_matches_the_definition(w):
    xs = [2.57, 4.28, 5.94, 1.41, 4.74, 4.43, 7.3, 8.17]
    ys = [0, 0, 0, 0, 1, 1, 1, 1]
    got = float(evaluate("logistic_loss", {"xs": xs, "ys": ys, "x0": 4.99}, w))
    assert got == pytest.approx(_log_loss_by_hand(w, xs, ys, 4.99), rel=1e-12)


def test_logistic_loss_large_weight_does_not_overflow():
    # a wrong point at distance 1 from x0 costs about w when w is large
    assert float(evaluate("logistic_loss", {"xs": [1.0], "ys": [0], "x0": 0}, 1000.0)) == pytest.approx(1000.0)
