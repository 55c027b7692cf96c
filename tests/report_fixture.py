"""A small DuckDB warehouse with exactly the tables the report reads (waves 2024-2026).

Values are deterministic and plausible, not computed from microdata. Two cells are
planted for the tests:

* Greece 2026, lever ``dedicated_coordination``: n = 8, suppressed. Its share is NULL as
  the contract says, but its se / ci / n_selected carry the tell-tale numbers below so a
  test can prove that the report never prints anything of a suppressed cell.
* Every Greek cell has an effective n below 30 (unreliable), as has the pooled
  ``internal`` scheme type.
* France 2026, barrier ``champion_dependency`` jumps by SIGNIFICANT_JUMP: a significant
  change in ``marts.share_changes`` (computed here as the statistics mart does: z-test
  on the difference of two independent estimates, Benjamini-Hochberg q-values within
  each wave pair). The suppressed Greek cell's change
  row carries LEAK_CHANGE / LEAK_P and ``significant`` wrongly true.
* ``core.questions`` asks every dimension in every wave but ``ci_condition``, first asked
  in 2025 (NOT_IN_FIRST_WAVE); ``audit.raw_files`` dates the last 2026 export
  LAST_ARRIVAL; ``audit.quarantine`` records one problem per quarantined row.
* ``audit.validation_results`` holds two runs: the older one failed an expectation that
  the latest run passes (superseded), the latest fails one non-blocking expectation with
  ``VALIDATION_UNEXPECTED`` values.
"""

from __future__ import annotations

import math
import os
import random
from pathlib import Path

import duckdb
import pandas as pd
from scipy.stats import beta, false_discovery_control, norm

from observatory.codebook import load_codebook
from observatory.config import load_countries

WAVES = (2024, 2025, 2026)
RESPONDENTS = {
    "HR": (62, 70, 75),
    "FR": (210, 220, 240),
    "AT": (95, 100, 110),
    "GR": (40, 45, 48),
    "IT": (130, 140, 150),
}
DEFF = {"HR": 1.4, "FR": 1.3, "AT": 1.5, "GR": 1.8, "IT": 1.35}
SUPPRESSED = (2026, "GR", "lever", "dedicated_coordination")
LEAK_SE, LEAK_CI_LOW, LEAK_CI_HIGH, LEAK_N_SELECTED = 0.1234, 0.4321, 0.8765, 7
LEAK_CHANGE, LEAK_P = 0.3579, 0.0246
SIGNIFICANT = (2026, "FR", "barrier", "champion_dependency")
SIGNIFICANT_JUMP = 0.15
VALIDATION_UNEXPECTED = 3
NOT_IN_FIRST_WAVE = "ci_condition"
LAST_ARRIVAL = "2026-10-20"
SNAPSHOT = "observatory-20261101T060000000000Z.duckdb"  # published on 2026-11-01 06:00 UTC
SCHEME_N = {"company_led": 0.45, "territory_led": 0.42, "internal": 0.13}
COUNTRY_DIMENSIONS = (
    "lever",
    "barrier",
    "scheme_type",
    "sim_role",
    "theme",
    "ci_condition",
    "ci_stage",
)
SCHEME_DIMENSIONS = ("lever", "barrier")


def _korn_graubard(p: float, n_eff: float) -> tuple[float, float]:
    x = p * n_eff
    low = 0.0 if x <= 0 else float(beta.ppf(0.025, x, n_eff - x + 1))
    high = 1.0 if x >= n_eff else float(beta.ppf(0.975, x + 1, n_eff - x))
    return low, high


def _cell(rng: random.Random, p: float, n: int, deff: float, threshold: int = 10) -> dict:
    p = min(max(p, 0.02), 0.97)
    n_eff = n / deff
    low, high = _korn_graubard(p, n_eff)
    return {
        "n": n,
        "n_selected": round(p * n),
        "share": p,
        "se": math.sqrt(p * (1 - p) / n_eff),
        "ci_low": low,
        "ci_high": high,
        "n_eff": n_eff,
        "df": n - 8,
        "suppressed": n < threshold,
        "calibrated": False,
        "unreliable": n_eff < 30 or n < threshold,
    }


