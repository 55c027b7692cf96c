"""The named views of marts.shares (marts.levers_by_country, ...), declared one line
each in sql/marts/share_views.yaml and built from the template share_view.sql.jinja:
the spec is read, checked (an error names the file, line and field) and turned into
the SQL of each view. The report takes its share figures from the same spec."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from observatory.codebook import load_codebook
from observatory.warehouse.documentation import quote
from observatory.warehouse.sqlfiles import SQL_DIR, read_sql, shown

SPEC = SQL_DIR / "marts" / "share_views.yaml"
TEMPLATE = SQL_DIR / "marts" / "share_view.sql.jinja"
DOMAINS = ("country", "scheme_type")
FIELDS = {"dimension", "by", "respondents", "report", "text", "trend"}
NAME = re.compile(r"[a-z][a-z0-9_]*$")


class ShareViewSpecError(ValueError):
    """A line of share_views.yaml that cannot make a view."""


@dataclass(frozen=True)
class ShareView:
    name: str  # the table is marts.<name>
    dimension: str
    by: str  # a domain type of marts.shares: country or scheme_type
    respondents: str
    report: str | None  # the report section showing it, if any
    text: str | None  # the key of its words in the report's catalogs
    trend: bool
    source: str  # where it is declared: share_views.yaml:<line>


def _view(name: str, where: str, fields: dict, dimensions: set[str]) -> ShareView:
    def fail(problem: str) -> ShareViewSpecError:
        return ShareViewSpecError(f"{where} ({name}): {problem}")

    if unknown := set(fields) - FIELDS:
        raise fail(f"unknown field(s) {', '.join(sorted(unknown))}")
    if missing := {"dimension", "by", "respondents"} - set(fields):
        raise fail(f"missing field(s) {', '.join(sorted(missing))}")
    trend = fields.pop("trend", False)
    if not_text := sorted(k for k, v in fields.items() if not isinstance(v, str)):
        raise fail(f"{', '.join(not_text)} must be text")
    if not isinstance(trend, bool):
        raise fail("trend must be true or false")
    view = ShareView(name, source=where, trend=trend, **{"report": None, "text": None, **fields})
    if not NAME.match(name) or not name.endswith(f"_by_{view.by}"):
        raise fail(f"the name must be snake_case and end with _by_{view.by}")
    if view.by not in DOMAINS:
        raise fail(f"by must be one of {', '.join(DOMAINS)}, not {view.by!r}")
    if view.dimension not in dimensions:
        raise fail(f"dimension {view.dimension!r} is not in the codebook's taxonomy")
    if (view.report is None) != (view.text is None):
        raise fail("report and text go together (a figure needs both)")
    if view.trend and (view.report is None or view.by != "country"):
        raise fail("trend: true needs a report figure by country")
    return view


@functools.cache
def share_views(spec: Path = SPEC) -> tuple[ShareView, ...]:
    """The views of the spec, in its order."""
    text = read_sql(spec)
    try:
        root, values = yaml.compose(text), yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ShareViewSpecError(f"{shown(spec)}: not YAML: {error}") from error
    dimensions = set(load_codebook().dimensions)
    views, seen = [], set()
    for key, _value in root.value if root is not None else []:
        name = key.value
        where = f"{shown(spec)}:{key.start_mark.line + 1}"
        if name in seen:
            raise ShareViewSpecError(f"{where}: {name} is declared twice")
        seen.add(name)
        fields = values[name]
        if not isinstance(fields, dict):
            raise ShareViewSpecError(f"{where} ({name}): expected {{dimension: ..., by: ...}}")
        views.append(_view(name, where, dict(fields), dimensions))
    return tuple(views)


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    environment.filters["literal"] = quote
    return environment.from_string(read_sql(TEMPLATE))


def view_sql(view: ShareView) -> str:
    return _template().render(
        name=view.name, dimension=view.dimension, by=view.by, respondents=view.respondents
    )
