"""What a piece of SQL reads, from its parse tree (sqlglot, DuckDB dialect), not from
its text: the tables and registered inputs it selects from (common table expressions,
the tables the file creates itself and the targets of its INSERT, DELETE and COMMENT ON
excluded), the table functions it calls (the warehouse's macros among them), the table
macros it defines and the comment it gives its table. sqlglot is imported when SQL is
first parsed (about 0.2 s), not by everything that imports the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp


class SqlParseError(ValueError):
    """A .sql file of the warehouse that the parser cannot read."""


@dataclass(frozen=True)
class Analysis:
    reads: frozenset[str]  # schema.table, or a bare name (raw_x, ref_x)
    calls: frozenset[str]  # table functions called, lower case
    macros: frozenset[str]  # table macros defined
    table_comment: str | None  # the text of COMMENT ON TABLE, if any


def _name(table: exp.Table) -> str:
    return ".".join(part for part in (table.catalog, table.db, table.name) if part)


def _targets(statement: exp.Expr) -> list[exp.Expr]:
    """The nodes a statement writes to (not read from)."""
    from sqlglot import exp

    if isinstance(statement, exp.Create | exp.Insert | exp.Delete):
        return [statement.this]
    return []


def analyse(sql: str, where: str) -> Analysis:
    """Parse `sql` (named `where` in errors) and say what it reads, calls and defines."""
    import sqlglot
    from sqlglot import exp

    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as error:
        raise SqlParseError(f"{where}: the SQL cannot be parsed: {error}") from error
    reads: set[str] = set()
    calls: set[str] = set()
    macros: set[str] = set()
    created: set[str] = set()
    comment = None
    for statement in statements:
        if isinstance(statement, exp.Comment):
            if statement.args.get("kind") == "TABLE":
                comment = statement.expression.name
            continue
        kind = str(statement.args.get("kind") or "").upper()
        targets = _targets(statement)
        for target in targets:
            table = target if isinstance(target, exp.Table) else target.find(exp.Table)
            if table is not None:
                (macros if kind == "MACRO" else created).add(_name(table))
        skipped = {id(node) for target in targets for node in target.walk()}
        ctes = {cte.alias for cte in statement.find_all(exp.CTE)}
        for table in statement.find_all(exp.Table):
            if id(table) in skipped:
                continue
            if isinstance(table.this, exp.Anonymous):
                calls.add(table.this.name.lower())
            elif table.db or table.name not in ctes:
                reads.add(_name(table))
    return Analysis(frozenset(reads - created), frozenset(calls), frozenset(macros), comment)
