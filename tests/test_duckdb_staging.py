"""The DuckDB staging path (`observatory.ingest.fastpath`) gives what the Python reader
and harmonisation give, row for row: every export of the shipped sample and of the
corpus of malformed exports (tests/corpus) staged both ways, staging.responses,
staging.answers, audit.quarantine and the counts of the row accounting compared, or the
same error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from observatory.codebook import load_codebook
from observatory.config import load_countries
from observatory.ingest.discover import SurveyFile, survey_files
from observatory.ingest.load import Loader, scratch
from observatory.ingest.readers import SUFFIX_FORMATS
from observatory.ingest.stage import file_chunks
from tests.conftest import SAMPLE
from tests.corpus.make_corpus import build, edited, table, text

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
}
TABLES = ("staging.responses", "staging.answers", "audit.quarantine")
DATABASES: dict[bool, duckdb.DuckDBPyConnection] = {}  # duckdb_path -> its scratch database


def _stage(survey: SurveyFile, duckdb_path: bool) -> tuple[str, object]:
    """(the reader that staged it, its tables and counts) or ("error", the message),
    staged in this path's scratch database, emptied first."""
    con, country = DATABASES[duckdb_path], load_countries()[survey.country]
    for name in TABLES:
        con.execute(f"DELETE FROM {name}")
    loader = Loader(con, survey.wave, country, KEY, "run", duckdb_path=duckdb_path)
    try:
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


def _awkward(folder: Path) -> list[SurveyFile]:
    """FR 2024 exports of awkward values: numbers as pandas may read them, labels with
    Unicode spaces, long and foreign labels, a subtheme of another theme; and a cell
    longer than MAX_CELL (the Python path's)."""
    export = table("FR", n=10)
    for row, values in AWKWARD.items():
        for name, value in values.items():
            export = edited(export, row, name, value)
    other = load_codebook().label("subtheme", "accessibility", "fr")
    export = edited(export, 9, "Sous-thématique", other)
    folder.mkdir(parents=True)
    (folder / "awkward.csv").write_text(text(export), encoding="utf-8")
    long = edited(export, 2, "Commentaire libre", "y" * 10_001)
    (folder / "long_cell.csv").write_text(text(long), encoding="utf-8")
    return [SurveyFile(2024, "FR", folder / name) for name in ("awkward.csv", "long_cell.csv")]


def _text_exports(root: Path) -> list[SurveyFile]:
    countries = load_countries()
    return [
        SurveyFile(int(path.parts[-3]), path.parts[-2], path)
        for path in sorted(root.glob("*/*/*"))
        if path.is_file() and path.parts[-2] in countries and path.name not in SLOW
        if SUFFIX_FORMATS.get(path.suffix.lower(), countries[path.parts[-2]].export.format) == "csv"
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
        python, expected = _stage(survey, duckdb_path=False)
        reader, found = _stage(survey, duckdb_path=True)
        assert (python, reader) == ("python", "duckdb"), survey.path
        assert found == expected, survey.path
        assert expected[0]["audit.quarantine"] or survey.country != "FR", "no problem compared"


def test_the_duckdb_path_stages_hostile_exports_as_the_python_path_does(corpus):
    surveys = _text_exports(corpus)
    assert len(surveys) >= 30
    taken = []
    for survey in surveys:
        python, expected = _stage(survey, duckdb_path=False)
        reader, found = _stage(survey, duckdb_path=True)
        assert found == expected, survey.path
        assert python in ("python", "error")
        if reader == "duckdb":
            taken.append(survey.path.name)
    assert {"clean_bom.csv", "clean_cp1250.csv", "out_of_range.csv"} <= set(taken), taken
    assert "nul_bytes.csv" not in taken and "quoted_newline.csv" not in taken


def test_the_duckdb_path_reads_awkward_values_as_the_python_path_does(tmp_path):
    awkward, long = _awkward(tmp_path / "2024" / "FR")
    reasons = []
    for survey, path in ((awkward, "duckdb"), (long, "python")):
        python, expected = _stage(survey, duckdb_path=False)
        reader, found = _stage(survey, duckdb_path=True)
        assert (python, reader) == ("python", path)
        assert found == expected
        reasons.append({q[-2] for q in found[0]["audit.quarantine"]})  # type: ignore[index]
    assert len(reasons[0]) >= 8 and len(reasons[1]) > len(reasons[0]), reasons
