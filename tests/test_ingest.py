"""Ingestion: nothing lost on any reader path, provenance of what the reader found,
re-ingesting changes nothing, and the data-quality page of a refresh."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import duckdb
import pandas as pd
import pytest

from assets.runner import refresh
from observatory import warehouse
from observatory.codebook import load_codebook, validate
from observatory.config import load_countries
from observatory.ingest.harmonise import SchemaError
from observatory.ingest.readers import ReadError, _cell_issues
from observatory.ingest.stage import harmonise_survey, read_survey
from observatory.ingest.textfile import MAX_CELL
from observatory.quality.page import write_page
from tests.corpus.make_corpus import build
from tests.test_refresh import _hashes


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    build(out)
    return out / "2024"


def test_every_readable_corpus_file_balances(corpus):
    """rows read = loaded + quarantined, and every quarantined row is a row of the file."""
    checked = 0
    for path in sorted(p for p in corpus.glob("*/*") if p.is_file()):
        country = load_countries()[path.parent.name]
        try:
            raw = read_survey(path, 2024, country)
            staged = harmonise_survey(raw, 2024, country)
        except (ReadError, SchemaError):
            continue
        assert staged.rows_read == staged.rows_loaded + staged.rows_quarantined, path
        assert set(staged.quarantine["row"]) <= set(raw.rows), path
        assert staged.quarantine["reason"].str.len().min() > 0 if len(staged.quarantine) else 1
        checked += 1
    assert checked >= 30


def test_spss_user_missing_values_read_as_blanks(corpus):
    country = load_countries()["IT"]
    declared = harmonise_survey(
        read_survey(corpus / "IT" / "user_missing.sav", 2024, country), 2024, country
    )
    assert declared.rows_quarantined == 0
    assert declared.respondents["satisfaction"].isna().sum() == 1
    undeclared = harmonise_survey(
        read_survey(corpus / "IT" / "undeclared_99.sav", 2024, country), 2024, country
    )
    assert undeclared.quarantine["value"].tolist() == ["99"]


def test_cell_issues_come_column_by_column_long_cells_first_in_row_order():
    """A workbook's or SPSS file's cells are checked all at once; the issues still come
    as a column-by-column check gives them (quarantine order, `observatory check`)."""
    long = "x" * (MAX_CELL + 1)
    frame = pd.DataFrame(
        {"a": ["ok", long, "b\x07", "\x00" + long, None], "b": [long, 3.5, None, "\x1f", "z"]},
        index=range(2, 7),
        dtype=object,
    )
    found = [(i.index, i.column, i.reason[:9]) for i in _cell_issues(frame)]
    assert found == [
        (3, "a", "cell of 1"),
        (5, "a", "cell of 1"),
        (4, "a", "control c"),
        (5, "a", "control c"),
        (2, "b", "cell of 1"),
        (5, "b", "control c"),
    ]
    assert _cell_issues(frame.iloc[:0]) == []


def test_codebook_rejects_an_alias_that_clashes_with_an_ignored_column():
    book = load_codebook()
    clash = dataclasses.replace(book, ignored=(*book.ignored, "Identifiant"))
    assert validate(book) == []
    assert any(
        "respondent_id and an ignored column share the header 'identifiant'" in p
        for p in validate(clash)
    )


def test_provenance_records_what_the_reader_found(pipeline_run):
    con = duckdb.connect(str(pipeline_run.warehouse_dir / "pipeline.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT r.country, r.encoding, r.delimiter, r.rows = a.rows_read, r.run_id IS NOT NULL "
        "FROM audit.raw_files r JOIN audit.row_accounting a USING (file)"
    ).fetchall()
    con.close()
    assert len(rows) == 15 and all(same and run for *_, same, run in rows)
    found = {(c, e, d) for c, e, d, *_ in rows}
    assert {("FR", "utf-8-sig", ";"), ("HR", "cp1250", ";"), ("GR", "cp1253", ",")} < found


def test_reingesting_the_same_files_changes_no_table(pipeline_run):
    first = _hashes(pipeline_run.warehouse_dir)
    again = refresh(pipeline_run.defs, pipeline_run.raw_dir, progress=lambda _: None)
    assert again.ok, again.problems
    assert _hashes(pipeline_run.warehouse_dir) == first
    assert {t.split(".")[0] for t in first} == {"staging", "core", "marts"}
    con = duckdb.connect(str(pipeline_run.warehouse_dir / "pipeline.duckdb"), read_only=True)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM audit.row_accounting), "
        "(SELECT count(DISTINCT file) FROM audit.raw_files "
        " WHERE kind = 'survey')"
    ).fetchone()
    con.close()
    assert counts == (15, 15)


def test_each_refresh_writes_the_data_quality_page(pipeline_run):
    folder = pipeline_run.reports_dir / "data-quality"
    page = (folder / "index.html").read_text(encoding="utf-8")
    dated = sorted(folder.glob("20??-??-??.html"))  # one per day a refresh ran on
    assert dated and dated[-1].read_text(encoding="utf-8") == page  # the last is this page
    bad = pipeline_run.truth["bad_rows"]
    read = sum(f["rows"] for f in pipeline_run.truth["files"])
    assert f"15 file(s): {read} rows read" in page
    assert f"{len({(b['path'], b['row']) for b in bad})} quarantined" in page
    assert "Every file balances" in page and "no blocking failure" in page
    assert "surveys/2024/FR/survey_fr_2024.csv" in page
    assert "Evaluieren" in page  # an unmapped label is shown ...
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", page)  # ... never personal data


def test_the_page_withholds_personal_data_and_ids(tmp_path):
    db = tmp_path / "w.duckdb"
    con = warehouse.connect(db)
    con.execute(
        "INSERT INTO audit.row_accounting VALUES "
        "(2024, 'FR', '/x/surveys/2024/FR/a.csv', 3, 1, 2, 'r1', NULL, NULL)"
    )
    con.execute("INSERT INTO audit.case_accounting VALUES ('/x/cases/c.csv', 4, 3, 1, 'r1', NULL)")
    con.execute(
        "INSERT INTO audit.case_quarantine VALUES ('/x/cases/c.csv', 5, 'outcome', "
        "'invented', 'not a code of outcome', 'r1')"
    )
    con.execute(
        "INSERT INTO audit.quarantine VALUES "
        "(2024, 'FR', '/x/surveys/2024/FR/a.csv', 2, 'Commentaire libre', "
        " 'Jeanne Martin 06 12 34 56 78', 'cell of 20000 characters', 'r1'), "
        "(2024, 'FR', '/x/surveys/2024/FR/a.csv', 3, 'Identifiant', 'FR-77', "
        " 'duplicate respondent id in rows 3, 4', 'r1'), "
        "(2024, 'FR', '/x/surveys/2024/FR/a.csv', 3, 'Type d''organisation', 'Mixte', "
        " 'unknown label for org_type', 'r1')"
    )
    con.execute(
        "INSERT INTO audit.validation_results VALUES "
        "('r1', TIMESTAMP '2026-01-01', 's', 'staged', 'FR|2024', 'E()', 'c', false, 4, "
        "true)"
    )
    con.close()
    index, dated = write_page(db, tmp_path / "reports", dt.datetime(2026, 3, 4, 5, 6))
    page = index.read_text(encoding="utf-8")
    assert dated.name == "2026-03-04.html" and dated.read_text(encoding="utf-8") == page
    assert "Mixte" in page and "Jeanne" not in page and "FR-77" not in page
    assert "1 blocking failure(s)" in page and "1 file(s) do not balance" not in page
    assert "duplicate respondent id</td>" in page  # row lists folded into one reason
    assert "<td>invented</td><td>not a code of outcome</td>" in page  # case studies
