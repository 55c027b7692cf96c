"""observatory.stats and marts.shares against R's survey package (the reference
implementation), run through Rscript on the same data: estimates, SEs and intervals
must agree to 1e-6 relative. R and its survey package are required (Debian
r-base-core and r-cran-survey, installed by .ci/run): without them these tests fail."""

import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from observatory.stats import (
    poststratify,
    rake,
    survey_mean,
    survey_proportion,
    survey_total,
)

ORACLE = Path(__file__).parent / "r" / "survey_oracle.R"
REL = 1e-6
STRATA = ["s1", "s2", "s3", "s4"]
POP_PS = pd.DataFrame({"ps": ["p1", "p2", "p3", "p4"], "Freq": [900.0, 1400.0, 700.0, 1600.0]})
POP_R1 = pd.DataFrame({"r1": ["a", "b", "c"], "Freq": [1500.0, 1800.0, 1300.0]})
POP_R2 = pd.DataFrame({"r2": ["m", "n"], "Freq": [2100.0, 2500.0]})
# design name -> keyword arguments of the estimators (weights added below)
DESIGNS = {
    "stratified": {"strata": "h"},
    "stratified_fpc": {"strata": "h", "fpc": "N_h"},
    "clustered": {"strata": "h", "cluster": "psu"},
    "clustered_fpc": {"strata": "h", "cluster": "psu", "fpc": "M_h"},
    "clustered_unstratified": {"cluster": ["h", "psu"]},
    "poststratified": {"strata": "h", "poststrata": "ps"},
    "raked": {"strata": "h", "rake_margins": ["r1", "r2"]},
}
LONELY_OPTIONS = ("certainty", "remove", "adjust", "average")
for _option in LONELY_OPTIONS:
    DESIGNS[f"clustered_lonely_{_option}"] = {
        "strata": "h",
        "cluster": "psu",
        "lonely_psu": _option,
    }
    DESIGNS[f"stratified_lonely_{_option}"] = {"strata": "h", "lonely_psu": _option}
WEIGHTS = {"poststratified": "w_ps", "raked": "w_rake"}


def run_oracle(mode: str, folder: Path) -> pd.DataFrame:
    """Run the R script; fail (never skip) with a clear message when R is missing."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.fail(
            "Rscript not found: install Debian r-base-core and r-cran-survey "
            "(.ci/run does) to run the R cross-check"
        )
    done = subprocess.run(
        [rscript, str(ORACLE), mode, str(folder)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            f"Rscript {ORACLE.name} {mode} failed (is r-cran-survey installed?):\n"
            f"{done.stderr[-2000:]}"
        )
    return pd.read_csv(
        folder / "r_estimates.csv",
        keep_default_na=False,
        na_values=["NA"],
        dtype={"design": str, "domain": str, "level": str},
    )


def sample() -> pd.DataFrame:
    """600 units in 4 strata of 5 to 9 PSUs, with outcomes, domains and calibration cells."""
    rng = np.random.default_rng(20260)
    psus = [(h, c) for i, h in enumerate(STRATA) for c in range(1, 6 + i + (i == 3))]
    unit_psu = rng.integers(0, len(psus), 600)
    frame = pd.DataFrame([psus[i] for i in unit_psu], columns=["h", "psu"])
    effect = rng.normal(0, 1, len(psus))[unit_psu]
    frame["w"] = rng.uniform(1, 12, len(frame)).round(3)
    frame["y"] = (10 + 3 * effect + rng.normal(0, 4, len(frame))).round(4)
    frame["g"] = np.where(
        effect + rng.normal(0, 1, len(frame)) > 0.8,
        "x",
        rng.choice(["y", "z"], len(frame), p=[0.7, 0.3]),
    )
    frame["dom"] = rng.choice(["d1", "d2", "d3"], len(frame), p=[0.5, 0.3, 0.2])
    frame["ps"] = rng.choice(POP_PS["ps"], len(frame))
    frame["r1"] = rng.choice(POP_R1["r1"], len(frame))
    frame["r2"] = rng.choice(POP_R2["r2"], len(frame))
    n_h = frame.groupby("h")["h"].transform("size")
    psu_h = frame.groupby("h")["psu"].transform("nunique")
    frame["N_h"] = n_h * frame["h"].map(dict(zip(STRATA, [3, 1.5, 8, 20], strict=True)))
    frame["M_h"] = psu_h * frame["h"].map(dict(zip(STRATA, [2, 4, 1.25, 10], strict=True)))
    frame["w_ps"] = poststratify(frame, weight="w", by="ps", population=POP_PS)
    frame["w_rake"] = rake(
        frame, weight="w", margins={"r1": POP_R1, "r2": POP_R2}, max_iter=100, epsilon=1e-12
    )
    return frame


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("r_designs")
    frame = sample()
    frame.to_csv(folder / "sample.csv", index=False)
    for name, population in (("ps", POP_PS), ("r1", POP_R1), ("r2", POP_R2)):
        population.to_csv(folder / f"pop_{name}.csv", index=False)
    return frame, run_oracle("designs", folder)


def ours(frame: pd.DataFrame, design: str, stat: str) -> pd.DataFrame:
    """Our estimates in the oracle's layout (domain "" = whole sample)."""
    kwargs = {"weight": WEIGHTS.get(design, "w"), **DESIGNS[design]}
    if design.startswith("clustered_lonely"):
        frame = lonely(frame)
    elif design.startswith("stratified_lonely"):
        frame = lonely_unit(frame)
    if stat in ("mean", "total"):
        estimator = survey_mean if stat == "mean" else survey_total
        parts = [
            estimator(frame, "y", **kwargs).assign(dom=""),
            estimator(frame, "y", by="dom", **kwargs),
        ]
        return pd.concat(parts).rename(columns={"dom": "domain"}).assign(level="")
    method = {"beta": "korn-graubard"}.get(stat, stat)
    parts = [
        survey_proportion(frame, "g", method=method, **kwargs).assign(dom=""),
        survey_proportion(frame, "g", method=method, by="dom", **kwargs),
    ]
    return pd.concat(parts).rename(columns={"dom": "domain"})


