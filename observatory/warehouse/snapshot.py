"""The analyst snapshot's file: the analyst schemas of the pipeline warehouse (tables and
their documentation) in a new DuckDB file.

Written whole the first time. After that, the new file starts as a copy of the last
snapshot written from this pipeline file (last_publish.tables names it and holds a
fingerprint of each of its tables: columns, documentation and content), and only the
tables whose fingerprint changed are written again: core.answers, the largest, only in
its wave x country partitions that changed (last_publish.answers against
staging.core_answers_loaded), a table with a `wave` column only in its waves that
changed (last_publish.waves: core.respondents and core.weights, a million rows each at
the bench's largest size, take a new wave without being rewritten), any other whole.
The file copy costs a fraction of re-writing every row."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd

from observatory.warehouse import ANALYST_SCHEMAS
from observatory.warehouse.documentation import comment_on
from observatory.warehouse.documentation import quote as _quote

# The pipeline's record of the last snapshot it wrote: not data, and named after a
# publish's time, so in a schema of its own (a refresh run twice leaves the same data).
STATE = """
CREATE SCHEMA IF NOT EXISTS last_publish;
CREATE TABLE IF NOT EXISTS last_publish.tables (
    snapshot VARCHAR, "table" VARCHAR, fingerprint VARCHAR);
CREATE TABLE IF NOT EXISTS last_publish.answers (
    wave INTEGER, country VARCHAR, fingerprint VARCHAR);
CREATE TABLE IF NOT EXISTS last_publish.waves (
    "table" VARCHAR, wave INTEGER, fingerprint VARCHAR);
CREATE TABLE IF NOT EXISTS staging.core_answers_loaded (  -- see core/answers.sql
    wave INTEGER, country VARCHAR, fingerprint VARCHAR, PRIMARY KEY (wave, country));
