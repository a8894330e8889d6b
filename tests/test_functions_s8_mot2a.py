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


def test_split_gini_by_hand():
    p = {"xs": [1, 2, 3, 4], "ys": [0, 0, 1, 1]}
    # a clean split, then {0} | {0, 1, 1}: 3/4 (1 - 1/9 - 4/9) = 1/3, then everything on one side: the parent 1/2
    assert float(evaluate("split_gini", p, 2.5)) == pytest.approx(0.0)
    assert float(evaluate("split_gini", p, 1.5)) == pytest.approx(1 / 3)
    assert float(evaluate("split_gini", p, 0.0)) == pytest.approx(0.5)
    assert float(evaluate("split_gini", p, 9.0)) == pytest.approx(0.5)
    # a sample at the threshold goes left (x <= t)
    assert float(evaluate("split_gini", p, 2.0)) == pytest.approx(0.0)


def test_split_gini_three_classes():
    # {0, 1} | {2, 2}: 2/4 (1 - 1/4 - 1/4) + 0 = 1/4
    assert float(evaluate("split_gini", {"xs": [1, 2, 3, 4], "ys": [0, 1, 2, 2]}, 2.5)) == pytest.approx(0.25)


def test_split_gini_decision_trees_root():
    # the decision-trees tile's x1 values: left of 5.0 holds 9 A and 2 B, right 1 A and 8 B
    a = [1.0, 2.2, 3.4, 1.5, 4.1, 2.9, 0.8, 3.8, 4.4, 6.6]
    b = [1.3, 2.6, 6.0, 7.2, 8.8, 6.1, 9.1, 7.9, 5.6, 8.6]
    p = {"xs": a + b, "ys": [0] * 10 + [1] * 10}
    want = 11 / 20 * (1 - (9 / 11) ** 2 - (2 / 11) ** 2) + 9 / 20 * (1 - (1 / 9) ** 2 - (8 / 9) ** 2)
    assert float(evaluate("split_gini", p, 5.0)) == pytest.approx(want)
    assert round(want, 4) == 0.2525
    ys = evaluate("split_gini", p, np.linspace(0, 10, 1001))
    assert ys.min() == pytest.approx(want)
