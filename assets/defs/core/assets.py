"""Core stage: clean, documented tables, one asset per .sql file in
observatory/warehouse/sql/core (dependencies read from the SQL), built in one step;
the weights are their own group and step, after the blocking suite of core.respondents."""

from assets.sql_models import sql_step
from observatory.warehouse import models

WEIGHTS = "weights"

core_assets = [
    sql_step("core_tables", "core", [n for n in models("core") if n != WEIGHTS]),
    sql_step("core__weights", "core", [WEIGHTS], group="weights"),
]