def compare(theirs: pd.DataFrame, mine: pd.DataFrame) -> float:
    """Largest relative difference over estimate, se, ci_low, ci_high (matched on
    domain and level); asserts that every R row has a counterpart."""
    both = theirs.merge(mine, on=["domain", "level"], suffixes=("_r", ""), validate="1:1")
    assert len(both) == len(theirs) > 0
    worst = 0.0
    for column in ("estimate", "se", "ci_low", "ci_high"):
        r, py = both[f"{column}_r"].to_numpy(float), both[column].to_numpy(float)
        assert np.isfinite(r).all()
        worst = max(worst, float(np.max(np.abs(py - r) / np.maximum(np.abs(r), 1e-300))))
    return worst


@pytest.mark.parametrize("design", list(DESIGNS))
@pytest.mark.parametrize("stat", ["mean", "total", "beta", "logit", "wilson"])
def test_estimates_match_r(oracle, design, stat):
    frame, r = oracle
    theirs = r[(r["design"] == design) & (r["stat"] == stat)]
    worst = compare(theirs, ours(frame, design, stat))
    assert worst < REL, f"{design} {stat}: relative difference {worst:.2e}"


@pytest.mark.parametrize(
    ("design", "column"),
    [("poststratified", "w_ps"), ("raked", "w_rake"), ("raked_default", "default")],
)
def test_calibrated_weights_match_r(oracle, design, column):
    frame, r = oracle
    if column == "default":  # R's own stopping rule: maxit = 10, epsilon = 1
        mine = rake(frame, weight="w", margins={"r1": POP_R1, "r2": POP_R2}).to_numpy()
    else:
        mine = frame[column].to_numpy()
    theirs = r[(r["design"] == design) & (r["stat"] == "weight")]
    theirs = theirs.sort_values("level", key=lambda rows: rows.astype(int))
    np.testing.assert_allclose(mine, theirs["estimate"].to_numpy(float), rtol=REL)
    assert not np.allclose(mine, frame["w"])  # calibration changed the weights


def lonely(frame: pd.DataFrame) -> pd.DataFrame:
    """The sample with stratum s1 reduced to a single PSU."""
    return frame[(frame["h"] != "s1") | (frame["psu"] == 1)]