def _shares() -> pd.DataFrame:
    book = load_codebook()
    rng = random.Random(2026)
    rows = []
    for dim in COUNTRY_DIMENSIONS:
        codes = list(book.dimensions[dim].codes)
        for c_i, country in enumerate(RESPONDENTS):
            for w_i, wave in enumerate(WAVES):
                n_all = RESPONDENTS[country][w_i]
                for k, code in enumerate(codes):
                    if dim == "scheme_type":
                        p = SCHEME_N[code] + 0.04 * (c_i - 2) * (1 if k == 0 else -0.5)
                    else:
                        p = 0.25 + 0.1 * ((k * 3 + c_i * 2) % 5) + rng.uniform(-0.04, 0.04)
                    if code == "champion_dependency":
                        p = 0.3 + 0.05 * c_i + 0.06 * w_i
                    if code == "multi_actor_complexity":
                        p = 0.55 - 0.04 * c_i + 0.03 * w_i * (1 if c_i % 2 else -1)
                    if (wave, country, dim, code) == SIGNIFICANT:
                        p += SIGNIFICANT_JUMP
                    n = n_all - rng.randint(0, 3)
                    if (wave, country, dim, code) == SUPPRESSED:
                        n = 8
                    cell = _cell(rng, p, n, DEFF[country])
                    if cell["suppressed"]:
                        cell.update(
                            share=None,
                            se=LEAK_SE,
                            ci_low=LEAK_CI_LOW,
                            ci_high=LEAK_CI_HIGH,
                            n_selected=LEAK_N_SELECTED,
                        )
                    rows.append(
                        {
                            "wave": wave,
                            "domain_type": "country",
                            "domain": country,
                            "dimension": dim,
                            "code": code,
                            **cell,
                        }
                    )
    for dim in SCHEME_DIMENSIONS:
        for wave_i, wave in enumerate(WAVES):
            total = sum(r[wave_i] for r in RESPONDENTS.values())
            for s_i, (scheme, frac) in enumerate(SCHEME_N.items()):
                for k, code in enumerate(book.dimensions[dim].codes):
                    p = 0.2 + 0.12 * ((k + 2 * s_i) % 5) + rng.uniform(-0.03, 0.03)
                    deff = 3.0 if scheme == "internal" else 1.5
                    cell = _cell(rng, p, round(total * frac), deff)
                    rows.append(
                        {
                            "wave": wave,
                            "domain_type": "scheme_type",
                            "domain": scheme,
                            "dimension": dim,
                            "code": code,
                            **cell,
                        }
                    )
    frame = pd.DataFrame(rows).assign(base="all respondents")
    frame["label_en"] = [
        book.label(d, c, "en") for d, c in zip(frame.dimension, frame.code, strict=True)
    ]
    frame["label_fr"] = [
        book.label(d, c, "fr") for d, c in zip(frame.dimension, frame.code, strict=True)
    ]
    return frame


def _share_changes(shares: pd.DataFrame) -> pd.DataFrame:
    keys = ["domain_type", "domain", "dimension", "code", "label_en", "label_fr"]
    now = shares.assign(previous_wave=shares["wave"] - 1)
    before = shares[[*keys, "wave", "share", "se", "suppressed"]].rename(
        columns={
            "wave": "previous_wave",
            "share": "previous_share",
            "se": "previous_se",
            "suppressed": "previous_suppressed",
        }
    )
    out = now.merge(before, on=[*keys, "previous_wave"])
    out["suppressed"] = out["suppressed"] | out["previous_suppressed"]
    out["change"] = (out["share"] - out["previous_share"]).where(~out["suppressed"])
    out["se_change"] = (out["se"] ** 2 + out["previous_se"] ** 2) ** 0.5
    out["se_change"] = out["se_change"].where(~out["suppressed"])
    out["z"] = out["change"] / out["se_change"]
    out["p_value"] = 2 * norm.sf(out["z"].abs())
    tested = out["p_value"].notna()
    out["q_value"] = out["p_value"]
    for _, pair in out[tested].groupby(["wave", "previous_wave"]):
        out.loc[pair.index, "q_value"] = false_discovery_control(pair["p_value"])
    out["significant"] = (out["q_value"] < 0.05) & ~out["suppressed"]
    leak = (
        (out["wave"] == SUPPRESSED[0])
        & (out["domain"] == SUPPRESSED[1])
        & (out["dimension"] == SUPPRESSED[2])
        & (out["code"] == SUPPRESSED[3])
    )
    out.loc[leak, ["change", "p_value", "significant"]] = [LEAK_CHANGE, LEAK_P, True]
    return out[
        [
            "wave",
            "previous_wave",
            *keys[:2],
            "base",
            *keys[2:],
            "share",
            "previous_share",
            "change",
            "se_change",
            "z",
            "p_value",
            "q_value",
            "significant",
            "suppressed",
        ]
    ]


