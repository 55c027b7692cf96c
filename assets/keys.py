"""The asset keys the wiring names, each defined once. The SQL models' keys come from
their files (observatory/warehouse/sql/core/respondents.sql is core/respondents)."""

import dagster as dg

RAW_SURVEY_FILES = dg.AssetKey(["raw", "survey_files"])
REFERENCE_FILES = dg.AssetKey(["raw", "reference_files"])
STAGED = dg.AssetKey(["staged", "survey_responses"])
CORE_RESPONDENTS = dg.AssetKey(["core", "respondents"])
CORE_WEIGHTS = dg.AssetKey(["core", "weights"])
WEIGHT_DIAGNOSTICS = dg.AssetKey(["marts", "weight_diagnostics"])
ANALYST_SNAPSHOT = dg.AssetKey(["published", "analyst_snapshot"])
REPORT = dg.AssetKey(["published", "annual_report"])
QUALITY_PAGE = dg.AssetKey(["published", "data_quality_page"])
