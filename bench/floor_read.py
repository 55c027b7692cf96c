"""The floor's readers: each export read once into the DuckDB temp table `src`, one
text column per column the pipeline reads (personal data is never read), cells
stripped and blank as NULL; a record's row number as a person sees it is `rowid +
first_row`. DuckDB parses the CSVs; Python only transcodes legacy code pages (DuckDB
reads only UTF-8 and UTF-16 offline) and reads XLSX (calamine, as the pipeline) and
SPSS (pyreadstat, as the pipeline)."""

from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from observatory.config import ExportProfile
from observatory.ingest.duckread import ident, lit

UNICODE = (None, "utf-8", "utf-8-sig")
# Python's str.strip() of the pipeline's reader, for the characters an export holds
TEXT = "nullif(trim({c}::VARCHAR, ' ' || chr(9) || chr(10) || chr(13) || chr(160)), '')"
NUMBER = (
    "CASE WHEN {c} IS NULL OR isnan({c}) THEN NULL WHEN {c} = trunc({c}) "
    "THEN {c}::BIGINT::VARCHAR ELSE {c}::VARCHAR END"
)  # 3.0 reads "3", as Python's
Wanted = Callable[[str], str | None]  # file header -> the name of its column in src, or None


def _text(value: object) -> str:
    """A spreadsheet or SPSS value as the pipeline's reader writes it (3.0 -> "3")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None or value != value else str(value)


def _create(
    con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]], wanted: Wanted
) -> None:
    """src from a relation: (file header, DuckDB type) of its columns in order."""
    exprs = []
    for i, (header, kind) in enumerate(columns):
        name = wanted(header)
        if name is not None:
            form = NUMBER if kind in ("DOUBLE", "FLOAT") else TEXT
            exprs.append(f"{form.format(c=f'#{i + 1}')} AS {ident(name)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE src AS SELECT {', '.join(exprs)} FROM {relation}")


def read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    data: bytes,
    export: ExportProfile,
    wanted: Wanted,
    tmp: Path,
) -> int:
    if export.encoding not in UNICODE:
        utf8 = tmp / f"{path.stem}.utf8.csv"
        utf8.write_bytes(data.decode(export.encoding).encode("utf-8"))
        path = utf8
    relation = (
        f"read_csv({lit(str(path))}, delim={lit(export.delimiter)}, header=true, "
        "all_varchar=true, quote='\"', escape='\"')"
    )
    columns = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    _create(con, relation, [(c[0], c[1]) for c in columns], wanted)
    return 2  # the header is line 1


def read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, wanted: Wanted) -> int:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        header, *rows = book.get_sheet_by_index(0).to_python()
    arrays, names = [], []
    for i, h in enumerate(header):
        if wanted(_text(h)) is None:
            continue
        column = [row[i] for row in rows]
        if not all(type(v) is str for v in column):  # number cells: Python only for these
            column = [_text(v) for v in column]
        arrays.append(pa.array(column, pa.string()))
        names.append(_text(h))
    con.register("sheet", pa.table(arrays, names=[f"c{i}" for i in range(len(names))]))
    _create(con, "sheet", [(n, "VARCHAR") for n in names], wanted)
    con.unregister("sheet")
    return 2


def read_sav(con: duckdb.DuckDBPyConnection, path: Path, wanted: Wanted) -> int:
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    labels = {c: meta.column_names_to_labels.get(c) or c for c in meta.column_names}
    use = [c for c in meta.column_names if wanted(labels[c]) is not None]
    frame, _ = pyreadstat.read_sav(
        str(path), apply_value_formats=True, user_missing=False, usecols=use
    )
    for column in frame.columns:  # value labels: once per distinct value, not per cell
        if frame[column].dtype == "category":
            frame[column] = frame[column].cat.rename_categories(_text).astype("string")
    con.register("sav", frame)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE sav)").fetchall())
    _create(con, "sav", [(labels[c], types[c]) for c in frame.columns], wanted)
    con.unregister("sav")
    return 1  # SPSS counts cases from 1
