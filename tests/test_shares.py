"""marts.shares (SQL) against observatory.stats.survey_proportion (NumPy) on the same
design: stratified by country x organisation type, post-stratified weights taken as
fixed, domains as R's svyby (tests/test_stats_r.py checks both against R)."""

import numpy as np
import pandas as pd
import pytest

from observatory import warehouse
from observatory.stats import survey_proportion
from observatory.warehouse.inputs import reference_frames


@pytest.fixture()
def con(tmp_path):
    rng = np.random.default_rng(7)
    n = 900
    resp = pd.DataFrame({
        "respondent_key": [f"k{i}" for i in range(n)], "wave": 2025,
        "country": rng.choice(["FR", "IT", "HR"], n, p=[0.5, 0.3, 0.2]),
        "org_type": rng.choice(["company", "association", "foundation"], n),
        "scheme_type": rng.choice(["company_led", "territory_led", "internal"], n),
    })
    resp.loc[resp.index[:6], "country"] = "AT"  # a tiny domain, to be suppressed
    weights = resp[["respondent_key", "wave"]].assign(weight=rng.uniform(1, 20, n))
    chosen = pd.DataFrame({"respondent_key": resp["respondent_key"],
                           "y": rng.random(n) < np.where(resp["org_type"] == "company", .6, .3)})
    answers = chosen[chosen["y"]].assign(wave=2025, dimension="barrier",
                                         code="limited_capacity")
    questions = pd.DataFrame({"wave": [2025], "question": ["barriers"], "kind": ["multi"],
                              "dimension": ["barrier"]})
    db = warehouse.connect(tmp_path / "w.duckdb")
    for name, frame in {"r": resp, "w": weights, "a": answers, "q": questions,
                        "t": reference_frames()["ref_taxonomy"]}.items():
        db.register(name, frame)
    db.execute("""
        CREATE TABLE core.respondents AS SELECT * FROM r;
        CREATE TABLE core.weights AS SELECT * FROM w;
        CREATE TABLE core.answers AS SELECT respondent_key, wave, dimension, code FROM a;
        CREATE TABLE core.questions AS SELECT * FROM q;
        CREATE TABLE core.taxonomy AS SELECT * FROM t;""")
    warehouse.run_model(db, "marts", "shares")
    yield db, resp.merge(weights).merge(chosen)
    db.close()


@pytest.mark.parametrize(("domain_type", "domain"), [
    ("country", "FR"), ("country", "HR"), ("scheme_type", "territory_led"),
    ("scheme_type", "internal")])
def test_share_and_se_match_reference(con, domain_type, domain):
    db, frame = con
    ref = survey_proportion(frame, "y", weight="weight", strata=["country", "org_type"],
                            by=domain_type, lonely_psu="certainty")
    ref = ref[(ref[domain_type] == domain) & ref["level"]].iloc[0]
    row = db.execute(
        "SELECT share, se, ci_low, ci_high, n, n_selected FROM marts.shares WHERE "
        "domain_type = ? AND domain = ? AND code = 'limited_capacity'", [domain_type, domain]
    ).fetchone()
    assert row[0] == pytest.approx(ref["estimate"], rel=1e-9)
    assert row[1] == pytest.approx(ref["se"], rel=1e-9)
    assert row[2:4] == pytest.approx((ref["ci_low"], ref["ci_high"]), rel=1e-9)
    assert row[2] < row[0] < row[3]
    assert row[4] == (frame[domain_type] == domain).sum()
    assert row[5] == frame.loc[frame[domain_type] == domain, "y"].sum()


def test_unchosen_codes_have_zero_share(con):
    db, _ = con
    shares = db.execute("SELECT DISTINCT share FROM marts.shares WHERE code = 'role_ambiguity' "
                        "AND NOT suppressed").fetchall()
    assert shares == [(0.0,)]


def test_small_cells_are_suppressed(con):
    db, _ = con
    row = db.execute("SELECT n, share, se, ci_low, suppressed FROM marts.shares "
                     "WHERE domain = 'AT' AND code = 'limited_capacity'").fetchone()
    assert row[0] == 6 and row[4] is True
    assert row[1:4] == (None, None, None)
