"""marts.shares (SQL) against observatory.stats.survey_proportion (NumPy) on the same
design: stratified by country x organisation type, post-stratified weights taken as
fixed, domains as R's svyby, a one-respondent stratum as R's lonely.psu = "adjust"
(tests/test_stats_r.py checks both against R); and the published rules: capped n_eff,
degrees of freedom, unreliable, suppression, bases, calibrated shares."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from observatory import warehouse
from observatory.stats import survey_proportion
from observatory.warehouse.inputs import reference_frames


def _answers_loaded(db: duckdb.DuckDBPyConnection) -> None:
    """staging.core_answers_loaded as core/answers.sql keeps it: the content fingerprint
    of each wave x country of core.answers (the marts' waves_changed reads it)."""
    db.execute("""
        CREATE OR REPLACE TABLE staging.core_answers_loaded AS
        SELECT wave, country,
               sum(hash(respondent_key, dimension, code))::HUGEINT || ':' || count(*)
               AS fingerprint
        FROM core.answers JOIN core.respondents USING (respondent_key, wave) GROUP BY ALL""")


@pytest.fixture()
def con(tmp_path):
    rng = np.random.default_rng(7)
    n = 900
    resp = pd.DataFrame(
        {
            "respondent_key": [f"k{i}" for i in range(n)],
            "wave": 2025,
            "country": rng.choice(["FR", "IT", "HR"], n, p=[0.5, 0.3, 0.2]),
            "org_type": rng.choice(["company", "association", "foundation"], n),
            "scheme_type": rng.choice(["company_led", "territory_led", "internal"], n),
        }
    )
    resp.loc[resp.index[:6], "country"] = "AT"  # a tiny domain, to be suppressed
    resp.loc[resp.index[6], ["country", "org_type"]] = ["HR", "academic"]  # lonely stratum
    weights = resp[["respondent_key", "wave"]].assign(weight=rng.uniform(1, 20, n))
    weights.loc[6, "weight"] = 400.0  # the lonely respondent stands for many
    chosen = pd.DataFrame(
        {
            "respondent_key": resp["respondent_key"],
            "y": rng.random(n) < np.where(resp["org_type"] == "company", 0.6, 0.3),
        }
    )
    stage = pd.DataFrame(
        {
            "respondent_key": resp["respondent_key"],
            "wave": 2025,
            "dimension": "ci_stage",
            "code": rng.choice(["initiate", "structure", "animate", None], n),
        }
    )
    org = resp[["respondent_key", "wave", "org_type"]].rename(columns={"org_type": "code"})
    answers = pd.concat(
        [
            chosen[chosen["y"]].assign(wave=2025, dimension="barrier", code="limited_capacity"),
            stage.dropna(),
            org.assign(dimension="org_type"),
        ]
    )
    questions = pd.DataFrame(
        {
            "wave": 2025,
            "question": ["barriers", "ci_stage", "org_type"],
            "kind": ["multi", "single", "single"],
            "dimension": ["barrier", "ci_stage", "org_type"],
        }
    )
    db = warehouse.connect(tmp_path / "w.duckdb")
    for name, frame in {
        "r": resp,
        "w": weights,
        "a": answers,
        "q": questions,
        "t": reference_frames()["ref_taxonomy"],
    }.items():
        db.register(name, frame)
    db.execute("""
        CREATE TABLE core.respondents AS SELECT * FROM r;
        CREATE TABLE core.weights AS SELECT * FROM w;
        CREATE TABLE core.answers AS SELECT respondent_key, wave, dimension, code FROM a;
        CREATE TABLE core.questions AS SELECT * FROM q;
        CREATE TABLE core.taxonomy AS SELECT * FROM t;""")
    _answers_loaded(db)
    warehouse.run_model(db, "marts", "shares")
    yield db, resp.merge(weights).merge(chosen).merge(stage[["respondent_key", "code"]])
    db.close()


@pytest.mark.parametrize(
    ("domain_type", "domain"),
    [
        ("country", "FR"),
        ("country", "HR"),
        ("scheme_type", "territory_led"),
        ("scheme_type", "internal"),
    ],
)
def test_share_and_se_match_reference(con, domain_type, domain):
    db, frame = con
    ref = survey_proportion(
        frame,
        "y",
        weight="weight",
        strata=["country", "org_type"],
        by=domain_type,
        lonely_psu="adjust",
    )
    ref = ref[(ref[domain_type] == domain) & ref["level"]].iloc[0]
    row = db.execute(
        "SELECT share, se, ci_low, ci_high, n, n_selected FROM marts.shares WHERE "
        "domain_type = ? AND domain = ? AND code = 'limited_capacity'",
        [domain_type, domain],
    ).fetchone()
    assert row[0] == pytest.approx(ref["estimate"], rel=1e-9)
    assert row[1] == pytest.approx(ref["se"], rel=1e-9)
    assert row[2:4] == pytest.approx((ref["ci_low"], ref["ci_high"]), rel=1e-9)
    assert row[2] < row[0] < row[3]
    assert row[4] == (frame[domain_type] == domain).sum()
    assert row[5] == frame.loc[frame[domain_type] == domain, "y"].sum()


def test_unchosen_codes_have_zero_share(con):
    db, _ = con
    shares = db.execute(
        "SELECT DISTINCT share FROM marts.shares WHERE code = 'role_ambiguity' AND NOT suppressed"
    ).fetchall()
    assert shares == [(0.0,)]


def test_small_cells_are_suppressed(con):
    db, _ = con
    row = db.execute(
        "SELECT n, share, se, ci_low, suppressed FROM marts.shares "
        "WHERE domain = 'AT' AND code = 'limited_capacity'"
    ).fetchone()
    assert row[0] == 6 and row[4] is True
    assert row[1:4] == (None, None, None)


def test_lonely_stratum_adds_its_own_variance(con):
    """HR holds a one-respondent stratum of weight 400: "adjust" gives it variance, where
    "certainty" (the former rule) would let it add none."""
    db, frame = con
    kwargs = {"weight": "weight", "strata": ["country", "org_type"], "by": "country"}
    se = {
        option: survey_proportion(frame, "y", lonely_psu=option, **kwargs)
        .query("country == 'HR' and level")["se"]
        .iloc[0]
        for option in ("adjust", "certainty")
    }
    (mart,) = db.execute(
        "SELECT se FROM marts.shares WHERE domain = 'HR' AND code = 'limited_capacity'"
    ).fetchone()
    assert mart == pytest.approx(se["adjust"], rel=1e-9)
    assert se["adjust"] > 1.2 * se["certainty"]


def test_published_rules(con):
    """n_eff = min(n, p(1-p)/Var); df = n - strata; unreliable = n_eff < 30 or df < 8."""
    db, frame = con
    rows = db.execute(
        "SELECT share, se, n, n_eff, df, unreliable, domain_type, domain, base "
        "FROM marts.shares WHERE NOT suppressed AND NOT calibrated "
        "AND se > 0"
    ).df()
    raw = rows["share"] * (1 - rows["share"]) / rows["se"] ** 2
    np.testing.assert_allclose(rows["n_eff"], np.minimum(raw, rows["n"]), rtol=1e-12)
    assert (raw > rows["n"]).any() and (raw < rows["n"]).any()  # both sides of the cap
    strata = frame.groupby("country")["org_type"].nunique()
    by_country = rows[(rows["domain_type"] == "country") & (rows["base"] == "all respondents")]
    assert (by_country["df"] == by_country["n"] - by_country["domain"].map(strata)).all()
    expected = (rows["n_eff"] < 30) | (rows["df"] < 8)
    assert (rows["unreliable"] == expected).all()


def test_few_degrees_of_freedom_and_a_share_of_one(con):
    """A domain of 12 respondents, two (or one) per stratum, has df < 8: unreliable whatever
    its n_eff. All of them chose the code: the share is exactly 1 and its SE exactly 0."""
    db, _ = con
    db.execute("""UPDATE core.respondents SET scheme_type = 'tiny' WHERE respondent_key IN (
        SELECT respondent_key FROM core.respondents JOIN core.answers USING (respondent_key)
        WHERE code = 'limited_capacity' AND country <> 'AT'
        QUALIFY row_number() OVER (PARTITION BY country, org_type ORDER BY respondent_key)
                <= 2 ORDER BY country, org_type, respondent_key LIMIT 12)""")
    warehouse.run_model(db, "marts", "shares")
    (strata,) = db.execute(
        "SELECT count(DISTINCT (country, org_type)) FROM core.respondents "
        "WHERE scheme_type = 'tiny'"
    ).fetchone()
    row = db.execute(
        "SELECT n, df, share, se, n_eff, unreliable FROM marts.shares "
        "WHERE domain = 'tiny' AND code = 'limited_capacity'"
    ).fetchone()
    assert row == (12, 12 - strata, 1.0, 0.0, 12, True) and 12 - strata < 8


def test_suppressed_cells_reveal_no_count(con):
    db, _ = con
    rows = db.execute(
        "SELECT n, n_selected, share, se, ci_low, ci_high, n_eff, unreliable "
        "FROM marts.shares WHERE suppressed"
    ).fetchall()
    assert rows and all(r[0] < 10 and r[1:7] == (None,) * 6 and r[7] for r in rows)


def test_single_choice_questions_have_both_bases(con):
    db, frame = con
    sums = db.execute(
        "SELECT domain, base, sum(share), any_value(n) FROM marts.shares "
        "WHERE dimension = 'ci_stage' AND domain_type = 'country' "
        "AND NOT suppressed GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    for domain, base, total, n in sums:
        in_domain = frame[frame["country"] == domain]
        if base == "respondents who answered":
            assert total == pytest.approx(1, abs=1e-12)
            assert n == in_domain["code"].notna().sum()
        else:
            assert base == "all respondents" and total < 1 and n == len(in_domain)
    assert {b for _, b, _, _ in sums} == {"all respondents", "respondents who answered"}
    (bases,) = db.execute(
        "SELECT list(DISTINCT base) FROM marts.shares WHERE dimension = 'barrier'"
    ).fetchone()
    assert bases == ["all respondents"]


def test_answered_base_matches_reference(con):
    """The answered base is a domain of the whole design (as R's svyby), not a new sample."""
    db, frame = con
    full = frame.assign(y=frame["code"] == "structure", answered=frame["code"].notna())
    ref = survey_proportion(
        full,
        "y",
        weight="weight",
        strata=["country", "org_type"],
        by=["country", "answered"],
        lonely_psu="adjust",
    )
    ref = ref[(ref["country"] == "FR") & ref["answered"] & ref["level"]].iloc[0]
    row = db.execute(
        "SELECT share, se, ci_low, ci_high FROM marts.shares WHERE domain = 'FR' "
        "AND code = 'structure' AND base = 'respondents who answered'"
    ).fetchone()
    assert row == pytest.approx(
        (ref["estimate"], ref["se"], ref["ci_low"], ref["ci_high"]), rel=1e-9
    )


def test_calibrated_shares_have_no_interval(con):
    db, frame = con
    rows = db.execute(
        "SELECT domain_type, calibrated, share, se, ci_low, ci_high, unreliable "
        "FROM marts.shares WHERE dimension = 'org_type' AND NOT suppressed "
        "AND base = 'all respondents'"
    ).fetchall()
    by_country = [r for r in rows if r[0] == "country"]
    assert by_country and all(r[1] and r[3:] == (None, None, None, False) for r in by_country)
    assert all(not r[1] and r[3] is not None for r in rows if r[0] == "scheme_type")
    fr = frame[frame["country"] == "FR"]
    weighted = fr.groupby("org_type")["weight"].sum() / fr["weight"].sum()
    (company,) = db.execute(
        "SELECT share FROM marts.shares WHERE domain = 'FR' "
        "AND dimension = 'org_type' AND code = 'company' "
        "AND base = 'all respondents'"
    ).fetchone()
    assert company == pytest.approx(weighted["company"], rel=1e-12)


def _differing(db, left: str, right: str) -> int:
    """Rows of two marts.shares-like tables that differ (numbers beyond the last bits)."""
    numbers = ("share", "se", "ci_low", "ci_high", "n_eff")
    others = ("n", "n_selected", "df", "suppressed", "calibrated", "unreliable", "label_en")
    return db.execute(
        f"SELECT count(*) FROM {left} g FULL JOIN {right} s USING (wave, domain_type, domain, "
        "base, dimension, code) WHERE "
        + " OR ".join(
            [f"abs(g.{c} - s.{c}) > 1e-12 OR (g.{c} IS NULL) <> (s.{c} IS NULL)" for c in numbers]
            + [f"g.{c} IS DISTINCT FROM s.{c}" for c in others]
        )
    ).fetchone()[0]


def test_a_new_wave_recomputes_only_its_shares_and_a_rebuild_agrees(con):
    """The marts are built wave by wave: adding a wave computes its rows only (the
    waves recomputed are those whose inputs changed), removing one removes its rows,
    and the table equals the one built from scratch."""
    db, _ = con
    db.execute("CREATE TABLE before AS SELECT * FROM marts.shares")
    for table in ("respondents", "weights", "answers", "questions"):
        db.execute(
            f"INSERT INTO core.{table} BY NAME SELECT * REPLACE (2026 AS wave) "
            f"FROM core.{table} WHERE wave = 2025"
        )
    db.execute("UPDATE core.weights SET weight = weight * 2 WHERE wave = 2026")
    _answers_loaded(db)
    warehouse.run_model(db, "marts", "shares")
    assert db.execute("SELECT wave FROM shares_waves_changed").fetchall() == [(2026,)]
    assert (
        db.execute(
            "SELECT * FROM marts.shares WHERE wave = 2025 EXCEPT SELECT * FROM before"
        ).fetchall()
        == []
    )  # untouched
    db.execute("CREATE TABLE grown AS SELECT * FROM marts.shares; DROP TABLE marts.shares")
    warehouse.run_model(db, "marts", "shares")
    assert _differing(db, "grown", "marts.shares") == 0
    assert (
        db.execute("SELECT count(*) FROM grown").fetchone()[0]
        == 2 * db.execute("SELECT count(*) FROM before").fetchone()[0]
    )
    for table in ("respondents", "weights", "answers"):
        db.execute(f"DELETE FROM core.{table} WHERE wave = 2026")
    _answers_loaded(db)
    warehouse.run_model(db, "marts", "shares")
    assert db.execute("SELECT wave FROM shares_waves_changed").fetchall() == [(2026,)]
    assert _differing(db, "before", "marts.shares") == 0


def test_a_change_of_answers_alone_rebuilds_its_wave(con):
    """waves_changed sees answers through core.answers' partition fingerprints."""
    db, _ = con
    db.execute("CREATE TABLE before AS SELECT * FROM marts.shares")
    db.execute(
        "UPDATE core.answers SET code = 'initiate' WHERE wave = 2025 AND dimension = 'ci_stage'"
    )
    warehouse.run_model(db, "marts", "shares")
    assert db.execute("SELECT wave FROM shares_waves_changed").fetchall() == []  # not told
    _answers_loaded(db)
    warehouse.run_model(db, "marts", "shares")
    assert db.execute("SELECT wave FROM shares_waves_changed").fetchall() == [(2025,)]
    (rose,) = db.execute(
        "SELECT bool_and(s.share > b.share + 1e-9) FROM marts.shares s JOIN before b "
        "USING (wave, dimension, code, domain_type, domain) WHERE code = 'initiate'"
    ).fetchone()
    assert rose  # every domain's share of 'initiate' is now higher
