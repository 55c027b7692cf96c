"""The data-quality page of a refresh: reports/data-quality/index.html (and a dated
copy next to it), for research staff who want to see what was loaded, what was
quarantined and why, and which expectations failed.

Built from the audit schema of a warehouse (opened read-only): row accounting and
provenance per file, quarantine reasons with counts and first rows per file, and the
latest result of every Great Expectations suite (per target and partition). No
personal data: values of personal-data and respondent-id columns are never shown.
The queries are in observatory/warehouse/sql/queries/quality/, the markup in the Jinja2
template page.html beside this module.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from observatory.codebook import SURVEY_LANGUAGES, load_codebook, normalise_label
from observatory.warehouse.queries import query

FIRST_ROWS = 5  # row numbers shown per quarantine reason
EXAMPLES = 3  # example values shown per reason (never from private columns)
HERE = Path(__file__).parent


@dataclass
class Audit:
    accounting: pd.DataFrame
    quarantine: pd.DataFrame
    validation: pd.DataFrame
    cases: pd.DataFrame
    case_problems: pd.DataFrame


def private_columns() -> set[str]:
    """Normalised headers (every wave, language and alias) of personal-data and
    respondent-id questions."""
    book = load_codebook()
    return {
        normalise_label(h)
        for q in book.questions.values()
        if q.kind in ("pii", "id")
        for year in book.waves
        for lang in SURVEY_LANGUAGES
        for h in book.headers(year, q.id, lang)
    }


def collect(con: duckdb.DuckDBPyConnection) -> Audit:
    quarantine = con.execute(
        query("quality/quarantine"), {"first_rows": FIRST_ROWS, "examples": EXAMPLES}
    ).df()
    private = private_columns()
    hidden = quarantine["column"].map(lambda c: normalise_label(c) in private)
    quarantine["examples"] = [
        [] if h else list(e) for h, e in zip(hidden, quarantine["examples"], strict=True)
    ]
    return Audit(
        con.execute(query("quality/accounting")).df(),
        quarantine,
        con.execute(query("quality/validation")).df(),
        con.execute(query("quality/cases")).df(),
        con.execute(query("quality/case_problems")).df(),
    )


def _short(path: str) -> str:
    return "surveys/" + path.split("/surveys/", 1)[1] if "/surveys/" in path else path


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""  # its class: n (a number), ok, bad


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]


def _cell(value: object, numeric: bool) -> Cell:
    if isinstance(value, bool):
        return Cell("yes", "ok") if value else Cell("NO", "bad")
    if pd.api.types.is_scalar(value) and pd.isna(value):  # None, NaN, NaT, NA
        return Cell("-", "n" if numeric else "")
    return Cell(str(value), "n" if numeric else "")


def _table(frame: pd.DataFrame, numeric: tuple[str, ...] = ()) -> Table:
    columns = [str(c) for c in frame.columns]
    rows = [
        [_cell(value, name in numeric) for name, value in zip(columns, record, strict=True)]
        for record in frame.itertuples(index=False)
    ]
    return Table(columns, rows)


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return environment.get_template("page.html")


def render(audit: Audit, generated: dt.datetime) -> str:
    acc, qua, val = audit.accounting, audit.quarantine, audit.validation
    failed = val[~val["success"]] if len(val) else val
    blocking = int(failed["blocking"].sum()) if len(failed) else 0
    files = acc.assign(
        file=acc["file"].map(_short),
        delimiter=acc["delimiter"].map(
            lambda d: {"\t": "tab"}.get(d, d) if isinstance(d, str) else None
        ),
    )
    reasons = qua.assign(
        file=qua["file"].map(_short),
        first_rows=qua["first_rows"].map(lambda r: ", ".join(map(str, r))),
        examples=qua["examples"].map(lambda e: "; ".join(map(str, e)) or "(withheld)"),
    )
    suites = (
        val.groupby(["target", "suite"], dropna=False)
        .agg(
            partitions=("partition", "nunique"),
            results=("success", "size"),
            failed=("success", lambda s: int((~s).sum())),
        )
        .reset_index()
        if len(val)
        else val
    )
    summary = {
        "files": len(acc),
        "rows_read": int(acc["rows_read"].sum()),
        "rows_loaded": int(acc["rows_loaded"].sum()),
        "rows_quarantined": int(acc["rows_quarantined"].sum()),
        "unbalanced": int((~acc["balanced"]).sum()) if len(acc) else 0,
        "results": len(val),
        "blocking": blocking,
        "warnings": len(failed) - blocking,
    }
    counts = ("rows_read", "rows_loaded", "rows_quarantined")
    return _template().render(
        generated=generated,
        s=summary,
        files=_table(
            files.drop(columns="balanced").assign(balanced=files["balanced"]), (*counts, "bytes")
        ),
        reasons=_table(reasons, ("rows",)),
        unknown_labels=_table(reasons[reasons["reason"].str.startswith("unknown ")], ("rows",)),
        cases=_table(audit.cases, counts),
        case_problems=_table(audit.case_problems, ("row",)),
        suites=_table(suites, ("partitions", "results", "failed")),
        failed=_table(
            failed.drop(columns=["success"]) if len(failed) else failed, ("unexpected_count",)
        ),
    )


def write_page(db_path: Path, reports_dir: Path, now: dt.datetime | None = None) -> list[Path]:
    """Write reports/data-quality/index.html and a dated copy; returns both paths."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        page = render(collect(con), now)
    finally:
        con.close()
    out = reports_dir / "data-quality"
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "index.html", out / f"{now:%Y-%m-%d}.html"]
    for path in paths:
        path.write_text(page, encoding="utf-8")
    return paths
