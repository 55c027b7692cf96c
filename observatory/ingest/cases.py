"""Case studies (data/raw/cases/*.csv) checked against the codebook like survey answers.

A case row whose id is missing or repeated, whose country is not configured, whose year
is not a year, or one of whose codes is not in its taxonomy dimension (a subtheme under
another theme included) is quarantined with its file, row, column, value and reason;
the others load. Every file is accounted for: rows read = rows loaded + rows
quarantined (audit.case_accounting, audit.case_quarantine)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from observatory.codebook import Codebook, load_codebook
from observatory.config import canonical_country
from observatory.ingest.readers import ReadError

SINGLE = {
    "scheme_type": "scheme_type",
    "theme": "theme",
    "subtheme": "subtheme",
    "outcome": "outcome",
}  # column -> taxonomy dimension
MULTI = {
    "sim_roles": "sim_role",
    "levers": "lever",
    "barriers": "barrier",
    "transferable_elements": "transferability",
}
COLUMNS = ("case_id", "country", "year", *SINGLE, *MULTI)
FIRST_YEAR = 2000
QUARANTINE_COLUMNS = ["file", "row", "column", "value", "reason"]


@dataclass
class CaseFile:
    path: Path
    rows_read: int
    cases: pd.DataFrame  # the rows that load, canonical country
    quarantine: pd.DataFrame  # one row per problem (file, row, column, value, reason)

    @property
    def rows_quarantined(self) -> int:
        return self.quarantine["row"].nunique()

    @property
    def rows_loaded(self) -> int:
        return len(self.cases)


def _problems(record: dict[str, str], book: Codebook, seen: set[str]) -> list[tuple[str, str]]:
    """(column, reason) of everything wrong with one case row."""
    found = []
    if not record["case_id"].strip():
        found.append(("case_id", "missing case id"))
    elif record["case_id"].strip() in seen:
        found.append(("case_id", "case id already used by an earlier row"))
    try:
        canonical_country(record["country"])
    except KeyError as exc:
        found.append(("country", exc.args[0]))
    year = record["year"].strip()
    if not (year.isdigit() and FIRST_YEAR <= int(year) <= dt.date.today().year):
        found.append(("year", f"not a year from {FIRST_YEAR} to this year"))
    for column, dimension in SINGLE.items():
        if record[column].strip() not in book.dimensions[dimension].codes:
            found.append((column, f"not a code of {dimension}"))
    subtheme = book.dimensions["subtheme"].codes.get(record["subtheme"].strip())
    if subtheme and subtheme.parent != record["theme"].strip():
        found.append(("subtheme", f"a subtheme of {subtheme.parent}, not of the case's theme"))
    for column, dimension in MULTI.items():
        codes = [c.strip() for c in record[column].split("|") if c.strip()]
        unknown = [c for c in codes if c not in book.dimensions[dimension].codes]
        if unknown:
            found.append((column, f"not a code of {dimension}: {', '.join(unknown)}"))
    return found


def read_case_file(path: Path, seen: set[str]) -> CaseFile:
    """Check one case file; `seen` holds the case ids of the files read before it."""
    book = load_codebook()
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ReadError(f"{path}: not a UTF-8 CSV file ({exc})") from None
    header = [h.strip() for h in rows[0]] if rows else []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ReadError(f"{path}:1: missing column(s) {', '.join(missing)}: nothing loaded")
    good: list[dict[str, str]] = []
    problems: list[tuple[str, int, str, str | None, str]] = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue  # a blank line is not a record
        if len(values) != len(header):
            problems.append(
                (
                    str(path),
                    number,
                    "*",
                    None,
                    f"{len(values)} fields, the header has {len(header)}",
                )
            )
            continue
        record = dict(zip(header, values, strict=True))
        found = _problems(record, book, seen)
        problems += [
            (str(path), number, column, record[column][:200], reason) for column, reason in found
        ]
        if not found:
            seen.add(record["case_id"].strip())
            good.append(
                {
                    **{c: record[c].strip() for c in COLUMNS},
                    "country": canonical_country(record["country"]),
                }
            )
    rows_read = sum(1 for values in rows[1:] if any(v.strip() for v in values))
    return CaseFile(
        path,
        rows_read,
        pd.DataFrame(good, columns=list(COLUMNS)),
        pd.DataFrame(problems, columns=QUARANTINE_COLUMNS),
    )


def read_case_files(paths: list[Path]) -> list[CaseFile]:
    seen: set[str] = set()
    return [read_case_file(path, seen) for path in paths]


def record_cases(con: duckdb.DuckDBPyConnection, files: list[CaseFile], run_id: str) -> None:
    """Replace the case accounting and quarantine with these files' (one transaction)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    accounting = pd.DataFrame(
        [
            {
                "file": str(f.path),
                "rows_read": f.rows_read,
                "rows_loaded": f.rows_loaded,
                "rows_quarantined": f.rows_quarantined,
                "run_id": run_id,
                "loaded_at": now,
            }
            for f in files
        ]
    )
    quarantine = pd.concat([f.quarantine for f in files], ignore_index=True)
    con.execute("BEGIN TRANSACTION")
    try:
        for table, frame in (
            ("audit.case_accounting", accounting),
            ("audit.case_quarantine", quarantine.assign(run_id=run_id)),
        ):
            con.execute(f"DELETE FROM {table}")
            if len(frame):
                con.register("incoming", frame)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
                con.unregister("incoming")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
