"""Core stage: clean, documented tables, one asset per .sql file in
observatory/warehouse/sql/core (dependencies read from the SQL); the weights are their
own group."""

from assets.sql_models import sql_asset
from observatory.warehouse import models

GROUPS = {"weights": "weights"}

core_assets = [sql_asset("core", name, group=GROUPS.get(name)) for name in models("core")]