def _respondents() -> pd.DataFrame:
    rows = [
        {
            "respondent_key": f"{country}-{wave}-{i:04d}",
            "wave": wave,
            "country": country,
            "org_type": "company" if i % 3 else "association",
            "scheme_type": list(SCHEME_N)[i % 3],
        }
        for country, counts in RESPONDENTS.items()
        for wave, n in zip(WAVES, counts, strict=True)
        for i in range(n)
    ]
    return pd.DataFrame(rows)


def _validation_results() -> pd.DataFrame:
    rows = []
    for run, when in (("run-old", "2026-03-01 10:00:00"), ("run-new", "2026-03-02 10:00:00")):
        for country in RESPONDENTS:
            for wave in WAVES:
                for expectation, column in (
                    ("ExpectColumnValuesToNotBeNull()", "respondent_key"),
                    ("ExpectColumnValuesToBeInSet()", "org_type"),
                ):
                    failed = run == "run-old" and column == "org_type" and country == "IT"
                    rows.append(
                        {
                            "run_id": run,
                            "checked_at": when,
                            "suite": "staged_respondents",
                            "target": "staged.survey_responses",
                            "partition": f"{country}|{wave}",
                            "expectation": expectation,
                            "column": column,
                            "success": not failed,
                            "unexpected_count": 40 if failed else 0,
                            "blocking": True,
                        }
                    )
        for column in ("coordination_fte", "satisfaction"):
            failed = run == "run-new" and column == "satisfaction"
            rows.append(
                {
                    "run_id": run,
                    "checked_at": when,
                    "suite": "core_respondents",
                    "target": "core.respondents",
                    "partition": None,
                    "expectation": "ExpectColumnValuesToBeBetween()",
                    "column": column,
                    "success": not failed,
                    "unexpected_count": VALIDATION_UNEXPECTED if failed else 0,
                    "blocking": False,
                }
            )
    frame = pd.DataFrame(rows)
    frame["checked_at"] = pd.to_datetime(frame["checked_at"])
    return frame


def _cases() -> tuple[pd.DataFrame, pd.DataFrame]:
    book = load_codebook()
    rng = random.Random(7)
    cases, attributes = [], []
    subthemes = book.dimensions["subtheme"].codes
    for i in range(36):
        country = list(RESPONDENTS)[i % 5]
        sub = rng.choice(sorted(subthemes))
        case_id = f"C{i + 1:03d}"
        cases.append(
            {
                "case_id": case_id,
                "country": country,
                "year": WAVES[i % 3],
                "scheme_type": rng.choice(
                    ["company_led", "territory_led", "territory_led", "internal"]
                ),
                "theme": subthemes[sub].parent,
                "subtheme": sub,
                "outcome": rng.choice(sorted(book.dimensions["outcome"].codes)),
            }
        )
        for dim, k in (("sim_role", 2), ("lever", 2), ("barrier", 2), ("transferability", 2)):
            for code in rng.sample(sorted(book.dimensions[dim].codes), k):
                attributes.append({"case_id": case_id, "dimension": dim, "code": code})
    return pd.DataFrame(cases), pd.DataFrame(attributes)


