"""The floor's harmonisation of one export, in SQL over the temp table `src` (see
floor_read): the pipeline's quarantine rules as SQL predicates with its reasons, each
distinct label normalised once in Python and joined, the keyed pseudonym (HMAC-SHA256)
computed in SQL; rows written to the pipeline's staging and audit tables."""

from dataclasses import dataclass

import duckdb
import pandas as pd
from floor_read import ident, lit

from observatory.codebook import SURVEY_LANGUAGES, Codebook, Question, normalise_label
from observatory.config import Country
from observatory.ingest.harmonise import MAX_VALUE, UNSELECTED


@dataclass(frozen=True)
class Column:
    name: str  # in src
    header: str  # in the file
    question: Question
    option: str | None  # the option code of a one-column-per-option column


def hmac_sql(key: bytes, message: str) -> str:
    """HMAC-SHA256 (RFC 2104) of a VARCHAR expression, as hex, in DuckDB SQL."""
    padded = key.ljust(64, b"\0")
    inner, outer = (bytes(b ^ pad for b in padded).hex() for pad in (0x36, 0x5C))
    return f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode({message}))))"


def _reason(book: Codebook, q: Question, country: Country, value: str, what: str) -> str:
    """The pipeline's reason for a label that is not one of the country's language."""
    lang = country.language
    foreign = {
        text: f"the {other} label of {code}"
        for other in ("en", *reversed(SURVEY_LANGUAGES))
        if other != lang
        for text, code in book.dimensions[q.dimension].lookup(other).items()
    }
    key = normalise_label(value)
    return f"unknown {what} for {q.id} (" + (
        f"{foreign[key]}; {country.code} answers are expected in {lang})"
        if key in foreign
        else f"not in the codebook for {lang})"
    )


def _values(
    book: Codebook, country: Country, columns: dict[str, Column], pairs: list[tuple[str, str]]
) -> pd.DataFrame:
    """(col, value) -> question, dimension, code (None: not chosen), reason (None: fine)."""
    selected = {normalise_label(s) for s in country.export.multi_select.selected}
    rows = []
    for name, value in pairs:
        c = columns[name]
        q, key, code, reason = c.question, normalise_label(value), None, None
        if c.option is not None:
            code = c.option if key in selected else None
            if code is None and key not in UNSELECTED:
                reason = f"unexpected value in option column of {q.id}"
        else:
            code = book.dimensions[q.dimension].lookup(country.language).get(key)
            if code is None:
                what = "label" if q.kind == "single" else "option"
                reason = _reason(book, q, country, value, what)
        rows.append((name, value, q.id, q.dimension, code, reason))
    return pd.DataFrame(rows, columns=["col", "value", "question", "dimension", "code", "reason"])


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
    con.register("vals", _values(book, country, by_name, pairs))
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
