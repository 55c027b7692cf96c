"""The DuckDB warehouse. Where things are:

- connection: opening it (functions, settings, schema.sql, the table macros);
- models: the SQL models, one table each (sql/core/, sql/marts/, and the named views
  of marts.shares declared in sql/marts/share_views.yaml: share_views), and what each
  reads (references: parsed with sqlglot; macros: sql/macros/);
- documentation: the COMMENT ON analysts see (sql/columns.yaml), dictionary: its
  Markdown rendering;
- queries: the read-side SQL of the report and the data-quality page (sql/queries/);
- inputs, publish, retention, damage: registered inputs, the analyst snapshot, what is
  kept, damaged-file recovery.
"""

from observatory.warehouse.connection import connect, prepare
from observatory.warehouse.documentation import ANALYST_SCHEMAS, column_docs, document
from observatory.warehouse.models import model, model_inputs, models, run_model
from observatory.warehouse.sqlfiles import SQL_DIR

__all__ = [
    "ANALYST_SCHEMAS",
    "SQL_DIR",
    "column_docs",
    "connect",
    "document",
    "model",
    "model_inputs",
    "models",
    "prepare",
    "run_model",
]
