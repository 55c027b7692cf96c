"""Security: file names cannot lead outside data/, input never becomes SQL, exported
tables cannot carry spreadsheet formulas, and no personal data reaches the warehouse or
the reports."""

from __future__ import annotations

import ast
import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from observatory.exports import FORMULA_START, neutralise
from observatory.ingest.discover import survey_files, unreadable
from observatory.ingest.sniff import ReadError
from tests.conftest import REPO, SAMPLE
from tests.test_faults import cli, observatory_env
from tests.test_pipeline import EMAIL, _pii_values, _strings

HOSTILE = "'; DROP TABLE core.respondents; --"


# --- file names cannot escape data/ ----------------------------------------------------


@pytest.fixture()
def raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    return raw


def test_a_linked_folder_leading_outside_raw_is_refused(raw, tmp_path):
    outside = tmp_path / "elsewhere"
    shutil.move(raw / "surveys" / "2024" / "FR", outside)
    (raw / "surveys" / "2024" / "FR").symlink_to(outside, target_is_directory=True)
    problems = unreadable(raw)
    assert list(problems) == [raw / "surveys" / "2024" / "FR"]
    assert f"links to {outside}, outside {raw}" in problems[raw / "surveys" / "2024" / "FR"]
    assert not [f for f in survey_files(raw) if (f.wave, f.country) == (2024, "FR")]


def test_a_linked_export_leading_outside_raw_is_refused(raw):
    link = raw / "surveys" / "2025" / "IT" / "passwd.csv"
    link.symlink_to("/etc/passwd")
    problems = unreadable(raw)
    assert list(problems) == [link.parent]
    assert problems[link.parent].startswith(f"{link}: links to /etc/passwd, outside {raw}")
    assert all(f.path.resolve().is_relative_to(raw.resolve()) for f in survey_files(raw))
    assert len(survey_files(raw)) == 14  # the sample's 15 exports but Italy 2025


@pytest.mark.parametrize(
    "folder, name", [("frames", "frame_2024.csv"), ("cases", "case_studies.csv")]
)
def test_a_frame_or_case_file_leading_outside_raw_is_refused(raw, tmp_path, folder, name):
    from observatory.warehouse.inputs import read_cases, read_frames

    read = read_frames if folder == "frames" else read_cases
    assert len(read(raw))
    link, outside = raw / folder / name, tmp_path / "elsewhere" / name
    outside.parent.mkdir()
    shutil.move(link, outside)
    link.symlink_to(outside)
    with pytest.raises(ReadError, match=f"{link}: links to {outside}, outside {raw}"):
        read(raw)
    link.unlink()
    (raw / folder).rename(tmp_path / folder)  # the whole folder, linked from outside
    shutil.move(outside, tmp_path / folder / name)
    (raw / folder).symlink_to(tmp_path / folder, target_is_directory=True)
    with pytest.raises(ReadError, match="outside"):
        read(raw)


def test_a_link_inside_raw_is_read(raw):
    original = raw / "surveys" / "2025" / "FR" / "survey_fr_2025.csv"
    moved = raw / "archive" / original.name
    moved.parent.mkdir()
    shutil.move(original, moved)
    original.symlink_to(moved)
    assert unreadable(raw) == {}
    assert original in [f.path for f in survey_files(raw)]


def test_traversal_in_cli_arguments_is_rejected(tmp_path):
    env = observatory_env(tmp_path, SAMPLE)
    for args in (["--country", "../../etc/passwd"], ["--wave", "../../etc"]):
        done = cli("refresh", *args, env=env)
        assert done.returncode != 0, args
        assert "Traceback" not in done.stderr and "../../etc" in done.stderr, done.stderr
    assert not (tmp_path / "warehouse").exists()


def test_observatory_sql_cannot_read_or_write_files(tmp_path, pipeline_run):
    env = {"OBSERVATORY_WAREHOUSE_DIR": str(pipeline_run.warehouse_dir)}
    target = tmp_path / "out.csv"
    for query in (
        "SELECT * FROM read_csv('/etc/passwd')",
        f"COPY (SELECT 1) TO '{target}'",
        f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
        "SET enable_external_access = true",
    ):
        done = cli("sql", query, env=env)
        assert done.returncode == 1 and "sql error" in done.stderr, (query, done.stderr)
        assert "root:" not in done.stdout
    assert list(tmp_path.iterdir()) == []


# --- no input is ever interpolated into SQL --------------------------------------------

SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|DELETE|UPDATE|CREATE|DROP|COPY|ATTACH|COMMENT ON|"
    r"SET|FROM|WHERE)\b"
)
# Every expression spliced into SQL text in the library and the code location, and
# where its value comes from. Anything else fails this test until reviewed.
REVIEWED = {
    "schema": "a schema name from ANALYST_SCHEMAS or the catalog (duckdb_tables)",
    "name": 'schema."table" built from the catalog (duckdb_tables), or a model name '
    "(a .sql file name of the package)",
    "table": "a table name from the catalog or from PARTITION_TABLES (code)",
    "column": "a column name from the catalog (duckdb_columns)",
    "columns": "quoted column names a suite checks: question ids of the codebook (code)",
    "folder": "core or marts, the package's SQL folders",
    "table_name": "a table name from the catalog",
    "', '.join((_quote(s) for s in ANALYST_SCHEMAS))": "constants, quoted",
    "_quote(comment)": "a table comment from the catalog, written by our SQL files; quoted",
    "quote(docs[column])": "columns.yaml documentation text; quoted",
    "_quote(str(path))": "an output path built from the warehouse dir and a table name",
    "_quote(text)": "a table or column comment from the catalog; quoted",
    "IDS": "a staging table name (constant in ingest/load.py)",
    "incoming": "a staging table name from INCOMING (constant in ingest/load.py)",
    "mode": "'' or 'OR REPLACE', passed by code (ingest/load.py insert)",
    "t": "a temporary table name from INCOMING/IDS or a constant (ingest/load.py close)",
    "_rows(len(files), 9)": "'(?, ...)' placeholders: the values are bound parameters",
    "_rows(len(files), 4)": "'(?, ...)' placeholders: the values are bound parameters",
    "relation": "a SELECT written in code (batches.STAGED, the core checks' table names)",
    "key": "the column a suite's batches are keyed by (respondent_key, code)",
    "batches": "the number of batches, an integer computed from a row count",
    "batch": "a batch number, an integer from range()",
    "cells": "quoted column names from the catalog (duckdb_columns)",
    "CHANGED": "a SELECT constant in warehouse/snapshot.py",
    "PARTS.format('staging.core_answers_loaded')": "a SELECT constant on a table named in code",
    "PARTS.format('last_publish.answers')": "a SELECT constant on a table named in code",
    # the DuckDB staging path (ingest/duckread.py, ingest/sqlstage.py): a file's header,
    # name and labels only ever reach SQL through lit()/ident() (quotes doubled; files
    # with control characters take the Python path); src's columns are named c0, c1, ...
    "lit(first)": "the file's first header, normalised; quoted",
    "lit(c.header)": "a header of the file; quoted",
    "lit(id_column.header)": "the id column's header in the file; quoted",
    "lit(first['subtheme'].header)": "the subtheme column's header in the file; quoted",
    "lit(file)": "the export's path; quoted",
    "STRIP": "a regular expression of duckread.py (str.strip's characters); quoted",
    "ident(c.name)": "a column of src, named c0, c1, ... in code; quoted",
    "', '.join(columns)": 't0 AS "c0", ...: positions and generated names, quoted',
    "names": "generated src column names (c0, c1, ...), quoted",
    "cell or \"''\"": "generated src column names, quoted",
    "picks": "any_value(...) FILTER (col = <quoted generated name>) AS <quoted question id>",
    "heads": "VALUES of quoted generated names and quoted file headers",
    "parents": "VALUES of quoted subtheme and theme codes of the codebook",
    "split": "string_split on the country's configured separator, quoted",
    "_unpivot(coded, row)": "an UNPIVOT of src over generated, quoted column names",
    "_unpivot(numeric, row)": "an UNPIVOT of src over generated, quoted column names",
    "_pivot('ingest_mapped', 'code', singles)": "a pivot over quoted names and question ids",
    "_pivot('ingest_numbers', 'number', numbers)": "a pivot over quoted names and question ids",
    "keyed": "HMAC-SHA256 in SQL: hex of the key, a quoted generated column name",
    "common": "the wave (an integer) and the country code (quoted, from countries.yaml)",
    "value": "a CASE expression written in code with MAX_VALUE (an integer)",
    "filled": "t0 IS NOT NULL OR ...: generated names",
    "total": "coalesce(length(#1), 0) + ...: column positions (integers)",
    "_longest(width)": "an integer computed from the column count",
    "width": "the header's column count, an integer",
    "row": "a record's row in src: sqlstage.LINE (rowid + 2) or tablepath.ROW (a column name)",
    "q": "a question id of the codebook",
    "ord": "ord or 0, constants of sqlstage.py",
    "r": "a quarantine rule's SELECT built by sqlstage._rules from the above",
    "source": "a temp table name written in code (ingest_parts, ingest_cells)",
    "to.quarantine": "a staging table name from load.py's constants",
    "to.ids": "a staging table name from load.py's constants",
    "to.file_no": "the file's number in its partition, an integer",
    "to.responses": "a staging table name from load.py's constants",
    "to.answers": "a staging table name from load.py's constants",
    # the staged suites over a run's partitions (quality/partitions.py)
    "self.query": "a suite's SELECT, a constant of quality/batches.py (STAGED)",
    "PARTITIONS": "a SELECT constant of quality/partitions.py (the partitions as parameters)",
    # a suite's distinct values and keys (quality/batches.py)
    "VALUES.format(number)": "a temp table name: a constant and an integer",
    "picked": "a quoted column of the suite, or any_value() of it",
    "grouped": "a quoted column of the suite, or `IS NULL` of it",
    "quoted": "quoted columns of the suite (question ids of the codebook, written in code)",
    "', '.join(picks)": "temp table columns (value, n) as quoted columns of the suite",
    "' '.join(joins)": "joins of temp tables (VALUES) on positions, sizes as integers",
    "first": "a position, an integer from range()",
    "last": "a position, an integer computed from row counts",
}


