"""The observatory's Dagster code location: everything under assets/defs/, found
where it is written (`dg.load_from_defs_folder`, configured by [tool.dg] in
pyproject.toml), bound to the observatory resource."""

from pathlib import Path

import dagster as dg

from assets.resources import ObservatoryResource, default_resource


def build_defs(observatory: ObservatoryResource) -> dg.Definitions:
    """The definitions with the given paths (tests pass temporary ones)."""
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(
            resources={"observatory": observatory},
            # also for what the UI materialises outside the two jobs
            # (assets/defs/orchestration/jobs.py)
            executor=dg.in_process_executor,
        ),
    )


defs = build_defs(default_resource())
