"""Publish the analyst snapshot: a whole new DuckDB file holding the analyst schemas
with their documentation, written under a dated name that is never overwritten, then
swapped in as the published file with an atomic rename. Analysts holding the old file
open keep reading it; nobody ever sees a half-written warehouse. The marts also go out
as Parquet (data/warehouse/parquet, a link swapped to the dated export) and the data
dictionary as data/warehouse/DATA_DICTIONARY.md."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb

from observatory.warehouse import ANALYST_SCHEMAS, _quote, dictionary


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_snapshot(con: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Copy the analyst schemas (tables and comments) of `con` into a new file."""
    tables = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name IN "
        f"({', '.join(_quote(s) for s in ANALYST_SCHEMAS)}) ORDER BY ALL"
    ).fetchall()
    columns = con.execute(
        "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND comment IS NOT NULL"
    ).fetchall()
    con.execute("ATTACH ? AS snapshot", [str(target)])
    counts = {}
    try:
        for schema in ANALYST_SCHEMAS:
            con.execute(f"CREATE SCHEMA snapshot.{schema}")
        for schema, table, comment in tables:
            name = f'{schema}."{table}"'
            con.execute(f"CREATE TABLE snapshot.{name} AS SELECT * FROM {name}")
            if comment:
                con.execute(f"COMMENT ON TABLE snapshot.{name} IS {_quote(comment)}")
            counts[f"{schema}.{table}"] = con.execute(
                f"SELECT count(*) FROM snapshot.{name}").fetchone()[0]
        for schema, table, column, comment in columns:
            if f"{schema}.{table}" in counts:
                con.execute(f'COMMENT ON COLUMN snapshot.{schema}."{table}"."{column}" '
                            f"IS {_quote(comment)}")
        con.execute("CHECKPOINT snapshot")
    finally:
        con.execute("DETACH snapshot")
    return counts


def export_parquet(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Every mart as `<target>/marts/<table>.parquet`, written in a temporary folder
    renamed into place when complete."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "marts").mkdir(parents=True)
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                         "current_database() AND schema_name = 'marts' ORDER BY 1").fetchall()
    for (table,) in tables:
        path = partial / "marts" / f"{table}.parquet"
        con.execute(f'COPY marts."{table}" TO {_quote(str(path))} (FORMAT parquet)')
    os.replace(partial, target)


def _swap_symlink(link: Path, target: Path) -> None:
    """Point `link` at `target` atomically (a new link renamed over the old one)."""
    incoming = link.with_name(link.name + ".incoming")
    incoming.unlink(missing_ok=True)
    incoming.symlink_to(os.path.relpath(target, link.parent))
    os.replace(incoming, link)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def publish(con: duckdb.DuckDBPyConnection, published: Path, snapshots_dir: Path,
            now: dt.datetime | None = None) -> tuple[Path, dict[str, int]]:
    """Write a dated snapshot and make it the published file atomically."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    dated = snapshots_dir / f"observatory-{stamp}.duckdb"
    partial = dated.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    counts = write_snapshot(con, partial)
    _fsync(partial)
    os.replace(partial, dated)  # the dated copy appears whole or not at all
    staging = published.with_name(published.name + ".incoming")
    staging.unlink(missing_ok=True)
    try:
        os.link(dated, staging)  # same bytes, no copy; snapshots are never modified
    except OSError:
        shutil.copyfile(dated, staging)
    os.replace(staging, published)
    parquet = snapshots_dir / f"observatory-{stamp}-parquet"
    export_parquet(con, parquet)
    _swap_symlink(published.parent / "parquet", parquet)
    _write_atomically(published.parent / "DATA_DICTIONARY.md", dictionary.render(con))
    return dated, counts
