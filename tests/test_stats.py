import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta

from observatory.stats import (
    effective_n,
    korn_graubard,
    poststratify,
    survey_mean,
    survey_proportion,
)


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


@pytest.fixture()
def frame():
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "h": np.repeat(["a", "b", "c"], 20),
            "w": rng.uniform(1, 4, 60),
            "y": rng.normal(size=60),
            "g": rng.choice(["x", "y"], 60),
            "d": rng.choice(["d1", "d2"], 60),
            "N": np.repeat([40, 60, 20], 20),
        }
    )


def test_proportion_table_has_one_row_per_domain_and_level(frame):
    table = survey_proportion(frame, "g", weight="w", strata="h", by="d")
    assert list(table.columns) == [
        "d",
        "level",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
        "n_eff",
    ]
    assert len(table) == 4
    assert table.groupby("d")["estimate"].sum().to_numpy() == pytest.approx([1, 1])
    assert (table["ci_low"] < table["estimate"]).all()
    assert (table["estimate"] < table["ci_high"]).all()


def test_fpc_shrinks_the_standard_error(frame):
    plain = survey_mean(frame, "y", weight="w", strata="h")
    finite = survey_mean(frame, "y", weight="w", strata="h", fpc="N")
    assert finite["estimate"][0] == plain["estimate"][0]
    assert 0 < finite["se"][0] < plain["se"][0]


def test_degrees_of_freedom_widen_korn_graubard():
    plain = korn_graubard(0.3, 50)
    adjusted = korn_graubard(0.3, 50, rows=60, df=8)
    assert adjusted[0] < plain[0] and adjusted[1] > plain[1]
    assert korn_graubard(0.3, 50, rows=60, df=59) == pytest.approx(plain)


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        ({"y": np.nan}, {}, r"column 'y' has 60 missing values"),
        ({"w": 0.0}, {}, r"column 'w': weights must be positive"),
        ({"N": 5}, {"fpc": "N"}, r"column 'N' must hold each stratum's population size"),
        ({}, {"by": "nowhere"}, r"column 'nowhere' is not in the frame"),
    ],
)
def test_bad_input_gets_a_clear_error(frame, change, kwargs, message):
    with pytest.raises(ValueError, match=message):
        survey_mean(frame.assign(**change), "y", weight="w", strata="h", **kwargs)


def test_unknown_method_is_refused(frame):
    with pytest.raises(ValueError, match="korn-graubard, wilson or logit"):
        survey_proportion(frame, "g", weight="w", method="exact")


def test_poststratify_names_cells_missing_from_the_population(frame):
    population = pd.Series({"a": 100.0, "b": 50.0}).rename_axis("h")
    with pytest.raises(ValueError, match=r"sampled but not in the population: \['c'\]"):
        poststratify(frame, weight="w", by="h", population=population)


def test_poststratified_weights_hit_the_population(frame):
    population = pd.DataFrame({"h": ["a", "b", "c"], "Freq": [100.0, 50.0, 10.0]})
    weights = poststratify(frame, weight="w", by="h", population=population)
    assert weights.groupby(frame["h"]).sum().to_numpy() == pytest.approx([100, 50, 10])
