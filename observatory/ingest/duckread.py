"""Read a well-formed text export with DuckDB's CSV parser into the temp table `src`:
one text column per column the harmonisation reads, cells as the Python reader makes
them (a stray BOM dropped, stripped as `str.strip()` strips, blank as NULL), a record's
row number being `rowid + 2` (the header is line 1).

DuckDB reads only UTF-8 offline: a legacy code page is transcoded first, streaming, to a
scratch file. `read_text` answers None whenever DuckDB might not read the file as the
Python reader does (`observatory.ingest.readers`): the caller then takes that path.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from observatory.codebook import normalise_label
from observatory.config import load_settings
from observatory.ingest.textfile import CHUNK_BYTES, MAX_CELL

WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # str.strip()'s
UTF8 = ("utf-8", "utf-8-sig")
SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]+"
STRIP = f"'^{SPACE}|{SPACE}$'"
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")


def ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def text_sql(column: str) -> str:
    """A cell as the Python reader makes it (`readers.cell`). A regular expression: trim
    with these characters took three times as long."""
    return f"nullif(regexp_replace(replace({column}, chr(65279), ''), {STRIP}, '', 'g'), '')"


@dataclass(frozen=True)
class Wanted:
    """A column of the file to read into `src`: its position, and its name there.
    `blank_only`: only whether the cell is blank is kept (personal data)."""

    position: int
    name: str
    blank_only: bool = False


@contextmanager
def utf8_file(path: Path, encoding: str) -> Iterator[Path]:
    """The export as UTF-8: itself, or a transcoded copy while the block runs."""
    if encoding in UTF8:
        yield path
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    with tempfile.TemporaryDirectory(prefix="observatory-") as tmp:
        copy = Path(tmp) / "export.csv"
        with path.open("rb") as source, copy.open("wb") as target:
            while chunk := source.read(CHUNK_BYTES):
                target.write(decoder.decode(chunk).encode("utf-8"))
            target.write(decoder.decode(b"", final=True).encode("utf-8"))
        yield copy


def plain_lines(path: Path) -> int | None:
    """The number of lines of a UTF-8 file, or None if it holds a control character or
    a carriage return alone (the Python reader's business)."""
    lines, last = 0, b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if CONTROL_BYTES.search(chunk):  # a chunk ending in \r too: rare, and safe
                return None
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return lines + (last != b"\n")


def _longest(width: int) -> int:
    """Characters a record's cells may hold in all: no cell longer than MAX_CELL, and no
    line longer than max_line_chars (quotes, delimiters and line end included), whatever
    they are."""
    return min(MAX_CELL, (load_settings().max_line_chars - 3 * width - 2) // 2)


def _repeats_header(con: duckdb.DuckDBPyConnection, first: str) -> bool:
    """Whether a record's first cell may repeat the header's (`first`, normalised): the
    Python reader then compares the whole record. A cell of printable ASCII normalises
    to its lower case; the others are normalised in Python, once per distinct value."""
    odd = con.execute("SELECT DISTINCT head FROM src WHERE head IS NOT NULL").fetchall()
    return any(normalise_label.__wrapped__(v) == first for (v,) in odd)


def read_text(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    delimiter: str,
    names: list[str],
    wanted: list[Wanted],
) -> int | None:
    """Rows of `src` read from a UTF-8 export whose header is its line 1 and has these
    names; None (and no `src`) when DuckDB's reading could differ from Python's: a
    record over several lines, a blank line or record, a ragged row (DuckDB refuses it),
    a record that could be too long, a control character, the header repeated."""
    width, first = len(names), normalise_label(names[0])
    lines = plain_lines(path)
    if lines is None:
        return None
    relation = (
        f"read_csv({lit(str(path))}, delim={lit(delimiter)}, header=true, all_varchar=true, "
        "quote='\"', escape='\"', strict_mode=true, null_padding=false)"
    )
    cells = ", ".join(f"{text_sql(f'#{i + 1}')} AS t{i}" for i in range(width))
    total = " + ".join(f"coalesce(length(#{i + 1}), 0)" for i in range(width))
    filled = " OR ".join(f"t{i} IS NOT NULL" for i in range(width))
    columns = [
        f"CASE WHEN t{w.position} IS NULL THEN NULL ELSE '' END AS {ident(w.name)}"
        if w.blank_only
        else f"t{w.position} AS {ident(w.name)}"
        for w in wanted
    ]
    try:  # a file narrower than its header fails to bind; a wider one is odd
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE src AS SELECT {', '.join(columns)}, "
            f"unfit OR NOT ({filled}) AS odd, CASE WHEN regexp_full_match(coalesce(t0, ''), "
            f"'[!-~]*') AND lower(coalesce(t0, '')) <> {lit(first)} THEN NULL "
            f"ELSE coalesce(t0, '') END AS head FROM (SELECT {cells}, {total} > "
            f"{_longest(width)} OR len([*COLUMNS(*)]) <> {width} AS unfit FROM {relation})"
        )
    except duckdb.Error:
        return None
    rows, odd = con.execute("SELECT count(*), coalesce(bool_or(odd), false) FROM src").fetchall()[0]
    if odd or rows == 0 or rows != lines - 1 or _repeats_header(con, first):
        con.execute("DROP TABLE src")
        return None
    con.execute("ALTER TABLE src DROP COLUMN odd")
    con.execute("ALTER TABLE src DROP COLUMN head")
    return int(rows)
