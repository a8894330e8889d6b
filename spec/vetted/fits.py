"""Small, exact fitting algorithms for scatter panels: the picture shows what the method really computes.

Pure NumPy (and SciPy's SLSQP for the SVM), deterministic, no I/O. Each function takes points
as arrays and returns plain numbers, so the scene only draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FitMethod:
    """What a scatter fit method is to the spec: the parts it draws, how many groups it takes, whether it iterates."""

    name: str
    doc: str
    parts: tuple[str, ...] = ()  # element ids it adds besides its own: `<id>-<part>`
    groups: int | None = None  # how many point groups it is fitted to (None: any number)
    staged: bool = False  # `iterate` steps it, one stage at a time


# The one registry of fit methods: the spec's `method` values, element ids and checks, the author's guide
# and the drawing code (scenes/kinds/scatter.py registers one builder per name) all derive from it.
FIT_METHODS: dict[str, FitMethod] = {m.name: m for m in (
    FitMethod("line", "least-squares line of one group; `<id>-residuals` the vertical residuals", ("residuals",), 1),
    FitMethod("logistic", "the p = 0.5 boundary between two groups (class 0 first)", (), 2),
    FitMethod("logistic-curve", "the fitted sigmoid p(x) of 1-D classes at y = 0 and 1; `<id>-threshold` marks "
              "p = 0.5", ("threshold",), 2),
    FitMethod("svm", "the maximum-margin boundary between two groups; `<id>-margin` opens out to the support "
              "vectors, `<id>-support` rings them", ("margin", "support"), 2),
    FitMethod("pca", "the mean, `<id>-pc1` and `<id>-pc2` arrows of two standard deviations, `<id>-proj` the "
              "PC1 line and each point's projection", ("pc1", "pc2", "proj")),
    FitMethod("kmeans", "centroids from `init`, one round (recolour, move) per `iterate`", staged=True),
    FitMethod("boost", "gradient-boosted trees of `depth` with learning rate `lr` on one group: F0, then one tree "
              "per `iterate`; `<id>-residuals`", ("residuals",), 1, staged=True),
    FitMethod("knn", "the `k` points nearest to `query`, ringed in `<id>-neighbors`", ("neighbors",)),
    FitMethod("perceptron", "the boundary w.x + b = 0 from `init: [w1, w2, b]`, one update per `iterate`", (), 2,
              staged=True),
    FitMethod("poly", "least-squares polynomial of `degree` (ridge penalty `lam`) through one group; "
              "`<id>-resamples` the same fit on `resamples` bootstrap resamples", ("resamples",), 1),
    FitMethod("knn-regions", "the k-NN decision regions of two or more groups with `k` neighbours, shaded by the "
              "winning class", (), None),
)}


def least_squares(pts: np.ndarray) -> tuple[float, float]:
    """Ordinary least squares y = a + b x; return (a, b)."""
    x, y = pts[:, 0], pts[:, 1]
    design = np.column_stack([np.ones_like(x), x])
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(a), float(b)


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, iters: int = 60) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method (IRLS) with a tiny L2 penalty; x is (n, d), y in {0, 1}."""
    n, d = x.shape
    design = np.column_stack([x, np.ones(n)])
    theta = np.zeros(d + 1)
    reg = np.eye(d + 1) * l2
    reg[-1, -1] = 0.0  # the bias is not penalised
    for _ in range(iters):
        p = 1 / (1 + np.exp(-design @ theta))
        grad = design.T @ (p - y) + reg @ theta
        hess = design.T @ (design * (p * (1 - p))[:, None]) + reg
        step = np.linalg.solve(hess + 1e-9 * np.eye(d + 1), grad)
        theta = theta - step
        if np.abs(step).max() < 1e-10:
            break
    return theta[:-1], float(theta[-1])


@dataclass(frozen=True)
class SVMFit:
    w: np.ndarray
    b: float
    support: list[int]  # indices of the support vectors

    @property
    def margin(self) -> float:
        """Width of the margin, 2 / ||w||."""
        return float(2 / np.linalg.norm(self.w))