def _row_accounting() -> pd.DataFrame:
    rows = []
    ext = {"HR": "csv", "FR": "csv", "AT": "xlsx", "GR": "csv", "IT": "sav"}
    for country, counts in RESPONDENTS.items():
        for w_i, wave in enumerate(WAVES):
            quarantined = (w_i + len(country) + ord(country[0])) % 4
            rows.append(
                {
                    "wave": wave,
                    "country": country,
                    "file": f"data/raw/surveys/{wave}/{country}/export.{ext[country]}",
                    "rows_read": counts[w_i] + quarantined,
                    "rows_loaded": counts[w_i],
                    "rows_quarantined": quarantined,
                }
            )
    return pd.DataFrame(rows)


def _questions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "wave": wave,
                "instrument_version": f"{wave}.1",
                "question": f"q_{dim}",
                "kind": "multi",
                "dimension": dim,
            }
            for wave in WAVES
            for dim in COUNTRY_DIMENSIONS
            if not (dim == NOT_IN_FIRST_WAVE and wave == WAVES[0])
        ]
    )


def _raw_files(accounting: pd.DataFrame) -> pd.DataFrame:
    frame = (
        accounting[["file", "wave", "country", "rows_read"]]
        .rename(columns={"rows_read": "rows"})
        .assign(kind="survey", sha256="0" * 64, bytes=1000)
    )
    day = {c: i + 16 for i, c in enumerate(RESPONDENTS)}  # the last one arrives on the 20th
    frame["arrived_at"] = pd.to_datetime(
        [f"{w}-10-{day[c]} 09:00:00" for w, c in zip(frame["wave"], frame["country"], strict=True)]
    )
    return frame[["file", "kind", "wave", "country", "sha256", "bytes", "rows", "arrived_at"]]


def _quarantine(accounting: pd.DataFrame) -> pd.DataFrame:
    rows = [
        {
            "wave": r.wave,
            "country": r.country,
            "file": r.file,
            "row": 2 + i,
            "column": "org_type",
            "value": "withheld",
            "reason": "unknown org_type",
        }
        for r in accounting.itertuples()
        for i in range(r.rows_quarantined)
    ]
    return pd.DataFrame(rows)


def make_published_warehouse(root: Path) -> Path:
    """A published warehouse as a refresh leaves it: ``root/observatory.duckdb``, a hard
    link to its dated snapshot ``root/snapshots/SNAPSHOT``; returns the published path."""
    (root / "snapshots").mkdir(parents=True)
    make_fixture_warehouse(root / "snapshots" / SNAPSHOT)
    os.link(root / "snapshots" / SNAPSHOT, root / "observatory.duckdb")
    return root / "observatory.duckdb"


SHARE_COLUMNS = """n INTEGER, n_selected INTEGER, share DOUBLE, se DOUBLE, ci_low DOUBLE,
    ci_high DOUBLE, n_eff DOUBLE, df INTEGER, suppressed BOOLEAN, calibrated BOOLEAN,
    unreliable BOOLEAN"""


