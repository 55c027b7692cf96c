"""The floor: the pipeline's work from the same raw files to the same outputs, written
the fastest way we know with DuckDB, in one process and one connection:

- each export read once (floor_read: DuckDB's CSV reader; Python only for legacy code
  pages, XLSX and SPSS), its SHA-256 taken from the bytes read;
- harmonised in SQL (floor_stage): labels normalised once per distinct value and joined,
  the quarantine rules as SQL predicates with the pipeline's reasons, the keyed
  pseudonym in SQL; rows into the pipeline's staging and audit tables;
- the expectation suites as SQL aggregates (floor_checks);
- then the pipeline's own SQL models (core, marts), `publish` and the data-quality page;
- in a process run as the `observatory` command's (`observatory.process`).

It assumes well-formed exports (DuckDB's strict CSV parser stops on a ragged one) with
the instrument's columns; the pipeline's reader also handles hostile files.

    OBSERVATORY_WAREHOUSE_DIR=... .venv/bin/python bench/floor.py RAW_DIR
"""

import datetime as dt
import hashlib
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import floor_checks  # noqa: E402
import floor_read  # noqa: E402
from floor_stage import stage  # noqa: E402

from observatory import process, warehouse  # noqa: E402
from observatory.codebook import load_codebook, normalise_label  # noqa: E402
from observatory.config import load_countries  # noqa: E402
from observatory.ingest.discover import SurveyFile, survey_files  # noqa: E402
from observatory.ingest.harmonise import column_map  # noqa: E402
from observatory.ingest.provenance import Provenance, describe  # noqa: E402
from observatory.ingest.sqlvalues import Column  # noqa: E402
from observatory.paths import Paths  # noqa: E402
from observatory.privacy import pseudonym_key  # noqa: E402
from observatory.quality.page import write_page  # noqa: E402
from observatory.warehouse.inputs import case_files, frame_files, register_inputs  # noqa: E402
from observatory.warehouse.publish import publish  # noqa: E402


def _columns(survey: SurveyFile, found: list[Column]) -> floor_read.Wanted:
    """header -> its src column (None for personal data and ignored columns), recording
    each column read in `found`; a header the instrument does not know stops the floor."""
    book, country = load_codebook(), load_countries()[survey.country]
    mapping, names = column_map(book, survey.wave, country), {}

    def wanted(header: str) -> str | None:
        if header not in names:
            target = mapping.get(normalise_label(header))
            if target is None and not book.is_ignored(header):
                raise SystemExit(f"{survey.path}: column {header!r} is not in the instrument")
            question = book.questions[target[0]] if target else None
            names[header] = None if question is None or question.kind == "pii" else f"c{len(found)}"
            if names[header]:
                found.append(Column(names[header], header, question, target[1]))
        return names[header]

    return wanted


def load(con: duckdb.DuckDBPyConnection, survey: SurveyFile, tmp: Path) -> dict:
    """Read and stage one export; its provenance and row accounting."""
    country, data = load_countries()[survey.country], survey.path.read_bytes()
    found: list[Column] = []
    wanted = _columns(survey, found)
    fmt = country.export.format
    if fmt == "csv":
        first = floor_read.read_csv(con, survey.path, data, country.export, wanted, tmp)
    else:
        first = getattr(floor_read, f"read_{fmt}")(con, survey.path, wanted)
    read, loaded, quarantined = stage(
        con, load_codebook(), country, survey.wave, str(survey.path), found, first, pseudonym_key()
    )
    arrived = dt.datetime.fromtimestamp(survey.path.stat().st_mtime, tz=dt.UTC)
    provenance = Provenance(
        str(survey.path),
        "survey",
        hashlib.sha256(data).hexdigest(),
        len(data),
        arrived.replace(tzinfo=None),
        survey.wave,
        survey.country,
        read,
        country.export.encoding,
        country.export.delimiter,
        load_codebook().wave(survey.wave).version,
    )
    return {
        "provenance": provenance.record(),
        "accounting": {
            "wave": survey.wave,
            "country": survey.country,
            "file": str(survey.path),
            "rows_read": read,
            "rows_loaded": loaded,
            "rows_quarantined": quarantined,
        },
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.register("incoming", pd.DataFrame(rows).assign(run_id="floor"))
    stamp = "recorded_at" if table == "audit.raw_files" else "loaded_at"
    con.execute(f"INSERT INTO {table} BY NAME SELECT *, ? AS {stamp} FROM incoming", [now])
    con.unregister("incoming")


def _model(con: duckdb.DuckDBPyConnection, folder: str, name: str) -> None:
    con.execute(warehouse.model(folder, name).sql)


def _marts() -> list[str]:
    """The marts in an order where each comes after those it reads."""
    pending, order = set(warehouse.models("marts")), []
    while pending:
        ready = sorted(
            m
            for m in pending
            if not {f"marts.{p}" for p in pending} & warehouse.model_inputs("marts", m)
        )
        order += ready
        pending -= set(ready)
    return order


def floor(raw_dir: Path, paths: Paths) -> None:
    paths.pipeline_db.unlink(missing_ok=True)
    con = warehouse.connect(paths.pipeline_db)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = [load(con, s, Path(tmp)) for s in survey_files(raw_dir)]
    references = [describe(p, "frame").record() for p in frame_files(raw_dir)]
    references += [describe(p, "cases").record() for p in case_files(raw_dir)]
    _insert(con, "audit.raw_files", [f["provenance"] for f in loaded] + references)
    _insert(con, "audit.row_accounting", [f["accounting"] for f in loaded])
    floor_checks.staged(con)
    register_inputs(con, raw_dir)
    for name in warehouse.models("core"):
        _model(con, "core", name)
    floor_checks.core(con)
    for name in _marts():
        _model(con, "marts", name)
    warehouse.document(con)  # once, not after each model
    publish(con, paths.published_db, paths.snapshots_dir, reports_dir=paths.reports_dir)
    con.close()
    write_page(paths.published_db, paths.reports_dir)


if __name__ == "__main__":
    process.start()
    process.imported()
    floor(Path(sys.argv[1]), Paths.from_env())
    process.end(0)
