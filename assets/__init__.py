"""The Dagster code location of the observatory: thin wiring of the `observatory`
library into assets, checks, partitions, jobs and resources."""