def lonely_unit(frame: pd.DataFrame) -> pd.DataFrame:
    """The sample with stratum s1 reduced to its first unit (a one-respondent stratum)."""
    first = frame.index[frame["h"] == "s1"][0]
    return frame[(frame["h"] != "s1") | (frame.index == first)]


def test_lonely_options_differ(oracle):
    """The lonely strata make a difference: adjust > certainty = remove, and average
    differs from both (otherwise the R comparison above would prove little)."""
    frame, _ = oracle
    se = {
        option: survey_mean(lonely_unit(frame), "y", weight="w", strata="h", lonely_psu=option)[
            "se"
        ].iloc[0]
        for option in LONELY_OPTIONS
    }
    assert se["certainty"] == se["remove"] < se["adjust"]
    assert se["average"] not in (se["certainty"], se["adjust"])


def test_lonely_psu_fails_like_r(oracle):
    frame, _ = oracle
    with pytest.raises(ValueError, match=r"single PSU \[\{'h': 's1'\}\]"):
        survey_mean(lonely(frame), "y", weight="w", strata="h", cluster="psu")


@pytest.fixture(scope="module")
def shares_oracle(pipeline_run, tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every wave of the pipeline's warehouse: respondents x weights x barrier indicators,
    through R (one design per wave, lonely.psu = "adjust"), and marts.shares' rows."""
    assert pipeline_run.summary.ok, pipeline_run.summary.problems
    path = pipeline_run.warehouse_dir / "observatory.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        codes = [
            c
            for (c,) in con.execute(
                "SELECT code FROM core.taxonomy WHERE dimension = 'barrier' ORDER BY code"
            ).fetchall()
        ]
        indicators = ", ".join(
            f"coalesce(bool_or(a.code = '{c}'), false)::INTEGER AS y_{c}" for c in codes
        )
        frame = con.execute(f"""
            SELECT r.wave, r.respondent_key, r.country, r.org_type, r.scheme_type, w.weight,
                   {indicators}
            FROM core.respondents r JOIN core.weights w USING (respondent_key, wave)
            LEFT JOIN core.answers a ON a.respondent_key = r.respondent_key
                 AND a.wave = r.wave AND a.dimension = 'barrier'
            GROUP BY ALL""").df()
        mart = con.execute(
            "SELECT wave::VARCHAR AS design, domain_type, domain, code, share, se, ci_low, "
            "ci_high, n_eff, n, suppressed FROM marts.shares WHERE dimension = 'barrier'"
        ).df()
        (lonely,) = con.execute(
            "SELECT sum(len(lonely_strata)) FROM marts.weight_diagnostics "
            "WHERE wave = 2025 AND country = 'AT'"
        ).fetchone()
    assert lonely > 0  # the sample's small Austrian delivery has one-respondent strata
    folder = tmp_path_factory.mktemp("r_shares")
    frame.to_csv(folder / "waves.csv", index=False)
    return run_oracle("shares", folder), mart


def test_marts_shares_match_r(shares_oracle):
    r, mart = shares_oracle
    assert set(r["stat"]) == {"country", "scheme_type"}
    assert set(r["design"]) == {"2024", "2025", "2026"}
    both = r.rename(columns={"stat": "domain_type", "level": "code"}).merge(
        mart, on=["design", "domain_type", "domain", "code"], suffixes=("_r", ""), validate="1:1"
    )
    assert len(both) == len(r) == 3 * 4 * 8
    hidden = both[both["suppressed"]]
    assert set(hidden["design"] + hidden["domain"]) == {"2024GR"}
    assert hidden[["share", "se", "ci_low", "ci_high", "n_eff"]].isna().all().all()
    shown = both[~both["suppressed"]]
    for mine, theirs in [
        ("share", "estimate"),
        ("se", "se_r"),
        ("ci_low", "ci_low_r"),
        ("ci_high", "ci_high_r"),
    ]:
        np.testing.assert_allclose(shown[mine], shown[theirs], rtol=REL, err_msg=mine)
    capped = np.minimum(
        shown["estimate"] * (1 - shown["estimate"]) / shown["se_r"] ** 2, shown["n"]
    )
    np.testing.assert_allclose(
        shown["n_eff"], capped.where(shown["se_r"] > 0, shown["n"]), rtol=REL
    )
