"""Quantiles and tail probabilities of the normal, Student t and beta distributions,
from scipy.special rather than scipy.stats: the same functions scipy.stats calls
(ndtr, ndtri, stdtrit, the beta inverse), without scipy.stats' import (about 2 s of
every process that computes an interval; issue 14). tests/test_distributions.py
checks them against scipy.stats on a grid of values."""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv, ndtr, ndtri, stdtrit

ArrayLike = float | np.ndarray


def normal_quantile(q: ArrayLike) -> np.ndarray:
    """scipy.stats.norm.ppf(q)."""
    return ndtri(q)


def normal_sf(x: ArrayLike) -> np.ndarray:
    """scipy.stats.norm.sf(x): the upper tail probability."""
    return ndtr(-np.asarray(x, dtype=float))


def t_quantile(q: ArrayLike, df: ArrayLike) -> np.ndarray:
    """scipy.stats.t.ppf(q, df); NaN where df is NaN."""
    return stdtrit(df, q)


def beta_quantile(q: ArrayLike, a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """scipy.stats.beta.ppf(q, a, b)."""
    return betaincinv(a, b, q)
