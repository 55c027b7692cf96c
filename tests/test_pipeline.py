"""End to end: every asset materialised in process on a copy of the shipped sample,
against real DuckDB files in a temp dir (see conftest.pipeline_run)."""

from __future__ import annotations

import re

import duckdb

from observatory.codebook import load_codebook
from observatory.config import load_countries
from observatory.ingest.discover import survey_files
from observatory.ingest.readers import read_export
from observatory.stats import korn_graubard

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_every_file_is_accounted_for(pipeline_run, published):
    accounting = published.execute(
        "SELECT file, rows_read, rows_loaded, rows_quarantined FROM audit.row_accounting"
    ).fetchall()
    truth = {f["path"]: f["rows"] for f in pipeline_run.truth["files"]}
    assert len(accounting) == len(survey_files(pipeline_run.raw_dir)) == len(truth) == 15
    for file, read, loaded, quarantined in accounting:
        assert read == loaded + quarantined, file
        relative = file.split("/raw/", 1)[1]
        assert read == truth[relative], file


def test_planted_bad_rows_are_quarantined_with_reasons(pipeline_run, published):
    quarantined = set(
        published.execute(
            "SELECT DISTINCT regexp_extract(file, '/raw/(.*)$', 1), \"row\" FROM audit.quarantine"
        ).fetchall()
    )
    planted = {(b["path"], b["row"]) for b in pipeline_run.truth["bad_rows"]}
    assert planted, "the sample plants bad rows"
    assert quarantined == planted
    assert (
        published.execute(
            "SELECT count(*) FROM audit.quarantine WHERE reason IS NULL OR reason = ''"
        ).fetchone()[0]
        == 0
    )


def _pii_values(raw_dir) -> set[str]:
    book, values = load_codebook(), set()
    for survey in survey_files(raw_dir):
        country = load_countries()[survey.country]
        frame = read_export(survey.path, country.export).frame
        for q in book.questions_for(survey.wave):
            if q.kind == "pii":
                column = book.header(survey.wave, q.id, country.language)
                values |= {v for v in frame[column].dropna() if len(v) >= 6}
    return values


def _strings(con: duckdb.DuckDBPyConnection) -> str:
    parts = []
    for schema, table, column in con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE data_type = 'VARCHAR' AND schema_name NOT IN ('information_schema', "
        "'pg_catalog')"
    ).fetchall():
        parts += [
            v
            for (v,) in con.execute(
                f'SELECT DISTINCT "{column}" FROM {schema}."{table}" WHERE "{column}" IS NOT NULL'
            ).fetchall()
        ]
    return "\n".join(parts)


def test_no_personal_data_reaches_warehouse_or_report(pipeline_run, published):
    pii = _pii_values(pipeline_run.raw_dir)
    assert len(pii) > 100  # e-mails, organisation names, comments
    pipeline = duckdb.connect(str(pipeline_run.warehouse_dir / "pipeline.duckdb"), read_only=True)
    texts = {"published": _strings(published), "pipeline": _strings(pipeline)}
    pipeline.close()
    texts["report"] = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in pipeline_run.reports_dir.rglob("*")
        if p.suffix in (".html", ".csv", ".svg")
    )
    for where, text in texts.items():
        assert not EMAIL.search(text), f"an e-mail address reached the {where}"
        leaked = [v for v in pii if v in text]
        assert not leaked, f"{len(leaked)} PII values reached the {where}: {leaked[:3]}"


def test_planted_effects_are_recovered(pipeline_run, published):
    effects = pipeline_run.truth["effects"]
    level = 1 - 0.05 / len(effects)  # Bonferroni: all intervals hold together at 95 %
    small = {(d["wave"], d["country"]) for d in pipeline_run.truth["generator"]["small_deliveries"]}
    covered95, weighted_err, unweighted_err = 0, 0.0, 0.0
    for e in effects:
        share, n_eff, low, high, n, k, suppressed = published.execute(
            "SELECT share, n_eff, ci_low, ci_high, n, n_selected, suppressed FROM marts.shares "
            "WHERE wave = ? AND domain_type = ? AND domain = ? AND dimension = ? AND code = ? "
            "AND base = 'all respondents'",
            [e["wave"], e["domain_type"], e["domain"], e["dimension"], e["code"]],
        ).fetchone()
        if suppressed:  # only a planted small delivery may be, and it has no estimate
            assert (e["wave"], e["domain"]) in small and share is None, e
            continue
        lo, hi = korn_graubard(share, n_eff, level)
        assert lo <= e["population_share"] <= hi, e
        covered95 += low <= e["population_share"] <= high
        if e["id"] == "E4":
            weighted_err += abs(share - e["population_share"])
            unweighted_err += abs(k / n - e["population_share"])
    assert covered95 >= 0.8 * len(effects)
    assert weighted_err < unweighted_err  # post-stratification corrects the sample's skew


def test_champion_dependency_falls_in_france(published):
    shares = [
        s
        for (s,) in published.execute(
            "SELECT share FROM marts.barriers_by_country WHERE country = 'FR' "
            "AND code = 'champion_dependency' ORDER BY wave"
        ).fetchall()
    ]
    assert len(shares) == 3 and shares[0] > shares[1] > shares[2]


def test_marts_have_estimates_for_every_country_and_wave(published):
    rows = published.execute(
        "SELECT count(DISTINCT country), count(DISTINCT wave), count(*), "
        "count(*) FILTER (WHERE ci_low <= share AND share <= ci_high), "
        "count(*) FILTER (WHERE suppressed) FROM marts.levers_by_country"
    ).fetchone()
    assert rows[:3] == (5, 3, 5 * 3 * 4)
    assert rows[3] + rows[4] == rows[2] and rows[4] == 4  # Greece's 2024 pilot: suppressed


def test_every_analyst_table_and_column_is_documented(published):
    undocumented = published.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('core', 'marts', 'audit') AND comment IS NULL"
    ).fetchall()
    assert undocumented == []
    tables = published.execute(
        "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() "
        "WHERE schema_name IN ('core', 'marts', 'audit')"
    ).fetchall()
    assert len(tables) >= 20
    assert [t for t, c in tables if not c] == []


def test_report_names_all_countries(pipeline_run):
    for lang in ("en", "fr"):
        page = pipeline_run.reports_dir / "2026" / lang / "index.html"
        html = page.read_text(encoding="utf-8")
        for country in load_countries().values():
            assert country.names[lang] in html, (lang, country.code)
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?:", html)


def test_validation_results_are_stored(published):
    total, failed_blocking = published.execute(
        "SELECT count(*), count(*) FILTER (WHERE blocking AND NOT success) "
        "FROM audit.validation_results"
    ).fetchone()
    assert total > 15 * 10 and failed_blocking == 0