def make_fixture_warehouse(path: Path) -> None:
    """Write a fixture warehouse at ``path`` (replacing any file there)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    shares = _shares()
    cases, attributes = _cases()
    accounting = _row_accounting()
    countries = pd.DataFrame(
        [
            {
                "country": c.code,
                "name_en": c.names["en"],
                "name_fr": c.names["fr"],
                "language": c.language,
            }
            for c in load_countries().values()
        ]
    )
    con = duckdb.connect(str(path))
    try:
        for name, frame in (
            ("countries_df", countries),
            ("shares_df", shares),
            ("cases_df", cases),
            ("attributes_df", attributes),
            ("accounting_df", accounting),
            ("changes_df", _share_changes(shares)),
            ("respondents_df", _respondents()),
            ("validation_df", _validation_results()),
            ("questions_df", _questions()),
            ("raw_files_df", _raw_files(accounting)),
            ("quarantine_df", _quarantine(accounting)),
        ):
            con.register(name, frame)
        for schema in ("core", "marts", "audit"):
            con.execute(f"CREATE SCHEMA {schema}")
        con.execute("""CREATE TABLE core.countries (country VARCHAR, name_en VARCHAR,
            name_fr VARCHAR, language VARCHAR)""")
        con.execute("INSERT INTO core.countries SELECT * FROM countries_df")
        con.execute(f"""CREATE TABLE marts.shares (wave INTEGER, domain_type VARCHAR,
            domain VARCHAR, base VARCHAR, dimension VARCHAR, code VARCHAR, label_en VARCHAR,
            label_fr VARCHAR, {SHARE_COLUMNS})""")
        con.execute("""INSERT INTO marts.shares SELECT wave, domain_type, domain, base,
            dimension, code, label_en, label_fr, n, n_selected, share, se, ci_low, ci_high,
            n_eff, df, suppressed, calibrated, unreliable FROM shares_df""")
        con.execute("""CREATE TABLE marts.share_changes (wave INTEGER, previous_wave INTEGER,
            domain_type VARCHAR, domain VARCHAR, base VARCHAR, dimension VARCHAR,
            code VARCHAR, label_en VARCHAR, label_fr VARCHAR, share DOUBLE,
            previous_share DOUBLE, change DOUBLE, se_change DOUBLE, z DOUBLE, p_value DOUBLE,
            q_value DOUBLE, significant BOOLEAN, suppressed BOOLEAN)""")
        con.execute("INSERT INTO marts.share_changes SELECT * FROM changes_df")
        con.execute("""CREATE TABLE core.respondents (respondent_key VARCHAR, wave INTEGER,
            country VARCHAR, org_type VARCHAR, scheme_type VARCHAR)""")
        con.execute("INSERT INTO core.respondents SELECT * FROM respondents_df")
        con.execute("""CREATE TABLE audit.validation_results (run_id VARCHAR,
            checked_at TIMESTAMP, suite VARCHAR, target VARCHAR, partition VARCHAR,
            expectation VARCHAR, "column" VARCHAR, success BOOLEAN, unexpected_count BIGINT,
            blocking BOOLEAN)""")
        con.execute("INSERT INTO audit.validation_results SELECT * FROM validation_df")
        con.execute("""CREATE TABLE core.cases (case_id VARCHAR, country VARCHAR,
            year INTEGER, scheme_type VARCHAR, theme VARCHAR, subtheme VARCHAR,
            outcome VARCHAR)""")
        con.execute("INSERT INTO core.cases SELECT * FROM cases_df")
        con.execute("""CREATE TABLE core.case_attributes (case_id VARCHAR,
            dimension VARCHAR, code VARCHAR)""")
        con.execute("INSERT INTO core.case_attributes SELECT * FROM attributes_df")
        con.execute("""CREATE TABLE audit.row_accounting (wave INTEGER, country VARCHAR,
            file VARCHAR, rows_read INTEGER, rows_loaded INTEGER, rows_quarantined INTEGER)""")
        con.execute("INSERT INTO audit.row_accounting SELECT * FROM accounting_df")
        con.execute("""CREATE TABLE core.questions (wave INTEGER, instrument_version VARCHAR,
            question VARCHAR, kind VARCHAR, dimension VARCHAR)""")
        con.execute("INSERT INTO core.questions SELECT * FROM questions_df")
        con.execute("""CREATE TABLE audit.raw_files (file VARCHAR, kind VARCHAR, wave INTEGER,
            country VARCHAR, sha256 VARCHAR, bytes BIGINT, rows INTEGER,
            arrived_at TIMESTAMP)""")
        con.execute("INSERT INTO audit.raw_files SELECT * FROM raw_files_df")
        con.execute("""CREATE TABLE audit.quarantine (wave INTEGER, country VARCHAR,
            file VARCHAR, "row" INTEGER, "column" VARCHAR, value VARCHAR, reason VARCHAR)""")
        con.execute("INSERT INTO audit.quarantine SELECT * FROM quarantine_df")
    finally:
        con.close()
