"""The Dagster code location of the observatory: thin wiring of the `observatory`
library into assets, checks, partitions, jobs, schedules, sensors and resources."""

import warnings

import dagster as dg

# BackfillPolicy is marked beta; its single-run policy is what makes backfills fast here.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
