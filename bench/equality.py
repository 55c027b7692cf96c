"""Proof that the floor and the pipeline produced the same outputs from the same raw
files: respondents and answers (counts and content hashes, pseudonyms included), the
quarantine of each file (the same rows), and every cell of marts.shares (numbers
within 1e-9, relative above 1: n_eff runs to 1e5, where parallel float sums differ in
the last bits; the rest equal). Read from the two published snapshots."""

import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests/
from tests.hashing import table_hash  # noqa: E402

KEY = ("wave", "domain_type", "domain", "base", "dimension", "code")
TOLERANCE = 1e-9


def _attach(pipeline: Path, floor: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH '{pipeline}' AS p (READ_ONLY)")
    con.execute(f"ATTACH '{floor}' AS f (READ_ONLY)")
    return con


def _share_differences(con: duckdb.DuckDBPyConnection) -> int:
    columns = [
        (name, str(kind))
        for name, kind, *_ in con.execute("SELECT * FROM p.marts.shares LIMIT 0").description
    ]
    cells = [
        f"abs(p.{n} - f.{n}) > {TOLERANCE} * greatest(abs(p.{n}), 1) "
        f"OR (p.{n} IS NULL) <> (f.{n} IS NULL)"
        if kind in ("DOUBLE", "FLOAT")
        else f"p.{n} IS DISTINCT FROM f.{n}"
        for n, kind in columns
        if n not in KEY
    ]
    on = " AND ".join(f"p.{k} = f.{k}" for k in KEY)
    (count,) = con.execute(
        f"SELECT count(*) FROM p.marts.shares p FULL JOIN f.marts.shares f ON {on} "
        f"WHERE p.wave IS NULL OR f.wave IS NULL OR {' OR '.join(cells)}"
    ).fetchall()[0]
    return int(count)


def compare(pipeline: Path, floor: Path) -> dict[str, object]:
    """{measure: (pipeline's, floor's)} of what differs, and `identical`."""
    con = _attach(pipeline, floor)
    found: dict[str, tuple] = {}
    for table in ("core.respondents", "core.answers"):
        found[table] = tuple(table_hash(con, f"{db}.{table}") for db in ("p", "f"))
    quarantine = (
        'SELECT file, list(DISTINCT "row" ORDER BY "row") FROM {}.audit.quarantine '
        "GROUP BY file ORDER BY file"
    )
    found["quarantined rows per file"] = tuple(
        con.execute(quarantine.format(db)).fetchall() for db in ("p", "f")
    )
    found["marts.shares rows"] = tuple(
        con.execute(f"SELECT count(*) FROM {db}.marts.shares").fetchall()[0][0] for db in ("p", "f")
    )
    different = {k: v for k, v in found.items() if v[0] != v[1]}
    cells = _share_differences(con)
    if cells:
        different["marts.shares cells differing by more than 1e-9"] = (0, cells)
    con.close()
    return {
        "identical": not different,
        "respondents": found["core.respondents"][0],
        "answers": found["core.answers"][0],
        "different": different,
    }