def svm(x: np.ndarray, y: np.ndarray, c: float | None = None) -> SVMFit:
    """Linear SVM (hard margin, or soft with penalty c) from its primal; y in {-1, +1}."""
    from scipy.optimize import minimize

    n, d = x.shape
    soft = c is not None
    k = d + 1 + (n if soft else 0)

    def objective(v: np.ndarray) -> float:
        return 0.5 * float(v[:d] @ v[:d]) + (float(c) * float(v[d + 1 :].sum()) if soft else 0.0)

    def margins(v: np.ndarray) -> np.ndarray:
        slack = v[d + 1 :] if soft else 0.0
        return y * (x @ v[:d] + v[d]) - 1 + slack

    cons = [{"type": "ineq", "fun": margins}]
    if soft:
        cons.append({"type": "ineq", "fun": lambda v: v[d + 1 :]})
    v0 = np.zeros(k)
    res = minimize(objective, v0, constraints=cons, method="SLSQP", options={"maxiter": 500, "ftol": 1e-12})
    w, b = res.x[:d], float(res.x[d])
    score = y * (x @ w + b)
    support = [int(i) for i in np.flatnonzero(score <= 1 + 1e-3)]
    return SVMFit(w, b, support)


@dataclass(frozen=True)
class PCAFit:
    mean: np.ndarray
    values: np.ndarray  # eigenvalues of the covariance, largest first
    vectors: np.ndarray  # unit eigenvectors as columns, same order

    @property
    def ratio(self) -> np.ndarray:
        """Explained-variance ratio of each component."""
        return self.values / self.values.sum()


def pca(x: np.ndarray) -> PCAFit:
    """Eigen-decomposition of the sample covariance (1/(n-1)); each axis points to +x (or +y)."""
    mean = x.mean(axis=0)
    cov = np.cov((x - mean).T)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    for j in range(vectors.shape[1]):
        v = vectors[:, j]
        lead = v[0] if abs(v[0]) > 1e-9 else v[1]
        if lead < 0:
            vectors[:, j] = -v
    return PCAFit(mean, values, vectors)


