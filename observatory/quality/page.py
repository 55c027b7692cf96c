"""The data-quality page of a refresh: reports/data-quality/index.html (and a dated
copy next to it), for research staff who want to see what was loaded, what was
quarantined and why, and which expectations failed.

Built from the audit schema of a warehouse (opened read-only): row accounting and
provenance per file, quarantine reasons with counts and first rows per file, and the
latest result of every Great Expectations suite (per target and partition). No
personal data: values of personal-data and respondent-id columns are never shown.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from observatory.codebook import SURVEY_LANGUAGES, load_codebook, normalise_label

FIRST_ROWS = 5  # row numbers shown per quarantine reason
EXAMPLES = 3  # example values shown per reason (never from private columns)

ACCOUNTING = """
SELECT a.wave, a.country, a.file, a.rows_read, a.rows_loaded, a.rows_quarantined,
       a.rows_read = a.rows_loaded + a.rows_quarantined AS balanced, r.encoding, r.delimiter,
       r.codebook_version, left(r.sha256, 12) AS sha256, r.bytes, a.loaded_at
FROM audit.row_accounting a LEFT JOIN audit.raw_files r USING (file)
ORDER BY a.wave, a.country, a.file
"""
QUARANTINE = f"""
SELECT file, "column", regexp_replace(reason, ' in rows [0-9, ]+$', '') AS reason,
       count(DISTINCT "row") AS rows,
       list(DISTINCT "row" ORDER BY "row")[1:{FIRST_ROWS}] AS first_rows,
       list(DISTINCT value ORDER BY value)[1:{EXAMPLES}] AS examples
FROM audit.quarantine GROUP BY ALL ORDER BY file, rows DESC, reason
"""
VALIDATION = """
WITH latest AS (
    SELECT suite, target, coalesce(partition, '') AS part, arg_max(run_id, checked_at) AS run
    FROM audit.validation_results GROUP BY ALL)
SELECT v.suite, v.target, v.partition, v.expectation, v."column", v.success,
       v.unexpected_count, v.blocking, v.run_id, v.checked_at
FROM audit.validation_results v JOIN latest l ON v.suite = l.suite AND v.target = l.target
     AND coalesce(v.partition, '') = l.part AND v.run_id = l.run
ORDER BY v.success, NOT v.blocking, v.target, v.partition, v.suite, v.expectation
"""
CASES = """
SELECT file, rows_read, rows_loaded, rows_quarantined,
       rows_read = rows_loaded + rows_quarantined AS balanced, loaded_at
FROM audit.case_accounting ORDER BY file
"""
CASE_PROBLEMS = (
    'SELECT file, "row", "column", value, reason FROM audit.case_quarantine '
    'ORDER BY file, "row", "column"'
)
STYLE = """body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:13px}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}.bad{color:#a40000;font-weight:600}.ok{color:#1a6b1a}
td.n{text-align:right;font-variant-numeric:tabular-nums}"""


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
    quarantine = con.execute(QUARANTINE).df()
    private = private_columns()
    hidden = quarantine["column"].map(lambda c: normalise_label(c) in private)
    quarantine["examples"] = [
        [] if h else list(e) for h, e in zip(hidden, quarantine["examples"], strict=True)
    ]
    return Audit(
        con.execute(ACCOUNTING).df(),
        quarantine,
        con.execute(VALIDATION).df(),
        con.execute(CASES).df(),
        con.execute(CASE_PROBLEMS).df(),
    )


def _short(path: str) -> str:
    return "surveys/" + path.split("/surveys/", 1)[1] if "/surveys/" in path else path


def _table(frame: pd.DataFrame, numeric: tuple[str, ...] = ()) -> str:
    if frame.empty:
        return "<p>None.</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for record in frame.itertuples(index=False):
        cells = []
        for name, value in zip(frame.columns, record, strict=True):
            css = ' class="n"' if name in numeric else ""
            if isinstance(value, bool):
                value, css = ("yes", ' class="ok"') if value else ("NO", ' class="bad"')
            elif pd.api.types.is_scalar(value) and pd.isna(value):  # None, NaN, NaT, NA
                value = "-"
            cells.append(f"<td{css}>{html.escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render(audit: Audit, generated: dt.datetime) -> str:
    acc, qua, val = audit.accounting, audit.quarantine, audit.validation
    failed = val[~val["success"]] if len(val) else val
    blocking = int(failed["blocking"].sum()) if len(failed) else 0
    unbalanced = int((~acc["balanced"]).sum()) if len(acc) else 0
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
    summary = [
        f"{len(acc)} file(s): {int(acc['rows_read'].sum())} rows read, "
        f"{int(acc['rows_loaded'].sum())} loaded, {int(acc['rows_quarantined'].sum())} "
        f"quarantined."
        if len(acc)
        else "No survey file has been loaded.",
        "Every file balances (rows read = loaded + quarantined)."
        if not unbalanced
        else f"<span class=bad>{unbalanced} file(s) do not balance.</span>",
        f"{len(val)} expectation result(s) in the latest runs: "
        + (
            f"<span class=bad>{blocking} blocking failure(s)</span>, "
            if blocking
            else "<span class=ok>no blocking failure</span>, "
        )
        + f"{len(failed) - blocking} warning(s).",
    ]
    parts = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        f"<title>Data quality</title><style>{STYLE}</style>",
        "<h1>Data quality of the latest refresh</h1>",
        f"<p>Generated {generated:%Y-%m-%d %H:%M} UTC from the audit schema.</p>",
        "<ul>" + "".join(f"<li>{s}</li>" for s in summary) + "</ul>",
        "<h2>Files</h2>",
        _table(
            files.drop(columns="balanced").assign(balanced=files["balanced"]),
            ("rows_read", "rows_loaded", "rows_quarantined", "bytes"),
        ),
        "<h2>Quarantined rows, by reason</h2><p>Row numbers are those of the file "
        "(header = row 1 for CSV and XLSX, the case number for SPSS). Values of personal "
        "data and respondent ids are never shown.</p>",
        _table(reasons, ("rows",)),
        "<h2>Labels the codebook does not know</h2><p>Add them to the codebook (as labels "
        "or aliases) if they are right, or have the export fixed.</p>",
        _table(reasons[reasons["reason"].str.startswith("unknown ")], ("rows",)),
        "<h2>Case studies</h2><p>Rows whose codes are not in the codebook are left out "
        "of core.cases.</p>",
        _table(audit.cases, ("rows_read", "rows_loaded", "rows_quarantined")),
        _table(audit.case_problems, ("row",)) if len(audit.case_problems) else "",
        "<h2>Validation (Great Expectations), latest run of each suite</h2>",
        _table(suites, ("partitions", "results", "failed")),
        "<h3>Failed expectations</h3>",
        _table(failed.drop(columns=["success"]) if len(failed) else failed, ("unexpected_count",)),
        "</html>",
    ]
    return "\n".join(parts)


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