"""
ANSWERS = "core.answers"
PARTS = "SELECT wave, country, fingerprint FROM {} ORDER BY ALL"
CHANGED = """(SELECT * FROM now_parts EXCEPT SELECT * FROM before_parts)
UNION (SELECT * FROM before_parts EXCEPT SELECT * FROM now_parts)"""


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """{schema.table: comment} of the analyst schemas."""
    rows = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name IN "
        f"({', '.join(_quote(s) for s in ANALYST_SCHEMAS)}) ORDER BY ALL"
    ).fetchall()
    return {f'{schema}."{table}"': comment for schema, table, comment in rows}


Columns = list[tuple[str, str, str | None]]  # (name, type, comment) of a table, in order


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, Columns]:
    """{schema.table: its columns} of the analyst schemas, in one query (a query of the
    catalog per table cost more than the rest of a snapshot's bookkeeping)."""
    rows = con.execute(
        "SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name IN "
        f"({', '.join(_quote(s) for s in ANALYST_SCHEMAS)}) "
        "ORDER BY schema_name, table_name, column_index"
    ).fetchall()
    found: dict[str, Columns] = {}
    for schema, table, column, kind, comment in rows:
        found.setdefault(f'{schema}."{table}"', []).append((column, kind, comment))
    return found


def _waves(con: duckdb.DuckDBPyConnection, name: str, cells: str) -> dict[int, str]:
    """{wave: content fingerprint} of a table with a `wave` column."""
    return dict(
        con.execute(
            f"SELECT wave, sum(hash({cells}))::HUGEINT || ':' || count(*) FROM {name} GROUP BY wave"
        ).fetchall()
    )


def fingerprint(
    con: duckdb.DuckDBPyConnection, name: str, comment: str | None, columns: Columns
) -> tuple[str, dict[int, str] | None]:
    """'<documentation and columns>|<content>' of an analyst table, and the fingerprint
    of each of its waves when it has a `wave` column that is never NULL. core.answers'
    content is its partitions' fingerprints, kept up to date by its model."""
    meta = hashlib.sha256(repr((comment, columns)).encode()).hexdigest()[:16]
    if name.replace('"', "") == ANSWERS:
        ((content,),) = con.execute(
            f"SELECT string_agg(wave || country || fingerprint, ',' ORDER BY wave, country) "
            f"FROM ({PARTS.format('staging.core_answers_loaded')})"
        ).fetchall()
        return f"{meta}|{content}", None
    cells = ", ".join(f'"{c}"' for c, _, _ in columns)
    if "wave" in {c for c, _, _ in columns}:
        waves = _waves(con, name, cells)
        if None not in waves:
            return f"{meta}|" + ",".join(f"{w}={waves[w]}" for w in sorted(waves)), waves
    ((content,),) = con.execute(
        f"SELECT sum(hash({cells}))::HUGEINT || ':' || count(*) FROM {name}"
    ).fetchall()
    return f"{meta}|{content}", None


def _write(
    con: duckdb.DuckDBPyConnection, name: str, comment: str | None, columns: Columns
) -> None:
    con.execute(f"CREATE OR REPLACE TABLE snapshot.{name} AS SELECT * FROM {name}")
    on_table = [f"COMMENT ON TABLE snapshot.{name} IS {_quote(comment)}"] if comment else []
    on_columns = [
        f'COMMENT ON COLUMN snapshot.{name}."{column}" IS {_quote(text)}'
        for column, _, text in columns
        if text
    ]
    comment_on(con, on_table + on_columns)


def _update_answers(con: duckdb.DuckDBPyConnection) -> None:
    """core.answers in the copy: only its partitions that changed are replaced."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE now_parts AS {PARTS.format('staging.core_answers_loaded')}"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE before_parts AS {PARTS.format('last_publish.answers')}"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE parts_changed AS {CHANGED}")
    con.execute(
        "DELETE FROM snapshot.core.answers WHERE (wave, country) IN "
        "(SELECT (wave, country) FROM parts_changed)"
    )
    con.execute(
        "INSERT INTO snapshot.core.answers SELECT * FROM core.answers WHERE (wave, country) IN "
        "(SELECT (wave, country) FROM parts_changed)"
    )


def _update_waves(
    con: duckdb.DuckDBPyConnection, name: str, now: dict[int, str], before: dict[int, str]
) -> None:
    """A table with a `wave` column in the copy: only its waves that changed are replaced."""
    changed = sorted(w for w in now.keys() | before.keys() if now.get(w) != before.get(w))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE waves_changed_now AS SELECT unnest(?) AS wave", [changed]
    )
    con.execute(f"DELETE FROM snapshot.{name} WHERE wave IN (SELECT wave FROM waves_changed_now)")
    con.execute(
        f"INSERT INTO snapshot.{name} SELECT * FROM {name} "
        "WHERE wave IN (SELECT wave FROM waves_changed_now)"
    )


def _before_waves(con: duckdb.DuckDBPyConnection) -> dict[str, dict[int, str]]:
    """{table: {wave: fingerprint}} of the last snapshot (last_publish.waves)."""
    found: dict[str, dict[int, str]] = {}
    for table, wave, fp in con.execute(
        'SELECT "table", wave, fingerprint FROM last_publish.waves'
    ).fetchall():
        found.setdefault(table, {})[wave] = fp
    return found


def write_snapshot(
    con: duckdb.DuckDBPyConnection, target: Path, snapshots_dir: Path
) -> tuple[dict[str, int], list[str]]:
    """Write the analyst schemas of `con` into `target`, starting from a copy of the last
    snapshot in `snapshots_dir` written from `con` when it is still there; returns the
    row count of each table and the tables written (all of them without a copy)."""
    con.execute(STATE)
    tables, columns = _tables(con), _columns(con)
    now = {name: fingerprint(con, name, comment, columns[name]) for name, comment in tables.items()}
    ((last,),) = con.execute("SELECT any_value(snapshot) FROM last_publish.tables").fetchall()
    before, before_waves = {}, {}
    if last and (snapshots_dir / last).is_file():
        shutil.copyfile(snapshots_dir / last, target)
        before = dict(
            con.execute('SELECT "table", fingerprint FROM last_publish.tables').fetchall()
        )
        before_waves = _before_waves(con)
    con.execute("ATTACH ? AS snapshot", [str(target)])
    counts, written = {}, []
    try:
        for schema in ANALYST_SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS snapshot.{schema}")
        for name in set(before) - set(now):
            con.execute(f"DROP TABLE IF EXISTS snapshot.{name}")
        for name, comment in tables.items():
            fp, waves = now[name]
            if before.get(name) != fp:
                same_columns = before.get(name, "").split("|")[0] == fp.split("|")[0]
                if name.replace('"', "") == ANSWERS and same_columns:
                    _update_answers(con)
                elif waves is not None and same_columns and name in before_waves:
                    _update_waves(con, name, waves, before_waves[name])
                else:
                    _write(con, name, comment, columns[name])
                written.append(name.replace('"', ""))
            ((counts[name.replace('"', "")],),) = con.execute(
                f"SELECT count(*) FROM snapshot.{name}"
            ).fetchall()
        con.execute("CHECKPOINT snapshot")
    finally:
        con.execute("DETACH snapshot")
    frames = {
        "snapshot_written": pd.DataFrame(
            {"table": list(now), "fingerprint": [f for f, _ in now.values()]}
        ),
        "snapshot_waves_written": pd.DataFrame(
            [(name, w, f) for name, (_, waves) in now.items() for w, f in (waves or {}).items()],
            columns=["table", "wave", "fingerprint"],
        ).astype({"wave": "int64"}),
    }
    for table, frame in frames.items():  # for record()
        con.register("frame", frame)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS FROM frame")
        con.unregister("frame")
    return counts, written


def record(con: duckdb.DuckDBPyConnection, snapshot: str) -> None:
    """`snapshot` (a file name in the snapshots folder) holds what write_snapshot just
    wrote: the next one may start from a copy of it."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM last_publish.tables")
    con.execute(
        'INSERT INTO last_publish.tables SELECT ?, "table", fingerprint FROM snapshot_written',
        [snapshot],
    )
    con.execute("DELETE FROM last_publish.answers")
    con.execute(f"INSERT INTO last_publish.answers {PARTS.format('staging.core_answers_loaded')}")
    con.execute("DELETE FROM last_publish.waves")
    con.execute("INSERT INTO last_publish.waves SELECT * FROM snapshot_waves_written")
    con.execute("COMMIT")
