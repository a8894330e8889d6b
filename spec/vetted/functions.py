"""The vetted set of named functions a plot curve may use.

YAML names a function and gives its numeric parameters; nothing from the YAML is
evaluated as code. Each function maps a NumPy array of x to y.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

FUNCTIONS: dict[str, Callable[..., Any]] = {}


def function(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register a plot function under its own name."""
    FUNCTIONS[fn.__name__] = fn
    return fn


@function
def poly(x, coeffs=(0.0, 1.0)):
    """Polynomial c0 + c1 x + c2 x^2 + ... (coefficients in rising order).

    coeffs: the coefficients c0, c1, c2, ... in rising order
    """
    return sum(c * x**i for i, c in enumerate(coeffs))


@function
def power(x, a=1.0, p=2.0, c=0.0):
    """a * |x|^p + c.

    a: scale
    p: exponent
    c: vertical offset
    """
    return a * np.abs(x) ** p + c


@function
def absolute(x, a=1.0, c=0.0):
    """a * |x| + c (MAE).

    a: slope
    c: vertical offset
    """
    return a * np.abs(x) + c


@function
def huber(x, delta=1.0):
    """Huber loss: quadratic within delta, linear outside.

    delta: where the quadratic part turns linear
    """
    ax = np.abs(x)
    return np.where(ax <= delta, 0.5 * x**2, delta * (ax - 0.5 * delta))


@function
def neg_log(x):
    """-ln(x): cross-entropy of the true class predicted with probability x."""
    return -np.log(np.clip(x, 1e-9, None))


@function
def neg_log1m(x):
    """-ln(1 - x): cross-entropy when the true class is 0."""
    return -np.log(np.clip(1 - x, 1e-9, None))


@function
def hinge(x):
    """max(0, 1 - x): hinge loss of the margin x = y f(x)."""
    return np.maximum(0.0, 1 - x)


@function
def sigmoid(x, k=1.0, x0=0.0):
    """Logistic sigmoid 1 / (1 + exp(-k (x - x0))).

    k: steepness
    x0: midpoint, where the value is 0.5
    """
    return 1 / (1 + np.exp(-k * (x - x0)))


@function
def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(x)


@function
def relu(x):
    """max(0, x)."""
    return np.maximum(0.0, x)


@function
def leaky_relu(x, alpha=0.1):
    """x for x > 0, alpha x otherwise.

    alpha: slope for x < 0
    """
    return np.where(x > 0, x, alpha * x)


@function
def gaussian(x, mu=0.0, sigma=1.0, a=1.0):
    """a * exp(-(x - mu)^2 / (2 sigma^2)).

    mu: mean
    sigma: standard deviation
    a: peak height
    """
    return a * np.exp(-((x - mu) ** 2) / (2 * sigma**2))


@function
def exp_decay(x, a=1.0, k=1.0, c=0.0):
    """a * exp(-k x) + c.

    a: scale
    k: rate
    c: level it decays to
    """
    return a * np.exp(-k * x) + c


@function
def exp_growth(x, a=1.0, k=1.0, c=0.0):
    """a * exp(k x) + c.

    a: scale
    k: rate
    c: vertical offset
    """
    return a * np.exp(k * x) + c


@function
def roc(x, auc=0.85):
    """A concave ROC curve y = x^(1/auc - 1) whose area under it is exactly auc.

    auc: the area under the curve, in (0.5, 1)
    """
    return np.clip(x, 0, 1) ** (1 / auc - 1)


@function
def sine(x, a=1.0, f=1.0, phase=0.0, c=0.0):
    """a * sin(f x + phase) + c.

    a: amplitude
    f: angular frequency
    phase: phase shift (radians)
    c: vertical offset
    """
    return a * np.sin(f * x + phase) + c


@function
def constant(x, c=0.0):
    """The horizontal line y = c.

    c: the height
    """
    return np.full_like(np.asarray(x, dtype=float), c)


@function
def reciprocal(x, a=1.0, c=0.0):
    """a / x + c (the variance of an average of x correlated models is rho s^2 + (1 - rho) s^2 / x).

    a: scale
    c: vertical offset (the asymptote)
    """
    return a / np.where(np.abs(x) < 1e-9, 1e-9, x) + c


@function
def sigmoid_grad(x):
    """Derivative of the sigmoid, s(x) (1 - s(x)); at most 0.25."""
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)


@function
def tanh_grad(x):
    """Derivative of tanh, 1 - tanh(x)^2; at most 1."""
    return 1 - np.tanh(x) ** 2


