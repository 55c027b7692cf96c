"""Survey statistics shared by the warehouse marts and by analysts' scripts.

Conventions (DESIGN.md §6): proportions get Korn–Graubard intervals, i.e.
Clopper–Pearson computed on the effective sample size n_eff = p(1 - p) / Var(p)
(R's `svyciprop(method = "beta")` without its degrees-of-freedom factor); when the
design variance is zero, n_eff is the unweighted n.
"""

from __future__ import annotations

import math

from scipy.stats import beta


def effective_n(p: float, variance: float, n: int) -> float:
    if variance > 0 and 0 < p < 1:
        return p * (1 - p) / variance
    return float(n)


def korn_graubard(p: float, n_eff: float, level: float = 0.95) -> tuple[float, float]:
    """Two-sided Korn–Graubard (Clopper–Pearson with effective n) interval for p."""
    if n_eff <= 0 or math.isnan(p):
        return (math.nan, math.nan)
    alpha = 1 - level
    x = p * n_eff
    low = 0.0 if x <= 0 else float(beta.ppf(alpha / 2, x, n_eff - x + 1))
    high = 1.0 if x >= n_eff else float(beta.ppf(1 - alpha / 2, x + 1, n_eff - x))
    return (low, high)


def kg_low(p: float, n_eff: float, level: float) -> float:
    return korn_graubard(p, n_eff, level)[0]


def kg_high(p: float, n_eff: float, level: float) -> float:
    return korn_graubard(p, n_eff, level)[1]
