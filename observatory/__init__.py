"""Partnership Survey Observatory: the library behind the pipeline (no Dagster here)."""
