"""Marts: comparative views for analysts and the report (one per .sql file in
observatory/warehouse/sql/marts)."""


from assets.core.assets import answers, questions, respondents, taxonomy, weights
from assets.sql_models import sql_asset
from observatory.warehouse import models

shares = sql_asset("marts", "shares", deps=[respondents, answers, weights, questions, taxonomy])
weight_diagnostics = sql_asset("marts", "weight_diagnostics", deps=[weights])

mart_assets = [shares, weight_diagnostics] + [
    sql_asset("marts", name, deps=[shares])
    for name in models("marts") if name not in ("shares", "weight_diagnostics")
]
