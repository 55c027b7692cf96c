"""Small cells on the pipeline's own warehouse: the strata check, disclosure control on
every output (warehouse, Parquet, report CSVs) with the same flags everywhere, and marts
that do not depend on the order the rows were loaded in."""

from __future__ import annotations

from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from assets.defs.core.checks import small_strata
from observatory import warehouse
from tests.conftest import make_resource

HIDDEN = ("n_selected", "share", "se", "ci_low", "ci_high", "n_eff")
CORE_INPUTS = (
    "respondents",
    "weights",
    "answers",
    "questions",
    "taxonomy",
    "frames",
    "cases",
    "case_attributes",
    "countries",
)


def test_small_strata_are_named_by_a_warning(tmp_path):
    resource = make_resource(tmp_path, tmp_path / "raw")
    with resource.connect() as con:
        con.execute("""
            CREATE TABLE core.frames AS SELECT * FROM (VALUES
                (2025, 'FR', 'company', 500), (2025, 'FR', 'foundation', 4000),
                (2025, 'FR', 'academic', 80), (2025, 'IT', 'company', 900))
                t(wave, country, org_type, population);
            CREATE TABLE core.weights AS SELECT 'k' || i AS respondent_key, 2025 AS wave,
                CASE WHEN i < 12 THEN 'IT' ELSE 'FR' END AS country,
                CASE WHEN i = 12 THEN 'foundation' ELSE 'company' END AS org_type,
                1.0 AS weight FROM range(20) r(i)""")
        warehouse.run_model(con, "marts", "weight_diagnostics")
        rows = con.execute(
            "SELECT country, lonely_strata, empty_strata "
            "FROM marts.weight_diagnostics ORDER BY country"
        ).fetchall()
    assert rows == [("FR", ["foundation"], ["academic"]), ("IT", [], [])]
    result = small_strata(observatory=resource)
    assert not result.passed and result.severity.value == "WARN"
    listed = result.metadata["strata"].value
    assert "2025 FR foundation: one respondent" in listed
    assert "2025 FR academic: no respondent" in listed and "IT" not in listed


def test_suppressed_cells_reveal_nothing_in_the_warehouse_and_parquet(pipeline_run, published):
    parquet = pipeline_run.warehouse_dir / "parquet" / "marts" / "shares.parquet"
    for source in ("marts.shares", f"'{parquet}'"):
        leaks = published.execute(
            f"SELECT count(*) FROM {source} WHERE suppressed AND NOT ("
            + " AND ".join(f"{c} IS NULL" for c in HIDDEN)
            + ")"
        ).fetchone()[0]
        flags = published.execute(
            f"SELECT count(*) FROM {source} WHERE suppressed AND NOT unreliable "
            "OR (n < 10) <> suppressed"
        ).fetchone()[0]
        assert (leaks, flags) == (0, 0), source


def test_report_csvs_agree_with_the_warehouse(pipeline_run, published):
    """Every report CSV built from a share mart: the same flags as the warehouse row, and
    nothing but n for a suppressed cell."""
    folder = pipeline_run.reports_dir / "2026" / "data"
    marts = {
        t
        for (t,) in published.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
    }
    checked = 0
    for path in sorted(folder.glob("*.csv")):
        if path.stem not in marts:
            continue
        csv = pd.read_csv(path)
        domain = "country" if "country" in csv else "scheme_type"
        mart = published.execute(
            f"SELECT wave, {domain}, code, suppressed, unreliable FROM marts.{path.stem} "
            "WHERE base = 'all respondents'"
        ).df()
        both = csv.merge(mart, on=["wave", domain, "code"], suffixes=("", "_mart"), validate="1:1")
        assert len(both) == len(csv) > 0, path.name
        for flag in ("suppressed", "unreliable"):
            assert (both[flag] == both[f"{flag}_mart"]).all(), (path.name, flag)
        assert both.loc[both["suppressed"], list(HIDDEN)].isna().all().all(), path.name
        checked += 1
    assert checked >= 8


