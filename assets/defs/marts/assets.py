"""Marts: comparative views for analysts and the report, one asset per .sql file in
observatory/warehouse/sql/marts (dependencies read from the SQL), built in one step."""

from assets.sql_models import sql_step
from observatory.warehouse import models

mart_assets = [sql_step("marts_tables", "marts", models("marts"))]
