"""Read-side SQL: the queries the report and the data-quality page run on a published
warehouse, one per file of sql/queries/ (report/, quality/). A query used by both is
its own file, included where it is needed (`{% include "latest_validation_results.sql"
%}`, Jinja), so it is defined once and every query stays one self-contained statement
(the report's data files record the SQL they came from)."""

from __future__ import annotations

import functools

import jinja2

from observatory.warehouse.sqlfiles import SQL_DIR

QUERY_DIR = SQL_DIR / "queries"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(QUERY_DIR), undefined=jinja2.StrictUndefined
    )


@functools.cache
def query(name: str) -> str:
    """The SQL of sql/queries/<name>.sql (name: report/shares, quality/validation, ...)."""
    return _environment().get_template(f"{name}.sql").render().strip()