@function
def step(x, a=1.0, x0=0.0):
    """a for x > x0, 0 otherwise (the derivative of ReLU).

    a: height for x > x0
    x0: where it steps up
    """
    return np.where(x > x0, a, 0.0)


@function
def gelu(x):
    """GELU, x Phi(x), in its tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


@function
def normal_sf(x, mu=0.0, sigma=1.0, n=1.0):
    """n P(X > x) for X ~ N(mu, sigma^2): the share of a class scored above a threshold x (TPR, FPR).

    mu: the class's mean score
    sigma: the spread of its scores
    n: how many items the class has (1 for a rate)
    """
    from scipy.special import ndtr

    return n * ndtr(-(x - mu) / sigma)


@function
def count_above(x, mu=0.0, sigma=1.0, n=100.0):
    """round(n P(X > x)) for X ~ N(mu, sigma^2): how many of a class's n items score above x (TP or FP).

    mu: the class's mean score
    sigma: the spread of its scores
    n: how many items the class has
    """
    return np.round(normal_sf(x, mu, sigma, n))


@function
def count_below(x, mu=0.0, sigma=1.0, n=100.0):
    """n - round(n P(X > x)): how many of a class's n items score at or below x (FN or TN).

    mu: the class's mean score
    sigma: the spread of its scores
    n: how many items the class has
    """
    return n - np.round(normal_sf(x, mu, sigma, n))


@function
def normal_pdf(x, mu=0.0, sigma=1.0, n=1.0):
    """n times the normal density: a class's score distribution whose area is n (so shaded areas are counts).

    mu: the class's mean score
    sigma: the spread of its scores
    n: the area under the curve (the class's size)
    """
    return n * np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))


@function
def binormal_roc(x, mu0=0.0, sigma0=1.0, mu1=1.0, sigma1=1.0):
    """The ROC curve (TPR against FPR = x) of negatives ~ N(mu0, sigma0^2) and positives ~ N(mu1, sigma1^2).

    mu0: the negatives' mean score
    sigma0: the negatives' spread
    mu1: the positives' mean score
    sigma1: the positives' spread
    """
    from scipy.special import ndtr, ndtri

    t = mu0 + sigma0 * ndtri(1 - np.clip(x, 1e-12, 1 - 1e-12))
    return ndtr(-(t - mu1) / sigma1)


@function
def precision_at(x, mu0=0.0, sigma0=1.0, mu1=1.0, sigma1=1.0, neg=900.0, pos=100.0):
    """Precision TP / (TP + FP) at threshold x, with neg negatives ~ N(mu0, sigma0^2) and pos positives ~ N(mu1,
    sigma1^2): it depends on the class balance, unlike the ROC curve.

    mu0: the negatives' mean score
    sigma0: the negatives' spread
    mu1: the positives' mean score
    sigma1: the positives' spread
    neg: how many negatives
    pos: how many positives
    """
    tp = normal_sf(x, mu1, sigma1, pos)
    fp = normal_sf(x, mu0, sigma0, neg)
    return np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-300), 1.0)


@function
def binormal_pr(x, mu0=0.0, sigma0=1.0, mu1=1.0, sigma1=1.0, neg=900.0, pos=100.0):
    """The precision-recall curve (precision against recall = x) of the same two normal classes, with their counts.

    mu0: the negatives' mean score
    sigma0: the negatives' spread
    mu1: the positives' mean score
    sigma1: the positives' spread
    neg: how many negatives
    pos: how many positives
    """
    from scipy.special import ndtri

    t = mu1 + sigma1 * ndtri(1 - np.clip(x, 1e-9, 1 - 1e-9))
    return precision_at(t, mu0, sigma0, mu1, sigma1, neg, pos)


@function
def ridge_coef(x, g11=1.0, g12=0.0, g22=1.0, r1=1.0, r2=1.0, j=0.0, log=0.0):
    """Ridge coefficient beta_j at lambda = x (or 10^x with log 1): beta = (G + lambda I)^-1 r, G = X'X, r = X'y.

    g11: X'X, first diagonal entry
    g12: X'X, off-diagonal entry
    g22: X'X, second diagonal entry
    r1: X'y, first entry
    r2: X'y, second entry
    j: which coefficient, 0 or 1
    log: 1 when x is log10 lambda (a coefficient path on a log axis), 0 when x is lambda
    """
    lam = 10.0 ** np.asarray(x, dtype=float) if log >= 0.5 else np.asarray(x, dtype=float)
    det = (g11 + lam) * (g22 + lam) - g12**2
    b1 = ((g22 + lam) * r1 - g12 * r2) / det
    b2 = ((g11 + lam) * r2 - g12 * r1) / det
    return np.where(j >= 0.5, b2, b1)


@function
def ridge_norm(x, g11=1.0, g12=0.0, g22=1.0, r1=1.0, r2=1.0, log=0.0):
    """The L2 norm ||beta|| of the ridge solution at lambda = x (10^x with log 1): the radius of the L2 ball.

    g11: X'X, first diagonal entry
    g12: X'X, off-diagonal entry
    g22: X'X, second diagonal entry
    r1: X'y, first entry
    r2: X'y, second entry
    log: 1 when x is log10 lambda, 0 when x is lambda
    """
    b1 = ridge_coef(x, g11, g12, g22, r1, r2, 0.0, log)
    b2 = ridge_coef(x, g11, g12, g22, r1, r2, 1.0, log)
    return np.hypot(b1, b2)


@function
def poly_error(x, n=20.0, a=1.0, f=1.0, c=0.0, noise=0.2, x_range=(0.0, 6.0), seed=0.0, test=0.0):
    """Mean squared error of the degree-x least-squares polynomial (the `poly` fit) through the `wave` point set
    with these parameters: on those points (test 0: training error) or on 400 fresh points from the same curve
    (test 1: test error). Between whole degrees it is interpolated.

    n: number of training points (as in the wave point set)
    a: amplitude
    f: angular frequency
    c: vertical offset
    noise: standard deviation of y noise
    x_range: [lo, hi] of x
    seed: the training points' random seed
    test: 0 for the training error, 1 for the test error
    """
    from spec.vetted import datasets, fits

    params = {"n": n, "a": a, "f": f, "c": c, "noise": noise, "x_range": tuple(x_range)}
    train = datasets.generate("wave", params | {"seed": seed})
    held = datasets.generate("wave", params | {"n": 400, "seed": seed + 1000})
    span = (float(train[:, 0].min()), float(train[:, 0].max()))
    held = held[(held[:, 0] >= span[0]) & (held[:, 0] <= span[1])]
    pts = held if test >= 0.5 else train

    def mse(d: int) -> float:
        coef = fits.poly(train, d, 0.0, span)
        return float(np.mean((fits.poly_eval(coef, pts[:, 0], span) - pts[:, 1]) ** 2))

    xs = np.atleast_1d(np.asarray(x, dtype=float))
    out = []
    for v in xs:
        lo_d = max(int(np.floor(v)), 0)
        w = float(v) - lo_d
        e = mse(lo_d) if w < 1e-9 else (1 - w) * mse(lo_d) + w * mse(lo_d + 1)
        out.append(e)
    arr = np.asarray(out)
    return arr if np.ndim(x) else arr[0]


@function
def log10_of(x):
    """log10 x: a log-scale parameter's position on a log axis."""
    return np.log10(x)


def parameters(name: str) -> list[str]:
    """Return the parameter names a registered function accepts (besides x)."""
    sig = inspect.signature(FUNCTIONS[name])
    return [p for p in sig.parameters if p != "x"]


def evaluate(name: str, params: dict[str, Any], x: Any) -> np.ndarray:
    """Evaluate a registered function on x with the given parameters."""
    return np.asarray(FUNCTIONS[name](np.asarray(x, dtype=float), **params), dtype=float)


def descent_path(
    name: str, params: dict[str, Any], start: float, lr: float, steps: int, x_range: tuple[float, float]
) -> list[tuple[float, float]]:
    """Return the iterates (x_t, f(x_t)) of gradient descent on a registered function.

    Stops early when an iterate leaves x_range (a diverging learning rate).
    """
    pts: list[tuple[float, float]] = []
    x = float(start)
    h = 1e-4
    for _ in range(steps + 1):
        y = float(evaluate(name, params, x))
        pts.append((x, y))
        grad = float((evaluate(name, params, x + h) - evaluate(name, params, x - h)) / (2 * h))
        x = x - lr * grad
        if not (x_range[0] <= x <= x_range[1]):
            break
    return pts


@function
def piecewise_linear(x, xs=(0.0, 1.0), ys=(0.0, 1.0)):
    """The polyline through the points (xs[i], ys[i]), flat beyond its ends: a measured series over time
    (a traffic share, an error rate) that a sweep can trace with a bound `domain`.

    xs: the x of each point, in rising order (a repeated x gives a vertical jump)
    ys: the y of each point
    """
    xp = np.asarray(xs, dtype=float)
    yp = np.asarray(ys, dtype=float)
    # a repeated x becomes a jump 1e-9 wide, so np.interp sees rising x; the new value holds from that x on
    step = np.concatenate([[0.0], np.cumsum(np.diff(xp) <= 0)]) * 1e-9
    grid = xp + step
    out = np.interp(x, grid, yp)
    for i in range(1, len(xp)):
        if xp[i] <= xp[i - 1]:
            out = np.where(np.isclose(x, xp[i], rtol=0, atol=1e-12), yp[i], out)
    return out


@function
def psi_shift(x, sigma=1.0, bins=10.0):
    """Population stability index between a training feature N(0, 1) and a live one N(x, sigma^2), over
    `bins` bins of equal training share (deciles for 10): sum over bins of (a - e) ln(a / e), with e the
    training share (1 / bins) and a the live share of each bin. About x^2 for small shifts when sigma = 1.

    sigma: the live distribution's standard deviation (the training one is 1)
    bins: how many equal-share training bins (10: deciles)
    """
    from scipy.special import ndtr, ndtri

    k = max(int(round(bins)), 2)
    cuts = ndtri(np.arange(1, k) / k)
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    cdf = ndtr((cuts[None, :] - xs[:, None]) / sigma)
    cdf = np.concatenate([np.zeros((len(xs), 1)), cdf, np.ones((len(xs), 1))], axis=1)
    a = np.clip(np.diff(cdf, axis=1), 1e-12, None)
    e = 1.0 / k
    out = np.sum((a - e) * np.log(a / e), axis=1)
    return out if np.ndim(x) else out[0]


@function
def absmax_quant(x, w=0.5, wmax=1.0):
    """The weight w after symmetric absmax quantization to x bits and back: s * round(w / s), with the
    scale s = wmax / (2^(x-1) - 1) shared by a group whose largest magnitude is wmax (x is rounded to
    whole bits).

    w: the weight
    wmax: the largest |w| in the weight's group, which sets the scale
    """
    bits = np.maximum(np.round(np.asarray(x, dtype=float)), 2.0)
    s = wmax / (2.0 ** (bits - 1) - 1)
    return s * np.round(w / s)


@function
def softmax_share(x, z=(2.0, 0.9, 0.4, -0.5, -1.0), j=0.0):
    """Softmax with temperature T = x: the probability exp(z_j / T) / sum_i exp(z_i / T) of token j.

    z: the logits z_1, z_2, ... of the candidate tokens
    j: which token, counted from 0 (the first logit)
    """
    t = np.asarray(x, dtype=float)
    logits = np.asarray(z, dtype=float)
    scaled = logits[None, :] / np.reshape(np.clip(t, 1e-6, None), (-1, 1))
    scaled = scaled - scaled.max(axis=1, keepdims=True)  # subtracting the max changes nothing, avoids overflow
    e = np.exp(scaled)
    share = e[:, int(round(float(j)))] / e.sum(axis=1)
    return share if np.ndim(x) else share[0]


@function
def ddpm_coef(x, beta_start=1e-4, beta_end=0.02, steps=1000.0, part=0.0):
    """DDPM forward-process weights at step t = x: sqrt(alpha_bar_t) of the image (part 0) or sqrt(1 - alpha_bar_t)
    of the noise (part 1), with alpha_bar_t = prod_{s<=t} (1 - beta_s) and beta linear from beta_start to beta_end.

    beta_start: beta_1, the first step's noise variance
    beta_end: beta_T, the last step's noise variance
    steps: T, the number of steps
    part: 0 for the image weight sqrt(alpha_bar_t), 1 for the noise weight sqrt(1 - alpha_bar_t)
    """
    n = int(round(float(steps)))
    betas = np.linspace(beta_start, beta_end, n)
    log_ab = np.concatenate([[0.0], np.cumsum(np.log1p(-betas))])  # alpha_bar_0 = 1, then t = 1..T
    t = np.clip(np.asarray(x, dtype=float), 0.0, float(n))
    ab = np.exp(np.interp(t, np.arange(n + 1, dtype=float), log_ab))
    out = np.sqrt(ab) if part < 0.5 else np.sqrt(1.0 - ab)
    return out if np.ndim(x) else float(out)


@function
def projected_variance(x, sxx=1.0, sxy=0.0, syy=1.0):
    """Variance of 2-D data with covariance [[sxx, sxy], [sxy, syy]] projected onto the unit vector
    u = (cos x, sin x), x in degrees: u'Su = sxx cos^2 x + 2 sxy sin x cos x + syy sin^2 x. Its maximum over x
    is the covariance's top eigenvalue (at PC1), its minimum the other eigenvalue (at PC2, 90 degrees away).

    sxx: variance of the first feature
    sxy: covariance of the two features
    syy: variance of the second feature
    """
    a = np.radians(np.asarray(x, dtype=float))
    c, s = np.cos(a), np.sin(a)
    return sxx * c * c + 2.0 * sxy * s * c + syy * s * s


@function
def line_projection(x, px=1.0, py=0.0, mx=0.0, my=0.0, axis=0.0):
    """One coordinate of the orthogonal projection of the point (px, py) onto the line through (mx, my)
    along u = (cos x, sin x), x in degrees: m + ((p - m) . u) u.

    px: the point's x
    py: the point's y
    mx: x of a point on the line (the data's mean, for PCA)
    my: y of a point on the line
    axis: 0 for the projection's x, 1 for its y
    """
    a = np.radians(np.asarray(x, dtype=float))
    c, s = np.cos(a), np.sin(a)
    t = (px - mx) * c + (py - my) * s
    return mx + t * c if axis < 0.5 else my + t * s


@function
def polar_point(x, mx=0.0, my=0.0, r=1.0, axis=0.0):
    """One coordinate of the point at distance r from (mx, my) in the direction x degrees: m + r (cos x, sin x)
    (an end of a line that turns about m).

    mx: x of the centre of rotation
    my: y of the centre of rotation
    r: distance from the centre (negative: the opposite end)
    axis: 0 for the x coordinate, 1 for the y
    """
    a = np.radians(np.asarray(x, dtype=float))
    return mx + r * np.cos(a) if axis < 0.5 else my + r * np.sin(a)


@function
def logistic_loss(x, xs=(0.0, 1.0), ys=(0.0, 1.0), x0=0.0):
    """Mean log loss (binary cross-entropy) of labelled points (xs[i], ys[i]) under p = sigmoid(w (xs[i] - x0)) with
    the weight w = x: a 1-D logistic regression whose boundary p = 0.5 stays at x0 (bias b = -w x0) while w steepens
    the sigmoid. ln 2 at w = 0; when x0 is the fitted boundary its minimum is the maximum-likelihood w; on separable
    points it keeps falling as w grows.

    xs: the points' feature values
    ys: their labels, 0 or 1, in the order of xs
    x0: the decision boundary -b / w, where p = 0.5
    """
    w = np.atleast_1d(np.asarray(x, dtype=float))
    px = np.asarray(xs, dtype=float)
    sign = 2.0 * np.asarray(ys, dtype=float) - 1.0  # +1 for y = 1, -1 for y = 0
    z = w[:, None] * (px[None, :] - x0)
    # -log sigmoid(z) for y = 1 and -log(1 - sigmoid(z)) for y = 0, both log(1 + exp(-sign z)), without overflow
    out = np.logaddexp(0.0, -sign[None, :] * z).mean(axis=1)
    return out if np.ndim(x) else out[0]


@function
def split_gini(x, xs=(0.0, 1.0), ys=(0.0, 1.0)):
    """Weighted Gini impurity of the two children when samples with feature values xs and class labels ys are
    split at the threshold x (left: xs[i] <= x, right: the rest): (n_L G_L + n_R G_R) / n, with G = 1 - sum_k p_k^2
    over a child's class shares. A step function of x; with every sample on one side it is the parent's Gini.
    The parent's Gini minus it is the split's impurity decrease.

    xs: the samples' values of the feature being split
    ys: their class labels (0, 1, 2, ...), in the order of xs
    """
    t = np.atleast_1d(np.asarray(x, dtype=float))
    px = np.asarray(xs, dtype=float)
    labels = np.asarray(ys, dtype=float)
    n = float(len(px))
    left = px[None, :] <= t[:, None]  # (thresholds, samples)
    out = np.zeros(len(t))
    for side in (left, ~left):
        size = side.sum(axis=1).astype(float)
        counts = np.stack([(side & (labels == k)[None, :]).sum(axis=1) for k in np.unique(labels)], axis=1)
        shares = counts / np.maximum(size, 1.0)[:, None]
        out += size / n * (1.0 - (shares**2).sum(axis=1))
    return out if np.ndim(x) else out[0]
