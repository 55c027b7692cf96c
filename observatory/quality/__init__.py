"""Data quality: the expectation suites (`suites`), the engine that runs them with Great
Expectations (`engine`) and the data-quality page (`page`)."""

from observatory.quality.engine import Outcome, Spec, SuiteResult, run_suite, suite_columns

__all__ = ["Outcome", "Spec", "SuiteResult", "run_suite", "suite_columns"]
