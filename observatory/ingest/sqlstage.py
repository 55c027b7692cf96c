"""Harmonise an export read into the temp table `src` (by DuckDB from a text export,
`observatory.ingest.duckread`, or from the Python reader's table of a workbook or SPSS
file, `observatory.ingest.tablepath`) in SQL, as `observatory.ingest.harmonise` does
in pandas: the same quarantine rules with the same reasons, values and row numbers,
each distinct label and number decided once in Python (`observatory.ingest.sqlvalues`)
and joined, the keyed pseudonym (HMAC-SHA256) computed in SQL; rows written to the
loader's incoming tables (`observatory.ingest.load`), which finds duplicated ids over
the partition."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from observatory.codebook import Codebook
from observatory.config import Country
from observatory.ingest import sqlvalues
from observatory.ingest.duckread import STRIP, ident, lit
from observatory.ingest.harmonise import MAX_VALUE
from observatory.ingest.sqlvalues import Column

LINE = "rowid + 2"  # the row of a record read by duckread: the header is line 1
TEMP = ("src", "ingest_parts", "ingest_mapped", "ingest_numbers", "ingest_problems", "ingest_keys")


@dataclass(frozen=True)
class Target:
    """Where the staged rows go, and the number of the file in its partition."""

    quarantine: str
    responses: str | None  # None: counts and quarantine only
    answers: str
    ids: str
    file_no: int
    run_id: str | None


def hmac_sql(key: bytes, message: str) -> str:
    """HMAC-SHA256 (RFC 2104) of a VARCHAR expression, as hex, in DuckDB SQL."""
    padded = key.ljust(64, b"\0")
    inner, outer = (bytes(b ^ pad for b in padded).hex() for pad in (0x36, 0x5C))
    return f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode({message}))))"


def _unpivot(columns: list[Column], row: str) -> str:
    names = ", ".join(ident(c.name) for c in columns)
    return (
        f"(UNPIVOT (SELECT {row} AS row, {names} FROM src) ON COLUMNS(* EXCLUDE row) "
        "INTO NAME col VALUE value)"
    )


def _parts(con: duckdb.DuckDBPyConnection, country: Country, coded: list[Column], row: str) -> None:
    """ingest_parts(row, col, value, ord): the cells of single and option columns, and the
    parts of multi-select cells split as `str.split` splits them (ord: their place), each
    stripped as `str.strip()` strips (a regular expression: `trim` with those characters
    took four times as long, most of staging a 1 M-response file)."""
    cell = ", ".join(lit(c.name) for c in coded if c.question.kind == "multi" and not c.option)
    split = f"string_split(value, {lit((country.export.multi_select.separator or '').strip())})"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE ingest_parts AS
        WITH cells AS {_unpivot(coded, row)}
        SELECT row, col, value, 0 AS ord FROM cells WHERE col NOT IN ({cell or "''"})
        UNION ALL
        SELECT * FROM (SELECT row, col, regexp_replace(unnest({split}), {STRIP}, '', 'g') AS value,
                              unnest(generate_series(1, len({split}))) AS ord
                       FROM cells WHERE col IN ({cell or "''"})) WHERE value <> ''""")


def _joined(con: duckdb.DuckDBPyConnection, table: str, source: str, values: object) -> None:
    """`table`: the rows of `source` with what was decided about their value."""
    con.register("ingest_values", values)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS "
        f"SELECT * FROM {source} JOIN ingest_values USING (col, value)"
    )
    con.unregister("ingest_values")


def _rules(book: Codebook, columns: list[Column], row: str) -> list[str]:
    """SELECT row, column, value, reason, ord of each rule."""
    heads = "(VALUES " + ", ".join(f"({lit(c.name)}, {lit(c.header)})" for c in columns) + ")"
    out = [
        f"SELECT row, h.header, value, reason, {ord} FROM {table} JOIN {heads} h(col, header) "
        "USING (col) WHERE reason IS NOT NULL"
        for table, ord in (("ingest_mapped", "ord"), ("ingest_numbers", "0"))
    ]
    first = {c.question.id: c for c in reversed(columns)}  # the file's first column of each
    out += [
        f"SELECT {row}, {lit(c.header)}, '', 'missing required answer {q}', 0 FROM src "
        f"WHERE {ident(c.name)} IS NULL"
        for q, c in first.items()
        if c.question.required
    ]
    if {"theme", "subtheme"} <= {q for q, c in first.items() if c.question.kind == "single"}:
        parents = ", ".join(
            f"({lit(s.code)}, {lit(s.parent or '')})"
            for s in book.dimensions["subtheme"].codes.values()
        )
        out.append(f"""SELECT s.row, {lit(first["subtheme"].header)}, s.value,
                'subtheme does not belong to the theme', 0
            FROM ingest_mapped s JOIN ingest_mapped t ON t.row = s.row AND t.question = 'theme'
            LEFT JOIN (VALUES {parents}) p(code, parent) ON p.code = s.code
            WHERE s.question = 'subtheme' AND s.code IS NOT NULL AND t.code IS NOT NULL
              AND coalesce(p.parent, '') <> t.code""")
    return out


