"""Core stage: clean, documented tables (one per .sql file in
observatory/warehouse/sql/core), plus the weights."""


from assets.raw.assets import raw_reference_files
from assets.sql_models import sql_asset
from assets.staged.assets import staged_survey_responses

countries = sql_asset("core", "countries", deps=[])
taxonomy = sql_asset("core", "taxonomy", deps=[])
questions = sql_asset("core", "questions", deps=[])
frames = sql_asset("core", "frames", deps=[raw_reference_files])
cases = sql_asset("core", "cases", deps=[raw_reference_files])
case_attributes = sql_asset("core", "case_attributes", deps=[raw_reference_files])
respondents = sql_asset("core", "respondents", deps=[staged_survey_responses])
answers = sql_asset("core", "answers", deps=[staged_survey_responses])
weights = sql_asset("core", "weights", deps=[respondents, frames], group="weights")

core_assets = [countries, taxonomy, questions, frames, cases, case_attributes, respondents,
               answers, weights]
