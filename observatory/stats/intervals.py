"""Confidence intervals for a design-based proportion, from its estimate p, its
design variance and the design's degrees of freedom.

- Korn–Graubard: Clopper–Pearson on the effective sample size, as R's
  `svyciprop(method = "beta")`: n_eff = p(1 - p) / Var(p), multiplied by
  (t_{alpha/2, rows - 1} / t_{alpha/2, df})^2 where `rows` is the number of sampled
  units and `df` the design's degrees of freedom (PSUs minus strata).
- Wilson: the score interval of a simple random sample of size n*, where n* is the
  same degrees-of-freedom-adjusted effective n as Korn–Graubard's and the quantile
  is the normal one. R's survey package has no Wilson method; this is the closed
  form the cross-check compares against.
- Logit: R's `svyciprop(method = "logit")`, a Wald interval on logit(p) with the
  t quantile on `df` degrees of freedom: expit(logit p ± t · SE(p) / (p(1 - p))).

Where R returns NaN because the variance is zero (p = 0 or 1, or a constant
stratum), the effective n falls back to the unweighted n (see `effective_n`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, logit

from observatory.stats.distributions import beta_quantile, normal_quantile, t_quantile

ArrayLike = float | np.ndarray


def effective_n(p: float, variance: float, n: int) -> float:
    """p(1 - p) / Var(p), or the unweighted n when the variance is zero."""
    return float(_effective_n(np.asarray(p), np.asarray(variance), np.asarray(n)))


def _effective_n(p: ArrayLike, variance: ArrayLike, n: ArrayLike) -> np.ndarray:
    ok = (variance > 0) & (p > 0) & (p < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, p * (1 - p) / np.where(ok, variance, 1.0), n).astype(float)


def df_adjusted_n(
    n_eff: ArrayLike, rows: ArrayLike, df: ArrayLike, level: float = 0.95
) -> np.ndarray:
    """R's svyciprop(method = "beta") degrees-of-freedom correction of the effective n:
    n_eff * (qt(alpha/2, rows - 1) / qt(alpha/2, df))^2 (NaN when df <= 0, as in R)."""
    alpha = 1 - level
    rows, df = np.asarray(rows, dtype=float), np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        ratio = t_quantile(alpha / 2, np.where(rows > 1, rows - 1, np.nan)) / t_quantile(
            alpha / 2, np.where(df > 0, df, np.nan)
        )
    return np.asarray(n_eff, dtype=float) * ratio**2


def beta_interval(
    p: ArrayLike, n_eff: ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Clopper–Pearson interval with x = p * n_eff successes out of n_eff (vectorised);
    NaN where n_eff is not positive or p is missing."""
    p, n_eff = np.asarray(p, dtype=float), np.asarray(n_eff, dtype=float)
    alpha = 1 - level
    valid = (n_eff > 0) & ~np.isnan(p)
    n = np.where(valid, n_eff, 1.0)
    x = np.where(valid, p, 0.5) * n
    with np.errstate(invalid="ignore"):
        low = np.where(x <= 0, 0.0, beta_quantile(alpha / 2, np.maximum(x, 1e-300), n - x + 1))
        high = np.where(x >= n, 1.0, beta_quantile(1 - alpha / 2, x + 1, np.maximum(n - x, 1e-300)))
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def korn_graubard(
    p: float, n_eff: float, level: float = 0.95, *, rows: int | None = None, df: float | None = None
) -> tuple[float, float]:
    """Korn–Graubard interval for p: Clopper–Pearson on the effective n. Given `rows`
    (sampled units) and `df` (design degrees of freedom), n_eff is first adjusted as
    R's svyciprop(method = "beta") does; without them it is used as is."""
    if rows is not None and df is not None:
        n_eff = float(df_adjusted_n(n_eff, rows, df, level))
    if math.isnan(n_eff):
        return (math.nan, math.nan)
    low, high = beta_interval(p, n_eff, level)
    return (float(low), float(high))


def _kg_bounds(
    p: ArrayLike, n_eff: ArrayLike, rows: ArrayLike, df: ArrayLike, level: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Korn–Graubard bounds of many cells at once (R's svyciprop beta), one level."""
    levels = np.unique(np.asarray(level, dtype=float))
    if len(levels) > 1:
        raise ValueError(f"one confidence level per call, not {levels.tolist()}")
    level = float(levels[0]) if len(levels) else 0.95
    return beta_interval(p, df_adjusted_n(n_eff, rows, df, level), level)


def kg_low(
    p: ArrayLike, n_eff: ArrayLike, rows: ArrayLike, df: ArrayLike, level: ArrayLike
) -> np.ndarray:
    """Lower Korn–Graubard bounds (vectorised); a DuckDB UDF of the warehouse."""
    return _kg_bounds(p, n_eff, rows, df, level)[0]


def kg_high(
    p: ArrayLike, n_eff: ArrayLike, rows: ArrayLike, df: ArrayLike, level: ArrayLike
) -> np.ndarray:
    """Upper Korn–Graubard bounds (vectorised); a DuckDB UDF of the warehouse."""
    return _kg_bounds(p, n_eff, rows, df, level)[1]


def wilson_interval(
    p: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion p observed on n (an effective n here)."""
    p, n = np.asarray(p, dtype=float), np.asarray(n, dtype=float)
    z2 = normal_quantile(1 - (1 - level) / 2) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = np.sqrt(z2 * p * (1 - p) / n + z2**2 / (4 * n**2)) / (1 + z2 / n)
    return centre - half, centre + half


def logit_interval(
    p: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """R's svyciprop(method = "logit"): Wald on the logit scale with a t quantile on
    df degrees of freedom; NaN at p = 0 or 1 and when df <= 0."""
    p, se = np.asarray(p, dtype=float), np.asarray(se, dtype=float)
    df = np.asarray(df, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = t_quantile(1 - (1 - level) / 2, np.where(df > 0, df, np.nan))
        half = q * se / (p * (1 - p))
        centre = logit(p)
        return expit(centre - half), expit(centre + half)