def _build_marts(core: dict[str, pd.DataFrame], path: Path, order: int, threads: int) -> None:
    """The marts of a warehouse whose core tables hold `core`'s rows in another order."""
    con = warehouse.connect(path)
    con.execute(f"SET threads = {threads}")
    for name, frame in core.items():
        rng = np.random.default_rng(order)
        con.register("rows", frame.iloc[rng.permutation(len(frame))])
        con.execute(f"CREATE TABLE core.{name} AS SELECT * FROM rows")
        con.unregister("rows")
    graph = {
        name: {
            i.split(".")[1] for i in warehouse.model_inputs("marts", name) if i.startswith("marts.")
        }
        for name in warehouse.models("marts")
    }
    for name in TopologicalSorter(graph).static_order():
        warehouse.run_model(con, "marts", name)
    con.close()


def test_marts_do_not_depend_on_load_order(published, tmp_path):
    core = {name: published.execute(f"SELECT * FROM core.{name}").df() for name in CORE_INPUTS}
    paths = [tmp_path / f"build{i}.duckdb" for i in (1, 2)]
    _build_marts(core, paths[0], order=1, threads=1)
    _build_marts(core, paths[1], order=2, threads=2)
    with (
        duckdb.connect(str(paths[0]), read_only=True) as one,
        duckdb.connect(str(paths[1]), read_only=True) as two,
    ):
        tables = [
            t
            for (t,) in one.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        ]
        assert len(tables) >= 25
        for table in tables:
            columns = [
                c
                for (c,) in one.execute(
                    f"SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
                    f"AND table_name = '{table}'"
                ).fetchall()
            ]
            first = one.execute(f"SELECT * FROM marts.{table} ORDER BY ALL").df()
            second = two.execute(f"SELECT * FROM marts.{table} ORDER BY ALL").df()
            assert len(first) == len(second) > 0, table
            for column in columns:
                a, b = first[column], second[column]
                if pd.api.types.is_float_dtype(a):
                    np.testing.assert_allclose(
                        b, a, rtol=1e-12, atol=1e-12, err_msg=f"{table}.{column}"
                    )
                else:
                    assert a.astype(str).tolist() == b.astype(str).tolist(), f"{table}.{column}"


def test_shares_of_zero_and_one_are_exact(published):
    """A share of 0 or 1 is exact with a zero SE (no rounding noise left to reach its CI)."""
    rows = published.execute(
        "SELECT share, se, ci_low, ci_high FROM marts.shares WHERE n_selected IN (0, n) "
        "AND NOT calibrated"
    ).fetchall()
    assert rows and all(r[0] in (0.0, 1.0) and r[1] == 0.0 for r in rows)
    assert all(r[3] == 1.0 for r in rows if r[0] == 1.0)
    assert all(r[2] == 0.0 for r in rows if r[0] == 0.0)


def test_the_sample_plants_a_suppressed_and_an_unreliable_cell(pipeline_run, published):
    """Greece's 2024 pilot loads fewer than 10 respondents: all its cells are suppressed;
    Austria's 2025 export fewer than 30: all its cells are unreliable, none suppressed.
    The report shows both as a reader sees them."""
    cells = published.execute(
        "SELECT wave, domain, bool_and(suppressed), bool_or(suppressed), "
        "bool_and(unreliable) FILTER (WHERE NOT calibrated) "
        "FROM marts.shares WHERE domain_type = 'country' GROUP BY ALL"
    ).fetchall()
    suppressed = {(w, d) for w, d, every, _, _ in cells if every}
    assert suppressed == {(w, d) for w, d, _, some, _ in cells if some} == {(2024, "GR")}
    assert {(w, d) for w, d, _, _, shaky in cells if shaky} >= {(2024, "GR"), (2025, "AT")}
    (lonely,) = published.execute(
        "SELECT list(country) FROM marts.weight_diagnostics "
        "WHERE len(lonely_strata) + len(empty_strata) > 0"
    ).fetchone()
    assert "GR" in lonely
    trend = pd.read_csv(pipeline_run.reports_dir / "2026" / "data" / "trend_levers.csv")
    at = trend[(trend["wave"] == 2025) & (trend["country"] == "AT")]
    assert len(at) and (at["unreliable"] & ~at["suppressed"] & at["share"].notna()).all()
    for lang, words in (
        ("en", "Not shown (fewer than 10 respondents)"),
        ("fr", "Non affiché (moins de 10 répondants)"),
    ):
        html = (pipeline_run.reports_dir / "2026" / lang / "index.html").read_text("utf-8")
        assert words in html and "2024" in html[html.index(words) :][:400]
        assert '"flag": "†"' in html or '"flag":"†"' in html