def _pivot(table: str, column: str, names: dict[str, str]) -> str:
    """One row per record of `table`, a column per question (`names`: col -> question)."""
    picks = ", ".join(
        f"any_value({column}) FILTER (col = {lit(c)}) AS {ident(q)}" for c, q in names.items()
    )
    return f"(SELECT row, {picks} FROM {table} GROUP BY row)"


def stage(
    con: duckdb.DuckDBPyConnection,
    book: Codebook,
    country: Country,
    wave: int,
    file: str,
    columns: list[Column],
    key: bytes,
    to: Target,
    row: str = LINE,
) -> int:
    """Stage `src` into `to`, `row` giving the row number of each of its records; the
    number of rows loaded (before duplicated ids)."""
    by_name = {c.name: c for c in columns}
    coded = [c for c in columns if c.question.kind in ("single", "multi")]
    numeric = [c for c in columns if c.question.kind in ("likert", "number")]
    id_column = next(c for c in columns if c.question.kind == "id")
    _parts(con, country, coded, row)
    pairs = con.execute("SELECT DISTINCT col, value FROM ingest_parts").fetchall()
    _joined(con, "ingest_mapped", "ingest_parts", sqlvalues.labels(book, country, by_name, pairs))
    con.execute(f"CREATE OR REPLACE TEMP TABLE ingest_cells AS FROM {_unpivot(numeric, row)}")
    pairs = con.execute("SELECT DISTINCT col, value FROM ingest_cells").fetchall()
    _joined(con, "ingest_numbers", "ingest_cells", sqlvalues.numbers(country, by_name, pairs))
    con.execute("DROP TABLE ingest_cells")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ingest_problems AS "
        + "\nUNION ALL\n".join(f"SELECT * FROM ({r})" for r in _rules(book, columns, row))
    )
    keyed = hmac_sql(key, f"'{country.code}:' || {ident(id_column.name)}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE ingest_keys AS SELECT {row} AS row, "
        f"substr({keyed}, 1, 20) AS key, row NOT IN (SELECT #1 FROM ingest_problems) AS good "
        "FROM src"
    )
    common = f"{wave} AS wave, {lit(country.code)} AS country"
    value = (
        f"CASE WHEN length(value) <= {MAX_VALUE} THEN value ELSE left(value, {MAX_VALUE}) "
        "|| format('… ({:,} characters)', length(value)) END"
    )
    con.execute(
        f"""INSERT INTO {to.quarantine} BY NAME
        SELECT {common}, {lit(file)} AS file, "row", "column", {value} AS value, reason,
               ? AS run_id
        FROM ingest_problems p("row", "column", value, reason, ord)
        ORDER BY "row", "column", ord""",
        [to.run_id],
    )
    con.execute(
        f"INSERT INTO {to.ids} SELECT {to.file_no}, key, row, {lit(id_column.header)}, good "
        "FROM ingest_keys WHERE key IS NOT NULL"
    )
    if to.responses is not None:
        singles = {c.name: c.question.id for c in coded if c.question.kind == "single"}
        numbers = {c.name: c.question.id for c in numeric}
        con.execute(f"""INSERT INTO {to.responses} BY NAME
            SELECT k.key AS respondent_key, {common}, {lit(file)} AS source_file,
                   k.row AS source_row, s.* EXCLUDE (row), n.* EXCLUDE (row)
            FROM ingest_keys k LEFT JOIN {_pivot("ingest_mapped", "code", singles)} s USING (row)
            LEFT JOIN {_pivot("ingest_numbers", "number", numbers)} n USING (row)
            WHERE k.good""")
        con.execute(f"""INSERT INTO {to.answers} BY NAME
            SELECT k.key AS respondent_key, {common}, m.question, m.dimension, m.code
            FROM ingest_mapped m JOIN ingest_keys k USING (row)
            WHERE k.good AND m.code IS NOT NULL""")
    (loaded,) = con.execute("SELECT count(*) FROM ingest_keys WHERE good").fetchall()[0]
    for table in TEMP:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return int(loaded)
