"""observatory.stats.distributions (scipy.special) equals scipy.stats on a grid."""

from __future__ import annotations

import numpy as np
from scipy import stats

from observatory.stats import distributions

PROBABILITIES = np.r_[1e-12, 0.005, 0.025, 0.05, np.linspace(0.1, 0.9, 9), 0.95, 0.975, 0.995]
SHAPES = np.r_[1e-300, 1e-3, 0.3, 1.0, 2.5, 10.0, 150.0, 1e4, 1e6]
DEGREES = np.r_[0.5, 1.0, 2.0, 3.0, 7.0, 30.0, 120.0, 1e4, 1e7, np.nan]
RTOL = 1e-12


def test_normal_quantile_and_tail_equal_scipy_stats() -> None:
    x = np.linspace(-40, 40, 161)
    np.testing.assert_allclose(
        distributions.normal_quantile(PROBABILITIES), stats.norm.ppf(PROBABILITIES), rtol=RTOL
    )
    np.testing.assert_allclose(distributions.normal_sf(x), stats.norm.sf(x), rtol=RTOL)


def test_t_quantile_equals_scipy_stats_nan_degrees_included() -> None:
    q, df = np.meshgrid(PROBABILITIES, DEGREES)
    np.testing.assert_allclose(
        distributions.t_quantile(q, df), stats.t.ppf(q, df), rtol=RTOL, equal_nan=True
    )
    assert np.isnan(distributions.t_quantile(q, df)[-1]).all()


def test_beta_quantile_equals_scipy_stats() -> None:
    q, a, b = np.meshgrid(PROBABILITIES, SHAPES, SHAPES)
    expected = stats.beta.ppf(q, a, b)
    assert not np.isnan(expected).any()
    np.testing.assert_allclose(distributions.beta_quantile(q, a, b), expected, rtol=RTOL)
