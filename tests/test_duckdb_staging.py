"""The DuckDB staging paths give what the Python reader and harmonisation give, row for
row: text exports read by DuckDB (`observatory.ingest.fastpath`), and workbooks and SPSS
files read into Arrow and harmonised in SQL (`observatory.ingest.tablepath`).
Every export of the shipped sample and of the corpus of malformed exports (tests/corpus)
staged both ways, staging.responses, staging.answers, audit.quarantine and the counts
of the row accounting compared, or the same error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyreadstat
import pytest

from observatory.codebook import load_codebook
from observatory.config import load_countries
from observatory.ingest import fastpath
from observatory.ingest.discover import SurveyFile, survey_files
from observatory.ingest.load import Loader, scratch
from observatory.ingest.readers import SUFFIX_FORMATS
from observatory.ingest.stage import file_chunks
from tests.conftest import SAMPLE
from tests.corpus.make_corpus import Table, build, edited, table, text, xlsx

KEY = b"k" * 32
SLOW = {"very_long_line.csv"}  # 10 MB, 9 CPU-s: its case is the long cell of awkward_values
SATISFACTION, TIME = "Satisfaction à l'égard de la coopération (1-5)", "Temps de coordination (ETP)"
AWKWARD = {  # FR 2024: row -> column -> value
    0: {SATISFACTION: "nan", "Leviers de la coopération": "Clear ownership"},
    1: {SATISFACTION: "1e400", TIME: "1_000"},
    2: {TIME: "  ,5 ", SATISFACTION: "3,0"},
    3: {SATISFACTION: "2.5", TIME: "1 000"},
    4: {"Rôles des participant·es SIM": " Facilitateur·ice |  | Facilitateur·ice\u00a0|x"},
    5: {"Type d'organisation": "\u2003Entreprise\u3000", SATISFACTION: "0x10"},
    6: {"Thématique": "x" * 150},
    7: {"Identifiant du répondant": ""},
    8: {SATISFACTION: "+2", TIME: "-1"},
    9: {"Rôles des participant·es SIM": "Facilitateur·ice|\u3000\u00a0|\tx\u0085"},
}
TABLES = ("staging.responses", "staging.answers", "audit.quarantine")
DATABASES: dict[bool, duckdb.DuckDBPyConnection] = {}  # duckdb_path -> its scratch database


def _stage(survey: SurveyFile, duckdb_path: bool) -> tuple[str, object]:
    """(the reader that staged it, its tables and counts) or ("error", the message),
    staged in this path's scratch database, emptied first."""
    con, country = DATABASES[duckdb_path], load_countries()[survey.country]
    for name in TABLES:
        con.execute(f"DELETE FROM {name}")
    loader = Loader(con, KEY, "run", duckdb_path=duckdb_path)
    try:
        with loader.partition(survey.wave, country):
            counts = loader.add(file_chunks(survey, None))
        loader.finish()
    except Exception as exc:  # the same error both ways, whatever it is
        return "error", f"{type(exc).__name__}: {exc}"
    finally:
        loader.close()
    tables = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    numbers = (counts.rows_read, counts.rows_loaded, counts.rows_quarantined, counts.problems)
    layout = (counts.encoding, counts.delimiter, counts.header_row, counts.ignored)
    return counts.reader, (tables, numbers, layout)


@pytest.fixture(scope="module", autouse=True)
def databases() -> Iterator[None]:
    """A scratch database per path, for all the files (its set-up is most of a small
    file's staging)."""
    DATABASES.update({False: scratch(), True: scratch()})
    yield
    for con in DATABASES.values():
        con.close()


def _both(survey: SurveyFile) -> tuple[str, str, object]:
    """The export staged by the Python path and by the DuckDB paths, which must agree:
    (the reader of the first, the reader of the second, what both staged)."""
    python, expected = _stage(survey, duckdb_path=False)
    reader, found = _stage(survey, duckdb_path=True)
    assert found == expected, survey.path
    return python, reader, found


def _awkward() -> tuple[Table, Table]:
    """FR 2024 exports of awkward values: numbers as pandas may read them, labels with
    Unicode spaces, long and foreign labels, a subtheme of another theme; and the same
    with a cell longer than MAX_CELL (the Python path's)."""
    export = table("FR", n=10)
    for row, values in AWKWARD.items():
        for name, value in values.items():
            export = edited(export, row, name, value)
    other = load_codebook().label("subtheme", "accessibility", "fr")
    export = edited(export, 9, "Sous-thématique", other)
    return export, edited(export, 2, "Commentaire libre", "y" * 10_001)


