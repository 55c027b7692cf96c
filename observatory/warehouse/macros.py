"""The warehouse's table macros: one per file of sql/macros/, named as its file (the
file declares it). DuckDB binds a macro's body when it is created, so a macro is created
just before the SQL of a model that calls it runs (models.Model.sql), once its tables
exist. They are TEMP macros: they live with the connection and never reach a published
file. A model that calls a macro reads what the macro reads (models.model_inputs)."""

from __future__ import annotations

import functools

from observatory.warehouse.references import Analysis, analyse
from observatory.warehouse.sqlfiles import SQL_DIR, read_sql, shown

MACRO_DIR = SQL_DIR / "macros"


class MacroError(ValueError):
    """A file of sql/macros/ that does not define exactly the macro it is named for."""


@functools.cache
def macros() -> dict[str, tuple[str, Analysis]]:
    """Macro name -> (its SQL, what its body reads and calls), in file order."""
    found = {}
    for path in sorted(MACRO_DIR.glob("*.sql")):
        sql = read_sql(path)
        analysis = analyse(sql, shown(path))
        if analysis.macros != {path.stem}:
            raise MacroError(
                f"{shown(path)}: must define the one macro {path.stem}, "
                f"defines {sorted(analysis.macros) or 'none'}"
            )
        found[path.stem] = (sql, analysis)
    return found


def called(analysis: Analysis) -> list[str]:
    """The macros SQL calls, and those they call, each after the macros it calls."""
    known, order = macros(), []

    def visit(name: str) -> None:
        if name not in order:
            for inner in sorted(known[name][1].calls & known.keys()):
                visit(inner)
            order.append(name)

    for name in sorted(analysis.calls & known.keys()):
        visit(name)
    return order


def definitions(analysis: Analysis) -> str:
    """The SQL creating the macros SQL calls (see called)."""
    return "".join(macros()[name][0] for name in called(analysis))


def expand(analysis: Analysis) -> set[str]:
    """What SQL reads, with what the macros it calls (and theirs) read."""
    return set(analysis.reads).union(*(macros()[name][1].reads for name in called(analysis)))
