"""projected_variance, line_projection, polar_point: checked against values worked out by hand with math."""

import math

import numpy as np

from spec.vetted.functions import FUNCTIONS, evaluate

S = {"sxx": 3.0, "sxy": 1.0, "syy": 2.0}


def test_registered():
    for name in ("projected_variance", "line_projection", "polar_point"):
        assert name in FUNCTIONS


def test_projected_variance_by_hand():
    # along x: sxx; along y: syy; at 45 degrees: (sxx + 2 sxy + syy) / 2 = (3 + 2 + 2) / 2 = 3.5
    assert abs(float(evaluate("projected_variance", S, 0.0)) - 3.0) < 1e-12
    assert abs(float(evaluate("projected_variance", S, 90.0)) - 2.0) < 1e-12
    assert abs(float(evaluate("projected_variance", S, 45.0)) - 3.5) < 1e-12


def test_projected_variance_extremes_are_the_eigenvalues():
    # [[3, 1], [1, 2]]: eigenvalues (5 +- sqrt(5)) / 2, worked out from the characteristic polynomial
    lam1, lam2 = (5 + math.sqrt(5)) / 2, (5 - math.sqrt(5)) / 2
    th = np.linspace(0.0, 180.0, 180001)
    v = evaluate("projected_variance", S, th)
    assert abs(v.max() - lam1) < 1e-8 and abs(v.min() - lam2) < 1e-8
    # PC1 at 0.5 atan2(2 sxy, sxx - syy) = 0.5 atan(2) = 31.717 degrees; PC2 90 degrees later
    assert abs(th[v.argmax()] - math.degrees(0.5 * math.atan(2.0))) < 1e-3
    assert abs(th[v.argmin()] - th[v.argmax()] - 90.0) < 1e-3


def test_line_projection_by_hand():
    p = {"px": 3.0, "py": 1.0, "mx": 1.0, "my": 1.0}
    # onto the horizontal line through (1, 1): (3, 1) itself; onto the vertical one: (1, 1)
    assert abs(float(evaluate("line_projection", p | {"axis": 0}, 0.0)) - 3.0) < 1e-12
    assert abs(float(evaluate("line_projection", p | {"axis": 1}, 90.0)) - 1.0) < 1e-12
    assert abs(float(evaluate("line_projection", p | {"axis": 0}, 90.0)) - 1.0) < 1e-12
    # at 45 degrees: p - m = (2, 0), (p - m) . u = sqrt(2), foot = m + (1, 1) = (2, 2)
    assert abs(float(evaluate("line_projection", p | {"axis": 0}, 45.0)) - 2.0) < 1e-12
    assert abs(float(evaluate("line_projection", p | {"axis": 1}, 45.0)) - 2.0) < 1e-12


def test_polar_point_by_hand():
    assert abs(float(evaluate("polar_point", {"mx": 1, "my": 2, "r": 2, "axis": 0}, 60.0)) - 2.0) < 1e-12
    assert abs(float(evaluate("polar_point", {"mx": 1, "my": 2, "r": 2, "axis": 1}, 60.0)) - (2 + math.sqrt(3))) < 1e-12
    assert abs(float(evaluate("polar_point", {"mx": 1, "my": 2, "r": -2, "axis": 0}, 0.0)) - (-1.0)) < 1e-12