def _sav(export: Table, path: Path) -> None:
    """An SPSS export of text variables v1..vN labelled with the headers."""
    header, rows = export
    frame = pd.DataFrame(rows, columns=[f"v{i + 1}" for i in range(len(header))])
    pyreadstat.write_sav(frame, str(path), column_labels=header)


def _exports(root: Path, formats: set[str]) -> list[SurveyFile]:
    countries = load_countries()
    return [
        SurveyFile(int(path.parts[-3]), path.parts[-2], path)
        for path in sorted(root.glob("*/*/*"))
        if path.is_file() and path.parts[-2] in countries and path.name not in SLOW
        if SUFFIX_FORMATS.get(path.suffix.lower(), countries[path.parts[-2]].export.format)
        in formats
    ]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    build(out)
    return out


def test_the_duckdb_path_stages_the_sample_as_the_python_path_does():
    surveys = [s for s in survey_files(SAMPLE) if s.path.suffix == ".csv" and s.wave == 2025]
    assert {s.country for s in surveys} == {"FR", "HR", "GR"}  # UTF-8, cp1250, cp1253
    for survey in surveys:
        python, reader, found = _both(survey)
        assert (python, reader) == ("python", "duckdb"), survey.path
        assert found[0]["audit.quarantine"] or survey.country != "FR", "no problem compared"  # type: ignore[index]


def test_the_sql_staging_stages_the_samples_workbooks_and_spss_files_as_the_python_path_does():
    surveys = _exports(SAMPLE / "surveys", {"xlsx", "sav"})
    assert {(s.country, s.path.suffix) for s in surveys} == {("AT", ".xlsx"), ("IT", ".sav")}
    quarantined = 0
    for survey in surveys:
        python, reader, found = _both(survey)
        assert (python, reader) == ("python", "sql"), survey.path
        quarantined += len(found[0]["audit.quarantine"])  # type: ignore[index]
    assert len(surveys) == 6 and quarantined > 0, "no problem compared"


def test_a_table_over_its_share_of_the_memory_budget_is_harmonised_in_python(monkeypatch):
    """The SQL staging holds a table's cells while it runs: a table holding more than a
    sixteenth of memory_budget_mib (here: a share of 0 bytes) takes the Python path."""
    monkeypatch.setattr(fastpath, "FILE_SHARE", 1 << 40)
    survey = next(s for s in survey_files(SAMPLE) if s.path.name == "survey_at_2025.xlsx")
    assert _both(survey)[:2] == ("python", "python")


def test_the_duckdb_path_stages_hostile_exports_as_the_python_path_does(corpus):
    surveys = _exports(corpus, {"csv"})
    assert len(surveys) >= 30
    taken = []
    for survey in surveys:
        python, reader, _ = _both(survey)
        assert python in ("python", "error")
        if reader == "duckdb":
            taken.append(survey.path.name)
    assert {"clean_bom.csv", "clean_cp1250.csv", "out_of_range.csv"} <= set(taken), taken
    assert "nul_bytes.csv" not in taken and "quoted_newline.csv" not in taken


def test_the_sql_staging_stages_hostile_workbooks_and_spss_files_as_the_python_path_does(corpus):
    readers = {s.path.name: _both(s)[:2] for s in _exports(corpus, {"xlsx", "sav"})}
    taken = {name for name, (_, reader) in readers.items() if reader == "sql"}
    assert taken == {
        "clean.xlsx",
        "title_rows.xlsx",  # rows numbered from the sheet's row 4
        "formula_computed.xlsx",
        "merged_header.xlsx",  # one column per option, under a two-row header
        "undeclared_99.sav",  # quarantined: 99 out of range
        "user_missing.sav",  # 99 declared missing: blank
    }, readers
    assert readers["formula_uncomputed.xlsx"] == ("python", "python")  # the reader's issue
    assert readers["junk.sav"] == readers["not_a_workbook.xlsx"] == ("error", "error")


