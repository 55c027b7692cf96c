"""The SQL models: one table each, `<folder>.<name>` built by the .sql file
sql/<folder>/<name>.sql, or, for the named views of marts.shares, by a line of
sql/marts/share_views.yaml. What a model reads is read from its parsed SQL."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import duckdb

from observatory.warehouse import macros, share_views
from observatory.warehouse.references import Analysis, analyse
from observatory.warehouse.sqlfiles import SQL_DIR, read_sql, shown


class ModelError(ValueError):
    """No such model, or two definitions of one."""


@dataclass(frozen=True)
class Model:
    folder: str  # core or marts: the schema of its table
    name: str
    text: str  # its own SQL
    source: str  # where it is defined: a .sql file, or a line of share_views.yaml

    @property
    def table(self) -> str:
        return f"{self.folder}.{self.name}"

    @functools.cached_property
    def analysis(self) -> Analysis:
        return analyse(self.text, self.source)

    @property
    def sql(self) -> str:
        """What builds the table: the macros it calls created first, then its own SQL."""
        return macros.definitions(self.analysis) + self.text


@functools.cache
def _models(folder: str) -> dict[str, Model]:
    found = {
        path.stem: Model(folder, path.stem, read_sql(path), shown(path))
        for path in (SQL_DIR / folder).glob("*.sql")
    }
    if folder == "marts":
        for view in share_views.share_views():
            if view.name in found:
                raise ModelError(
                    f"{view.source}: marts.{view.name} is also {found[view.name].source}"
                )
            found[view.name] = Model(folder, view.name, share_views.view_sql(view), view.source)
    return dict(sorted(found.items()))


def models(folder: str) -> list[str]:
    """Names of the SQL models of a folder (core, marts), sorted."""
    return list(_models(folder))


def model(folder: str, name: str) -> Model:
    try:
        return _models(folder)[name]
    except KeyError:
        raise ModelError(f"no model {folder}.{name} in {shown(SQL_DIR)}") from None


def model_inputs(folder: str, name: str) -> set[str]:
    """What a model reads, from its parsed SQL: tables (`core.x`, `marts.x`, `staging.x`),
    registered inputs (`raw_x`, `ref_x`), and what the table macros it calls read."""
    found = model(folder, name)
    return macros.expand(found.analysis) - {found.table}


def run_model(con: duckdb.DuckDBPyConnection, folder: str, name: str) -> int:
    """Build table `<folder>.<name>` from its SQL; returns its row count. Its columns'
    documentation is the caller's to add (`document`, once for several models)."""
    con.execute(model(folder, name).sql)
    (rows,) = con.execute(f'SELECT count(*) FROM {folder}."{name}"').fetchall()[0]
    return int(rows)
