"""softmax_share: softmax with temperature, checked against values worked out by hand with math.exp."""

import math

import numpy as np

from spec.vetted.functions import FUNCTIONS, evaluate

Z = [2.0, 0.9, 0.4, -0.5, -1.0]


def by_hand(t: float, j: int) -> float:
    e = [math.exp(z / t) for z in Z]
    return e[j] / sum(e)


def test_softmax_share_matches_hand_values():
    assert "softmax_share" in FUNCTIONS
    for t in (0.3, 0.5, 1.0, 1.5):
        for j in range(5):
            assert abs(float(evaluate("softmax_share", {"z": Z, "j": j}, t)) - by_hand(t, j)) < 1e-12


def test_softmax_share_known_numbers():
    # T = 1: e^2 = 7.389, e^0.9 = 2.460, e^0.4 = 1.492, e^-0.5 = 0.607, e^-1 = 0.368; sum 12.316
    assert round(float(evaluate("softmax_share", {"z": Z, "j": 0}, 1.0)), 3) == 0.600
    assert round(float(evaluate("softmax_share", {"z": Z, "j": 2}, 1.0)), 3) == 0.121
    # T = 0.3 sharpens toward the top token; T = 1.5 flattens
    assert round(float(evaluate("softmax_share", {"z": Z, "j": 0}, 0.3)), 2) == 0.97
    assert round(float(evaluate("softmax_share", {"z": Z, "j": 0}, 1.5)), 3) == 0.465


def test_softmax_share_sums_to_one_on_arrays():
    ts = np.linspace(0.2, 2.0, 7)
    total = sum(evaluate("softmax_share", {"z": Z, "j": j}, ts) for j in range(5))
    assert np.allclose(total, 1.0)


def ddpm_by_hand(t: int) -> float:
    ab = 1.0
    for s in range(t):
        ab *= 1.0 - (1e-4 + (0.02 - 1e-4) * s / 999)
    return ab


def test_ddpm_coef_matches_product_by_hand():
    for t in (0, 1, 100, 300, 1000):
        ab = ddpm_by_hand(t)
        assert abs(float(evaluate("ddpm_coef", {"part": 0}, t)) - math.sqrt(ab)) < 1e-9
        assert abs(float(evaluate("ddpm_coef", {"part": 1}, t)) - math.sqrt(1 - ab)) < 1e-9
    # the tile's numbers: alpha_bar_100 = 0.90, alpha_bar_300 = 0.40 (Ho et al. 2020 linear schedule)
    assert round(float(evaluate("ddpm_coef", {}, 100.0)) ** 2, 2) == 0.90
    assert round(float(evaluate("ddpm_coef", {}, 300.0)) ** 2, 2) == 0.40
