"""The floor's harmonisation of one export, in SQL over the temp table `src` (see
floor_read): the pipeline's quarantine rules as SQL predicates with its reasons, each
distinct label decided once by the pipeline's own code (observatory.ingest.sqlvalues)
and joined, the keyed pseudonym (HMAC-SHA256) computed in SQL; rows written straight to
the staging and audit tables (the pipeline's DuckDB path, observatory.ingest.sqlstage,
writes a partition's files into incoming tables and finds duplicated ids over the
partition; here a partition is one file, and its duplicates a rule of its own)."""

import duckdb

from observatory.codebook import Codebook
from observatory.config import Country
from observatory.ingest import sqlvalues
from observatory.ingest.duckread import ident, lit
from observatory.ingest.harmonise import MAX_VALUE
from observatory.ingest.sqlstage import hmac_sql
from observatory.ingest.sqlvalues import Column


def _checks(book: Codebook, country: Country, columns: list[Column], first: int) -> list[str]:
    """SELECT row, column, value, reason of each row-level rule but the labels'."""
    out, row = [], f"rowid + {first}"
    for c in columns:
        q, col, head = c.question, ident(c.name), lit(c.header)
        if q.required:
            out.append(
                f"SELECT {row}, {head}, '', 'missing required answer {q.id}' FROM src "
                f"WHERE {col} IS NULL"
            )
        if q.kind in ("likert", "number"):
            number = f"TRY_CAST(replace({col}, {lit(country.export.decimal)}, '.') AS DOUBLE)"
            out.append(
                f"SELECT {row}, {head}, {col}, '{q.id} is not a number' FROM src "
                f"WHERE {col} IS NOT NULL AND {number} IS NULL"
            )
            outside = f"{number} < {q.min} OR {number} > {q.max}" + (
                f" OR {number} % 1 <> 0" if q.kind == "likert" else ""
            )
            out.append(
                f"SELECT {row}, {head}, {col}, '{q.id} outside {q.min:g}..{q.max:g}' "
                f"FROM src WHERE {outside}"
            )
    return out


def stage(
    con: duckdb.DuckDBPyConnection,
    book: Codebook,
    country: Country,
    wave: int,
    file: str,
    columns: list[Column],
    first: int,
    key: bytes,
) -> tuple[int, int, int]:
    """Stage `src` (rows read, loaded, quarantined)."""
    by_name, multi = {c.name: c for c in columns}, country.export.multi_select
    coded = [c for c in columns if c.question.kind in ("single", "multi")]
    cell = [lit(c.name) for c in coded if c.question.kind == "multi" and c.option is None]
    ident_col = next(c for c in columns if c.question.kind == "id")
    numbers = [c for c in columns if c.question.kind in ("likert", "number")]
    con.execute(f"""CREATE OR REPLACE TEMP TABLE parts AS
        WITH cells AS (UNPIVOT (SELECT rowid + {first} AS row, {
        ", ".join(ident(c.name) for c in coded)
    } FROM src) ON COLUMNS(* EXCLUDE row)
            INTO NAME col VALUE value)
        SELECT row, col, value FROM cells WHERE col NOT IN ({", ".join(cell) or "''"})
        UNION ALL
        SELECT * FROM (SELECT row, col, trim(unnest(string_split(value, {
        lit(multi.separator or " ")
    }))) AS value FROM cells WHERE col IN ({", ".join(cell) or "''"})) WHERE value <> ''""")
    pairs = con.execute("SELECT DISTINCT col, value FROM parts").fetchall()
    con.register("vals", sqlvalues.labels(book, country, by_name, pairs))
    con.execute("""CREATE OR REPLACE TEMP TABLE mapped AS
        SELECT p.row, p.col, p.value, v.question, v.dimension, v.code, v.reason
        FROM parts p JOIN vals v USING (col, value)""")
    con.unregister("vals")
    heads = "(VALUES " + ", ".join(f"({lit(c.name)}, {lit(c.header)})" for c in columns) + ")"
    parents = (
        "(VALUES "
        + ", ".join(
            f"({lit(s.code)}, {lit(s.parent or '')})"
            for s in book.dimensions["subtheme"].codes.values()
        )
        + ")"
    )
    keyed = hmac_sql(key, f"'{country.code}:' || {ident(ident_col.name)}")
    rules = [
        f"SELECT m.row, h.header, m.value, m.reason FROM mapped m JOIN {heads} h(col, "
        "header) USING (col) WHERE m.reason IS NOT NULL",
        *_checks(book, country, columns, first),
        f"""SELECT row, {lit(ident_col.header)}, key, 'duplicate respondent id in rows '
                 || string_agg(row::VARCHAR, ', ' ORDER BY row) OVER (PARTITION BY key)
             FROM keys WHERE key IS NOT NULL QUALIFY count(*) OVER (PARTITION BY key) > 1""",
    ]
    sub = next((c for c in coded if c.question.id == "subtheme"), None)
    if sub is not None and any(c.question.id == "theme" for c in coded):
        rules.append(f"""SELECT s.row, {lit(sub.header)}, s.value,
                             'subtheme does not belong to the theme'
            FROM mapped s JOIN mapped t ON t.row = s.row AND t.question = 'theme'
            JOIN {parents} p(code, parent) ON p.code = s.code
            WHERE s.question = 'subtheme' AND t.code IS NOT NULL AND p.parent <> t.code""")
    values = ", ".join(
        f"TRY_CAST(replace({ident(c.name)}, {lit(country.export.decimal)}, "
        f"'.') AS DOUBLE) AS {c.question.id}"
        for c in numbers
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE keys AS SELECT rowid + {first} AS row, "
        f"substr({keyed}, 1, 20) AS key, {values} FROM src"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE problems AS "
        + "\nUNION ALL\n".join(f"SELECT * FROM ({r})" for r in rules)
    )
    common = f"{wave} AS wave, {lit(country.code)} AS country"
    con.execute(f"""INSERT INTO audit.quarantine BY NAME
        SELECT {common}, {lit(file)} AS file, "row", "column",
               left(value, {MAX_VALUE}) AS value, reason, 'floor' AS run_id
        FROM problems p("row", "column", value, reason) ORDER BY "row", "column" """)
    con.execute("""CREATE OR REPLACE TEMP TABLE good AS SELECT * FROM keys
                   WHERE row NOT IN (SELECT #1 FROM problems)""")
    singles = [c.question.id for c in coded if c.question.kind == "single"]
    pivot = ", ".join(f"any_value(code) FILTER (question = '{q}') AS {q}" for q in singles)
    con.execute(f"""INSERT INTO staging.responses BY NAME
        SELECT g.key AS respondent_key, {common}, {lit(file)} AS source_file,
               g.row AS source_row, g.* EXCLUDE (row, key), s.* EXCLUDE (row)
        FROM good g LEFT JOIN (SELECT row, {pivot} FROM mapped GROUP BY row) s USING (row)""")
    con.execute(f"""INSERT INTO staging.answers BY NAME
        SELECT g.key AS respondent_key, {common}, m.question, m.dimension, m.code
        FROM mapped m JOIN good g USING (row) WHERE m.code IS NOT NULL""")
    read, loaded = con.execute(
        "SELECT (SELECT count(*) FROM src), (SELECT count(*) FROM good)"
    ).fetchall()[0]
    return read, loaded, read - loaded