def kmeans(x: np.ndarray, init: np.ndarray, rounds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Lloyd's algorithm from given centroids; return (labels, new centroids) for each round.

    A round assigns every point to its nearest centroid, then moves each centroid to the mean
    of its points (an empty cluster keeps its centroid).
    """
    cents = np.asarray(init, dtype=float).copy()
    out = []
    for _ in range(rounds):
        d = ((x[:, None, :] - cents[None, :, :]) ** 2).sum(axis=2)
        labels = d.argmin(axis=1)
        new = cents.copy()
        for j in range(len(cents)):
            if (labels == j).any():
                new[j] = x[labels == j].mean(axis=0)
        out.append((labels, new))
        cents = new
    return out


def inertia(x: np.ndarray, labels: np.ndarray, cents: np.ndarray) -> float:
    """Within-cluster sum of squared distances."""
    return float(((x - cents[labels]) ** 2).sum())


@dataclass(frozen=True)
class Step1D:
    """A piecewise-constant function of x: value[i] on (cuts[i-1], cuts[i]]."""

    cuts: tuple[float, ...]
    values: tuple[float, ...]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.values)[np.searchsorted(np.asarray(self.cuts), x, side="left")]


def regression_tree(x: np.ndarray, r: np.ndarray, depth: int) -> Step1D:
    """A greedy least-squares regression tree on one feature, as a step function."""
    if depth == 0 or len(x) < 2:
        return Step1D((), (float(r.mean()) if len(r) else 0.0,))
    order = np.argsort(x)
    xs, rs = x[order], r[order]
    best = None
    for i in range(1, len(xs)):
        if xs[i] == xs[i - 1]:
            continue
        left, right = rs[:i], rs[i:]
        sse = ((left - left.mean()) ** 2).sum() + ((right - right.mean()) ** 2).sum()
        if best is None or sse < best[0] - 1e-12:
            best = (sse, i)
    if best is None:
        return Step1D((), (float(r.mean()),))
    i = best[1]
    cut = float((xs[i - 1] + xs[i]) / 2)
    lo = regression_tree(xs[:i], rs[:i], depth - 1)
    hi = regression_tree(xs[i:], rs[i:], depth - 1)
    cuts = tuple(c for c in lo.cuts) + (cut,) + tuple(c for c in hi.cuts)
    return Step1D(cuts, lo.values + hi.values)


@dataclass(frozen=True)
class Boosting:
    f0: float
    trees: list[Step1D]
    lr: float

    def predict(self, x: np.ndarray, m: int) -> np.ndarray:
        """F_m(x) = F_0 + lr * (h_1(x) + ... + h_m(x))."""
        out = np.full(np.shape(x), self.f0, dtype=float)
        for tree in self.trees[:m]:
            out = out + self.lr * tree(x)
        return out


def boost(pts: np.ndarray, rounds: int, lr: float, depth: int) -> Boosting:
    """Gradient boosting for squared loss on one feature: each tree fits the current residuals."""
    x, y = pts[:, 0], pts[:, 1]
    f0 = float(y.mean())
    fit = Boosting(f0, [], lr)
    trees: list[Step1D] = []
    for m in range(rounds):
        resid = y - Boosting(f0, trees, lr).predict(x, m)
        trees.append(regression_tree(x, resid, depth))
    return Boosting(f0, trees, lr) if trees else fit


def nearest(x: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    """Indices of the k points nearest to query (Euclidean), nearest first; ties by index."""
    d = np.sqrt(((x - query) ** 2).sum(axis=1))
    return [int(i) for i in np.lexsort((np.arange(len(x)), d))[:k]]


def perceptron(x: np.ndarray, y: np.ndarray, init: tuple[float, float, float], lr: float,
               rounds: int) -> list[tuple[np.ndarray, float, int]]:
    """Rosenblatt's rule: cycle through the points; on each mistake w += lr y x, b += lr y.

    Return (w, b, index of the misclassified point) after each update, at most `rounds` of them;
    fewer when a full pass makes no mistake (converged).
    """
    w = np.array(init[:2], dtype=float)
    b = float(init[2])
    out: list[tuple[np.ndarray, float, int]] = []
    while len(out) < rounds:
        mistakes = 0
        for i in range(len(x)):
            if y[i] * (x[i] @ w + b) <= 0:
                w = w + lr * y[i] * x[i]
                b = b + lr * y[i]
                out.append((w.copy(), b, i))
                mistakes += 1
                if len(out) >= rounds:
                    break
        if mistakes == 0:
            break
    return out


POLY_SEED = 20240607  # the bootstrap resamples: fixed, so two renders are identical


def poly(pts: np.ndarray, degree: int, lam: float = 0.0, span: tuple[float, float] | None = None) -> np.ndarray:
    """Coefficients (rising powers of the scaled u = (x - mid) / half, u in [-1, 1] over `span`) of the
    least-squares polynomial of `degree` through pts, with ridge penalty lam on every coefficient but the first."""
    lo, hi = span or (float(pts[:, 0].min()), float(pts[:, 0].max()))
    u = (pts[:, 0] - (lo + hi) / 2) / ((hi - lo) / 2 or 1.0)
    v = np.vander(u, degree + 1, increasing=True)
    pen = np.eye(degree + 1) * lam
    pen[0, 0] = 0.0
    return np.linalg.solve(v.T @ v + pen + 1e-10 * np.eye(degree + 1), v.T @ pts[:, 1])


def poly_eval(coef: np.ndarray, x: np.ndarray, span: tuple[float, float]) -> np.ndarray:
    lo, hi = span
    u = (np.asarray(x, dtype=float) - (lo + hi) / 2) / ((hi - lo) / 2 or 1.0)
    return np.vander(u, len(coef), increasing=True) @ coef


def bootstrap(pts: np.ndarray, n: int) -> list[np.ndarray]:
    """n resamples of pts with replacement, the same ones on every run."""
    rng = np.random.default_rng(POLY_SEED)
    return [pts[np.sort(rng.integers(0, len(pts), len(pts)))] for _ in range(n)]


def knn_predict(x: np.ndarray, y: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """The majority class among the k nearest training points of each query (ties: the nearest neighbour's)."""
    d = ((queries[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    labels = y[order]
    classes = np.unique(y)
    counts = np.stack([(labels == c).sum(axis=1) for c in classes], axis=1)
    best = counts.max(axis=1, keepdims=True)
    winners = counts == best
    out = classes[np.argmax(winners, axis=1)]
    tie = winners.sum(axis=1) > 1
    out[tie] = labels[tie, 0]
    return out
