"""Publish the analyst snapshot: a new DuckDB file holding the analyst schemas with
their documentation (written whole, or as a copy of the last snapshot with only what
changed written again: `observatory.warehouse.snapshot`), under a dated name that is
never overwritten, then
swapped in as the published file with an atomic rename. Analysts holding the old file
open keep reading it; nobody ever sees a half-written warehouse. The marts also go out
as Parquet (data/warehouse/parquet, a link swapped to the dated export) and the data
dictionary as data/warehouse/DATA_DICTIONARY.md.

Crash safety: everything is written under `*.partial` / `*.incoming` names first and
renamed into place when whole, so a refresh killed at any moment leaves either the old
or the new published files, never a torn one; the next publish removes such leftovers.
A write that fails (disk full, permissions) removes what this publish wrote and raises
`PublishError` naming the cause, with the published files untouched.

Once published, older snapshots are pruned by the retention policy (`keep_snapshots` in
settings.yaml, see `observatory.warehouse.retention`)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from pathlib import Path

import duckdb

from observatory.config import load_publication, load_settings
from observatory.paths import Paths
from observatory.warehouse import SQL_DIR, dictionary, retention, snapshot
from observatory.warehouse.documentation import quote as _quote
from observatory.warehouse.snapshot import write_snapshot

STAGED = (".partial", ".partial.wal", ".incoming")  # written before being renamed


class PublishError(Exception):
    """Publishing failed and was rolled back: the published files are unchanged."""


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def parquet_readme(tables: list[str], snapshot: str) -> str:
    """README.md of a Parquet export: what it holds and its licence (report.yaml)."""
    settings = load_publication()
    licence = settings.licence
    lines = [
        f"# {settings.publisher}: the marts of snapshot {snapshot} as Parquet",
        "",
        f"Licence: {licence.title} ({licence.id}), {licence.url}. Cite "
        f"{settings.publisher}, snapshot {snapshot}.",
        "",
        "Each file is one table of the `marts` schema; DATA_DICTIONARY.md beside the "
        "published warehouse documents every column.",
        "",
    ]
    return "\n".join([*lines, *(f"- marts/{table}.parquet" for table in tables)]) + "\n"


def export_parquet(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Every mart as `<target>/marts/<table>.parquet`, with a README.md stating the
    licence, written in a temporary folder renamed into place when complete."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "marts").mkdir(parents=True)
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = "
        "current_database() AND schema_name = 'marts' ORDER BY 1"
    ).fetchall()
    for (table,) in tables:
        path = partial / "marts" / f"{table}.parquet"
        con.execute(f'COPY marts."{table}" TO {_quote(str(path))} (FORMAT parquet)')
    (partial / "README.md").write_text(
        parquet_readme([table for (table,) in tables], target.name.removesuffix("-parquet")),
        encoding="utf-8",
    )
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


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def clear_leftovers(published: Path, snapshots_dir: Path) -> list[Path]:
    """Remove what an interrupted publish left behind (partial snapshots and Parquet
    folders, staged links and files); returns what was removed. Only one publish runs
    at a time (it holds the pipeline's single-writer connection)."""
    leftovers = [
        p
        for folder in (published.parent, snapshots_dir)
        if folder.is_dir()
        for p in folder.iterdir()
        if p.name.endswith(STAGED)
    ]
    for path in leftovers:
        _remove(path)
    return leftovers


def prune_validation_results(con: duckdb.DuckDBPyConnection, keep: int) -> int:
    """Apply the retention rule of audit.validation_results; returns the rows deleted."""
    con.execute("SET VARIABLE keep_validation_runs = ?", [keep])
    sql = (SQL_DIR / "retention" / "validation_results.sql").read_text(encoding="utf-8")
    (deleted,) = con.execute(sql).fetchall()[0]
    return int(deleted)


def publish(
    con: duckdb.DuckDBPyConnection,
    published: Path,
    snapshots_dir: Path,
    now: dt.datetime | None = None,
    reports_dir: Path | None = None,
) -> tuple[Path, dict[str, int]]:
    """Write a dated snapshot and its Parquet export, make them the published files with
    atomic renames, then prune the snapshots the retention policy does not keep (those
    behind the reports in `reports_dir`, by default the configured one, are kept)."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    prune_validation_results(con, load_settings().keep_validation_runs)
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    clear_leftovers(published, snapshots_dir)
    dated = snapshots_dir / f"observatory-{stamp}.duckdb"
    parquet = snapshots_dir / f"observatory-{stamp}-parquet"
    try:
        counts, _ = write_snapshot(con, dated.with_suffix(".partial"), snapshots_dir)
        _fsync(dated.with_suffix(".partial"))
        export_parquet(con, parquet)
        text = dictionary.render(con)
        os.replace(dated.with_suffix(".partial"), dated)  # appears whole or not at all
        snapshot.record(con, dated.name)  # the next snapshot may start from a copy of it
    except (OSError, duckdb.Error) as exc:
        clear_leftovers(published, snapshots_dir)
        _remove(parquet)
        raise PublishError(
            f"publishing the analyst snapshot failed, {published} is unchanged: "
            f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        ) from None
    staging = published.with_name(published.name + ".incoming")
    try:
        os.link(dated, staging)  # same bytes, no copy; snapshots are never modified
    except OSError:
        shutil.copyfile(dated, staging)
    os.replace(staging, published)
    _swap_symlink(published.parent / "parquet", parquet)
    _write_atomically(published.parent / "DATA_DICTIONARY.md", text)
    try:
        retention.prune(
            snapshots_dir,
            published,
            reports_dir or Paths.from_env().reports_dir,
            load_settings().keep_snapshots,
        )
    except OSError as exc:  # published all the same: the next publish prunes again
        logging.getLogger(__name__).warning("pruning old snapshots failed: %s", exc)
    return dated, counts
