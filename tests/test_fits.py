"""The fitting algorithms and point generators behind scatter panels: exact, deterministic answers."""

from __future__ import annotations

import numpy as np
import pytest

from spec.vetted import datasets, fits
from spec.vetted.generators import POINT_SETS


def test_generators_are_registered_and_deterministic() -> None:
    for name in ("blobs", "gaussian", "line", "wave", "strip", "uniform"):
        assert name in POINT_SETS
    a = datasets.generate("blobs", {"n": 12, "centers": [[0, 0], [5, 5]], "seed": 3})
    b = datasets.generate("blobs", {"n": 12, "centers": [[0, 0], [5, 5]], "seed": 3})
    assert a.shape == (12, 2)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, datasets.generate("blobs", {"n": 12, "centers": [[0, 0], [5, 5]], "seed": 4}))


def test_least_squares_recovers_an_exact_line() -> None:
    x = np.linspace(0, 9, 10)
    a, b = fits.least_squares(np.column_stack([x, 1.5 + 0.5 * x]))
    assert (a, b) == pytest.approx((1.5, 0.5))


def test_logistic_boundary_sits_between_overlapping_classes() -> None:
    x = np.array([[1.0], [2.0], [3.0], [4.5], [4.0], [5.5], [6.0], [7.0]])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1.0])
    w, b = fits.logistic(x, y)
    assert w[0] > 0
    assert 3.5 < -b / w[0] < 5.5


def test_hard_margin_svm_finds_the_widest_margin() -> None:
    # classes on either side of x + y = 10, nearest points at x + y = 7 and 13: margin 6 / sqrt(2)
    neg = [(2, 2), (3, 4), (1, 5), (4, 2)]
    pos = [(6, 7), (8, 5), (7, 9), (9, 8)]
    x = np.array(neg + pos, dtype=float)
    y = np.array([-1.0] * 4 + [1.0] * 4)
    m = fits.svm(x, y)
    assert m.margin == pytest.approx(6 / np.sqrt(2), rel=1e-4)
    assert sorted(m.support) == [1, 4, 5]
    assert np.all(y * (x @ m.w + m.b) >= 1 - 1e-6)


def test_pca_orders_axes_by_variance() -> None:
    x = datasets.generate("gaussian", {"n": 200, "mean": [0, 0], "cov": [[4, 0], [0, 1]], "seed": 0})
    p = fits.pca(x)
    assert p.values[0] > p.values[1]
    assert abs(p.vectors[0, 0]) > 0.95  # the first axis is (close to) x
    assert p.ratio.sum() == pytest.approx(1.0)


def test_kmeans_converges_and_never_increases_the_objective() -> None:
    x = datasets.generate("blobs", {"n": 45, "centers": [[2.5, 7.5], [7.5, 7.0], [5, 2.5]], "spread": 0.9, "seed": 2})
    rounds = fits.kmeans(x, np.array([[1.0, 9.0], [3.5, 9.5], [9.0, 1.0]]), 5)
    costs = [fits.inertia(x, labels, cents) for labels, cents in rounds]
    assert all(b <= a + 1e-9 for a, b in zip(costs, costs[1:], strict=False))
    assert np.array_equal(rounds[-1][1], rounds[-2][1])  # converged: the centroids stopped moving


def test_boosting_lowers_the_training_error_every_round() -> None:
    pts = datasets.generate("wave", {"n": 24, "a": 2, "c": 3, "noise": 0.35, "x_range": [0.2, 6.2], "seed": 4})
    model = fits.boost(pts, rounds=4, lr=0.6, depth=2)
    mse = [float(((pts[:, 1] - model.predict(pts[:, 0], m)) ** 2).mean()) for m in range(5)]
    assert mse[0] == pytest.approx(float(pts[:, 1].var()))  # F0 is the mean
    assert all(b < a for a, b in zip(mse, mse[1:], strict=False))


def test_nearest_neighbours_in_order() -> None:
    x = np.array([[0.0, 0.0], [3.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    assert fits.nearest(x, np.array([0.0, 0.0]), 3) == [0, 2, 3]


def test_perceptron_stops_once_the_classes_are_separated() -> None:
    neg = [(-3.0, -1.0), (-1.5, -2.5), (-2.5, 1.0), (-0.5, -3.5), (-3.5, -3.0), (-1.0, -0.5)]
    pos = [(1.5, 2.5), (3.0, 0.5), (0.5, 3.5), (3.5, 3.0), (2.0, -1.5), (1.0, 1.0)]
    x = np.array(neg + pos)
    y = np.array([-1.0] * 6 + [1.0] * 6)
    updates = fits.perceptron(x, y, (-1.0, 2.0, 0.0), 0.5, 10)
    assert [i for _, _, i in updates] == [0, 2, 10]
    w, b, _ = updates[-1]
    assert np.all(y * (x @ w + b) > 0)
