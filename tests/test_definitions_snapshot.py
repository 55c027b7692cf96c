"""The code location's graph as a reviewed diff: every asset (key, group, deps,
partitions, pool, kinds, owners), asset check (blocking or not), job (its assets),
schedule and sensor, compared with tests/snapshots/definitions.json. A change to the
graph fails here until the snapshot is rewritten (OBSERVATORY_UPDATE_SNAPSHOTS=1) and
the new file committed beside the change."""

from __future__ import annotations

import json
import os

import dagster as dg

from assets.definitions import defs
from tests.conftest import REPO

SNAPSHOT = REPO / "tests" / "snapshots" / "definitions.json"


def _partitions(definition: dg.PartitionsDefinition | None) -> str | None:
    return (
        None
        if definition is None
        else type(definition).__name__
        + (
            ": " + " x ".join(f"{d.name}" for d in definition.partitions_defs)
            if isinstance(definition, dg.MultiPartitionsDefinition)
            else ""
        )
    )


def describe(definitions: dg.Definitions) -> dict:
    graph = definitions.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "partitions": _partitions(node.partitions_def),
            "pools": sorted(node.pools or []),
            "kinds": sorted(node.kinds),
            "owners": sorted(node.owners),
            "checks": sorted(k.name for k in node.check_keys),
        }
    checks = {
        f"{key.asset_key.to_user_string()}:{key.name}": {"blocking": spec.blocking}
        for assets_def in graph.assets_defs
        for key, spec in ((spec.key, spec) for spec in assets_def.check_specs)
    }
    jobs = {
        job.name: sorted(k.to_user_string() for k in job.asset_layer.selected_asset_keys)
        for job in (definitions.resolve_job_def(j.name) for j in definitions.jobs)
    }
    return {
        "assets": assets,
        "checks": dict(sorted(checks.items())),
        "jobs": jobs,
        "schedules": {
            s.name: {"cron": s.cron_schedule, "job": s.job_name, "default": s.default_status.value}
            for s in sorted(definitions.schedules, key=lambda s: s.name)
        },
        "sensors": {
            s.name: {"interval_s": s.minimum_interval_seconds, "default": s.default_status.value}
            for s in sorted(definitions.sensors, key=lambda s: s.name)
        },
    }


def test_the_definitions_match_the_reviewed_snapshot():
    current = json.dumps(describe(defs), indent=2, sort_keys=True) + "\n"
    if os.environ.get("OBSERVATORY_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.read_text(encoding="utf-8") == current, (
        "the Dagster graph changed: review `OBSERVATORY_UPDATE_SNAPSHOTS=1 pytest "
        "tests/test_definitions_snapshot.py; git diff tests/snapshots/definitions.json`"
    )
