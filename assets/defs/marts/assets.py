"""Marts: comparative views for analysts and the report, one asset per .sql file in
observatory/warehouse/sql/marts (dependencies read from the SQL)."""

from assets.sql_models import sql_asset
from observatory.warehouse import models

mart_assets = [sql_asset("marts", name) for name in models("marts")]
