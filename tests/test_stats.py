import math

import pytest
from scipy.stats import beta

from observatory.stats import effective_n, korn_graubard


def test_korn_graubard_is_clopper_pearson_at_full_n():
    low, high = korn_graubard(0.3, 100)
    assert low == pytest.approx(beta.ppf(0.025, 30, 71))
    assert high == pytest.approx(beta.ppf(0.975, 31, 70))


def test_korn_graubard_edges():
    assert korn_graubard(0.0, 50)[0] == 0.0
    assert korn_graubard(1.0, 50)[1] == 1.0
    assert all(math.isnan(x) for x in korn_graubard(0.5, 0))


def test_smaller_effective_n_widens_interval():
    wide, narrow = korn_graubard(0.4, 40), korn_graubard(0.4, 400)
    assert wide[1] - wide[0] > narrow[1] - narrow[0]


def test_effective_n():
    assert effective_n(0.5, 0.0025, 80) == pytest.approx(100)
    assert effective_n(0.0, 0.0, 80) == 80