def test_the_duckdb_path_reads_awkward_values_as_the_python_path_does(tmp_path):
    folder = tmp_path / "2024" / "FR"
    folder.mkdir(parents=True)
    awkward, long = _awkward()
    writers = {
        "awkward.csv": (lambda p: p.write_text(text(awkward), encoding="utf-8"), "duckdb"),
        "long_cell.csv": (lambda p: p.write_text(text(long), encoding="utf-8"), "python"),
        "awkward.xlsx": (lambda p: xlsx(awkward, p), "sql"),
        "awkward.sav": (lambda p: _sav(awkward, p), "sql"),
        "long_cell.xlsx": (lambda p: xlsx(long, p), "python"),
    }
    reasons = {}
    for name, (write, path) in writers.items():
        write(folder / name)
        python, reader, found = _both(SurveyFile(2024, "FR", folder / name))
        assert (python, reader) == ("python", path), name
        reasons[name] = {q[-2] for q in found[0]["audit.quarantine"]}  # type: ignore[index]
    assert len(reasons["awkward.csv"]) >= 8, reasons
    assert reasons["awkward.xlsx"] == reasons["awkward.sav"] == reasons["awkward.csv"]
    assert len(reasons["long_cell.csv"]) > len(reasons["awkward.csv"]), reasons


def _sheet(export: Table, path: Path, cells: dict[tuple[int, int], object], blank: int) -> None:
    """A workbook of `export` with the cells at (row, column) replaced by Python values
    (numbers, booleans, dates), and two blank rows (one of spaces) before row `blank`."""
    from openpyxl import Workbook

    book = Workbook()
    header, rows = export
    book.active.append(header)
    for i, row in enumerate(rows):
        if i == blank:
            book.active.append([None] * len(header))
            book.active.append(["  ", "\u3000"])
        book.active.append([cells.get((i, j), v or None) for j, v in enumerate(row)])
    book.save(path)


def _labelled(export: Table, path: Path, comment: str) -> None:
    """An SPSS export with the organisation type as numeric codes and the theme as text
    codes, both with value labels (code 9 has none), and a free-text comment."""
    header, rows = export
    frame = pd.DataFrame(rows, columns=[f"v{i + 1}" for i in range(len(header))])
    kinds, themes = sorted(set(frame.v4)), sorted(set(frame.v6))
    frame["v4"] = [float(kinds.index(v) + 1) for v in frame.v4[:-1]] + [9.0]
    frame["v6"] = [f"T{themes.index(v)}" for v in frame.v6]
    frame[f"v{len(header)}"] = comment
    labels = {
        "v4": {float(i + 1): f" {v} " for i, v in enumerate(kinds)},
        "v6": {f"T{i}": v for i, v in enumerate(themes)},
    }
    pyreadstat.write_sav(frame, str(path), column_labels=header, variable_value_labels=labels)


def test_the_arrow_reader_takes_odd_cells_and_leaves_what_the_python_reader_reports(tmp_path):
    """Workbooks and SPSS files whose cells the Arrow reader converts once per distinct
    value (numbers, booleans beside numbers, dates, padded labels, value labels, blank
    rows skipped) stage as the Python path stages them; a control character in a
    free-text cell (SPSS: XML cannot hold one) or the header repeated as a record leaves
    the file to the Python path."""
    at, it = table("AT", n=8), table("IT", n=6)
    sat, fte, kind, comment = 16, 17, 3, 18  # AT's columns
    odd = {
        (0, 0): 1001,
        (1, sat): True,
        (2, sat): 2.5,
        (3, sat): 1,
        (4, fte): 1e-05,
        (4, comment): dt.datetime(2024, 5, 1, 9, 30),
        (5, kind): "\ufeff\u00a0Unternehmen\u2003",
        (6, fte): 7,
        (7, sat): 6.0,
    }
    writers = {
        "AT/odd.xlsx": (lambda p: _sheet(at, p, odd, blank=3), "sql"),
        "AT/repeated.xlsx": (lambda p: _sheet((at[0], [*at[1], at[0]]), p, {}, 9), "python"),
        "IT/labelled.sav": (lambda p: _labelled(it, p, "ok"), "sql"),
        "IT/control.sav": (lambda p: _labelled(it, p, "a\x1bb"), "python"),
    }
    quarantined = {}
    for name, (write, path) in writers.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        write(tmp_path / name)
        survey = SurveyFile(2024, name[:2], tmp_path / name)
        python, reader, found = _both(survey)
        assert (python, reader) == ("python", path), name
        quarantined[name] = [q[3:6] for q in found[0]["audit.quarantine"]]  # type: ignore[index]
    # rows as a person sees them: the sheet's row 11 after two blank rows
    assert [(row, value) for row, _, value in quarantined["AT/odd.xlsx"]] == [
        (3, "True"),
        (4, "2.5"),
        (11, "6"),
    ]
    assert quarantined["IT/labelled.sav"] == [(6, "Tipo di organizzazione", "9")]