def _sql_fstrings(root: Path) -> list[tuple[str, int, str]]:
    """(file, line, interpolated expression) of every f-string that looks like SQL."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if SQL_WORDS.search(text):
                found += [
                    (str(path.relative_to(REPO)), node.lineno, ast.unparse(v.value))
                    for v in node.values
                    if isinstance(v, ast.FormattedValue)
                ]
    return found


def test_sql_text_only_splices_names_from_code_or_the_catalog():
    spliced = _sql_fstrings(REPO / "observatory") + _sql_fstrings(REPO / "assets")
    assert spliced, "the scan finds the library's SQL f-strings"
    unreviewed = [s for s in spliced if s[2] not in REVIEWED]
    assert unreviewed == [], "review where these values come from (see REVIEWED)"


def test_sql_is_not_built_with_format_or_percent():
    for path in list((REPO / "observatory").rglob("*.py")) + list((REPO / "assets").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Mod)
                and isinstance(node.left, ast.Constant)
                and isinstance(node.left.value, str)
            ):
                assert not SQL_WORDS.search(node.left.value), (path, node.lineno)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and isinstance(node.func.value, ast.Constant)
            ):
                assert not SQL_WORDS.search(str(node.func.value.value)), (path, node.lineno)


def _hostile_export(raw: Path) -> tuple[Path, str]:
    """The French 2025 export renamed to a hostile name, with the payload as an answer
    label (row 2) and as a respondent id (row 3). Returns (path, id of row 3)."""
    folder = raw / "surveys" / "2025" / "FR"
    source = folder / "survey_fr_2025.csv"
    frame = pd.read_csv(source, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    frame.loc[0, "Type de schéma de coopération"] = HOSTILE
    original_id = frame.loc[1, "Identifiant du répondant"]
    frame.loc[1, "Identifiant du répondant"] = HOSTILE
    source.unlink()
    hostile = folder / f"=1+1;{HOSTILE}.csv"
    frame.to_csv(hostile, sep=";", index=False, encoding="utf-8-sig")
    return hostile, original_id


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    shutil.copytree(SAMPLE, raw)
    path, _ = _hostile_export(raw)
    done = cli(
        "refresh",
        "--wave",
        "2025",
        "--country",
        "FR",
        "--country",
        "IT",
        "--report",
        env=observatory_env(root, raw),
    )
    return root, path, done


def test_hostile_values_are_stored_verbatim_or_quarantined(hostile_run):
    root, path, done = hostile_run
    assert done.returncode == 0, done.stderr
    for db in ("pipeline.duckdb", "observatory.duckdb"):
        con = duckdb.connect(str(root / "warehouse" / db), read_only=True)
        assert (
            con.execute("SELECT count(*) FROM core.respondents WHERE country = 'FR'").fetchone()[0]
            > 300
        )
        assert (
            con.execute(
                "SELECT count(*) FROM audit.raw_files WHERE file = ?", [str(path)]
            ).fetchone()[0]
            == 1
        )
        quarantined = con.execute(
            'SELECT "row" FROM audit.quarantine WHERE file = ? AND value = ?', [str(path), HOSTILE]
        ).fetchall()
        assert quarantined == [(2,)] or sorted(quarantined) == [(2,), (3,)], quarantined
        con.close()


def test_a_hostile_header_stops_the_run_with_a_clean_error(hostile_run, tmp_path):
    root, path, _ = hostile_run
    raw = tmp_path / "raw"
    shutil.copytree(root / "raw", raw)
    shutil.copytree(root / "warehouse", tmp_path / "warehouse", symlinks=True)
    export = raw / path.relative_to(root / "raw")
    lines = export.read_text(encoding="utf-8-sig").splitlines()
    lines[0] += f';"{HOSTILE}"'
    lines[1:] = [line + ";" for line in lines[1:]]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    published = tmp_path / "warehouse" / "observatory.duckdb"
    before = published.read_bytes()
    done = cli("refresh", "--wave", "2025", "--country", "FR", env=observatory_env(tmp_path, raw))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{export.name}:1:{HOSTILE}: column not in the 2025 instrument" in done.stderr, (
        done.stderr
    )
    assert published.read_bytes() == before
    con = duckdb.connect(str(tmp_path / "warehouse" / "pipeline.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM core.respondents").fetchone()[0] > 600
    con.close()


# --- spreadsheet formula injection -----------------------------------------------------


def test_neutralise_prefixes_formula_text_only():
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "+33 6", "-x", "@SUM(A1)", "\tx", "\rx", "ok", None],
            "number": [-1.5, 2, 3, 4, 5, 6, 7, 8],
            "=head": ["a"] * 8,
        }
    )
    out = neutralise(frame)
    assert out["text"].tolist()[:7] == ["'=1+1", "'+33 6", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "ok"]
    assert out["text"].isna().tolist() == [False] * 7 + [True]
    assert out["number"].tolist() == frame["number"].tolist()
    assert list(out.columns) == ["text", "number", "'=head"]
    assert frame["text"][0] == "=1+1"  # the input frame is left alone


def _formula_cells(text: str) -> list[str]:
    return [
        cell
        for row in csv.reader(io.StringIO(text))
        for cell in row
        if cell.startswith(FORMULA_START) and not _is_number(cell)
    ]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_sql_csv_output_neutralises_formulas(pipeline_run):
    query = (
        "SELECT '=HYPERLINK(\"http://x\")' AS a, '@cmd' AS b, '-2+3' AS c, "
        "chr(9) || 'tab' AS d, -1.5 AS e, 'plain' AS \"+f\""
    )
    done = cli(
        "sql",
        query,
        "--format",
        "csv",
        env={"OBSERVATORY_WAREHOUSE_DIR": str(pipeline_run.warehouse_dir)},
    )
    assert done.returncode == 0, done.stderr
    header, row = list(csv.reader(io.StringIO(done.stdout)))
    assert header == ["a", "b", "c", "d", "e", "'+f"]
    assert row == ['\'=HYPERLINK("http://x")', "'@cmd", "'-2+3", "'\ttab", "-1.5", "plain"]


def test_report_csvs_carry_no_formula(pipeline_run, hostile_run):
    csvs = [
        p
        for root in (pipeline_run.reports_dir, hostile_run[0] / "reports")
        for p in root.rglob("*.csv")
    ]
    assert len(csvs) >= 10
    for path in csvs:
        assert _formula_cells(path.read_text(encoding="utf-8")) == [], path


# --- no personal data in the warehouse or the reports ----------------------------------

PHONE = re.compile(r"(?<![\w+.,])(?:\+\d{2,3}|0)(?:[ -]?\d){8,11}(?!\w|[.,]\d)")  # not in a number


def _report_texts(reports: Path) -> dict[Path, str]:
    """Every file under reports/ as text (PDFs through pdftotext; images have no text
    layer worth scanning beyond their metadata, read as bytes)."""
    texts = {}
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            texts[path] = subprocess.run(
                ["pdftotext", str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            ).stdout
        else:
            texts[path] = path.read_bytes().decode("utf-8", errors="replace")
    return texts


def test_phone_pattern_finds_the_planted_phone_numbers(pipeline_run):
    comments = "\n".join(_pii_values(pipeline_run.raw_dir))
    assert len(PHONE.findall(comments)) >= 20  # every country's national shape
    assert {m[:3] for m in PHONE.findall(comments)} >= {"+38", "+43", "+30", "+39", "06 "}


def test_no_email_phone_or_free_text_in_warehouse_or_reports(pipeline_run):
    pii = _pii_values(pipeline_run.raw_dir)
    texts: dict[object, str] = {}
    for db in ("pipeline.duckdb", "observatory.duckdb"):
        con = duckdb.connect(str(pipeline_run.warehouse_dir / db), read_only=True)
        texts[db] = _strings(con)
        con.close()
    texts |= _report_texts(pipeline_run.reports_dir)
    for where, text in texts.items():
        assert not EMAIL.search(text), f"an e-mail address in {where}"
        assert not PHONE.search(text), f"a phone number in {where}: {PHONE.search(text)}"
        assert not [v for v in pii if v in text], f"free text or a name in {where}"
