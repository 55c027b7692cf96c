"""Dagster assets of the SQL models (one SQL model = one table = one asset, keyed like
the table: core/respondents is core.respondents). The models of a stage run as one
step (a multi-asset, `sql_step`): one connection, the inputs registered once, the
tables built in the order their SQL reads them, one materialisation each. The UI can
still materialise any of them alone (the step is subsettable)."""

from collections.abc import Iterator
from graphlib import TopologicalSorter

import dagster as dg
import duckdb

from assets import metadata
from assets.keys import REFERENCE_FILES, STAGED
from assets.owners import owners
from assets.resources import ObservatoryResource
from observatory import warehouse
from observatory.warehouse.inputs import register_inputs


def description(folder: str, name: str) -> str:
    model = warehouse.model(folder, name)
    return f"{model.analysis.table_comment or ''}\n\nSQL: {model.source}"


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, rows: int) -> dict:
    """The table's row count, its columns described as `document` comments them
    (columns.yaml), and its first ten rows."""
    result = con.execute(f"SELECT * FROM {table} LIMIT 10")
    columns = metadata.columns(result.description, warehouse.column_docs())
    return {
        "dagster/row_count": rows,
        "dagster/column_schema": metadata.column_schema(columns),
        "preview": metadata.preview([c for c, _, _ in columns], result.fetchall()),
    }


def upstream(folder: str, name: str) -> list[dg.AssetKey]:
    """Asset keys of what the model's SQL reads (see warehouse.model_inputs)."""
    keys = set()
    for ref in warehouse.model_inputs(folder, name):
        if ref.startswith("staging."):
            keys.add(STAGED)
        elif ref.startswith("raw_"):
            keys.add(REFERENCE_FILES)
        elif "." in ref:
            keys.add(dg.AssetKey(ref.split(".")))
        # ref_*: reference data from the codebook and configuration (code, not files)
    return sorted(keys, key=lambda k: k.to_user_string())


def build_order(folder: str, names: list[str]) -> list[str]:
    """The models in an order where each comes after the models of `names` it reads."""
    tables = {f"{folder}.{name}": name for name in names}
    graph = {
        name: {tables[ref] for ref in warehouse.model_inputs(folder, name) if ref in tables}
        for name in names
    }
    return list(TopologicalSorter(graph).static_order())


def sql_step(
    step: str, folder: str, names: list[str], group: str | None = None
) -> dg.AssetsDefinition:
    """One step building the tables `<folder>.<name>` of `names` (those selected)."""
    specs = {
        name: dg.AssetSpec(
            key=[folder, name],
            group_name=group or folder,
            deps=upstream(folder, name),
            owners=owners(group or folder),
            description=description(folder, name),
            kinds={"duckdb", "sql"},
        )
        for name in names
    }

    @dg.multi_asset(name=step, specs=list(specs.values()), can_subset=True, pool="warehouse")
    def _step(
        context: dg.AssetExecutionContext, observatory: ObservatoryResource
    ) -> Iterator[dg.MaterializeResult]:
        with observatory.connect() as con:
            register_inputs(con, observatory.paths.raw_dir)
            for name in build_order(folder, names):
                if specs[name].key in context.selected_asset_keys:
                    rows = warehouse.run_model(con, folder, name)
                    yield dg.MaterializeResult(
                        asset_key=specs[name].key,
                        metadata=table_metadata(con, f"{folder}.{name}", rows),
                    )
            warehouse.document(con)  # the step's tables in one transaction, once built

    return _step
