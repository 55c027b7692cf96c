"""The code location as a user sees it through Dagster's `dg` CLI ([tool.dg] in
pyproject.toml): `dg check defs` loads it, and `dg list defs` finds in assets/defs/
exactly the reviewed graph of tests/snapshots/definitions.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DG = Path(sys.executable).parent / "dg"  # dagster-dg-cli, pinned in requirements.lock
SNAPSHOT = REPO / "tests" / "snapshots" / "definitions.json"


@pytest.fixture(scope="module")
def dg() -> dict[str, subprocess.CompletedProcess]:
    """`dg check defs` and `dg list defs --json`, run side by side from the repository's
    root as a user would."""
    commands = {"check": ["check", "defs"], "list": ["list", "defs", "--json"]}
    running = {
        name: subprocess.Popen(
            [str(DG), *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, args in commands.items()
    }
    done = {}
    for name, process in running.items():
        stdout, stderr = process.communicate(timeout=300)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done


def test_dg_check_defs_loads_the_code_location(dg):
    check = dg["check"]
    assert check.returncode == 0, check.stdout + check.stderr
    assert "All definitions loaded successfully." in check.stdout
    assert "Traceback" not in check.stderr and "warning" not in check.stderr.lower(), check.stderr


def test_dg_list_defs_finds_the_reviewed_graph(dg):
    assert dg["list"].returncode == 0, dg["list"].stderr
    listed, reviewed = json.loads(dg["list"].stdout), json.loads(SNAPSHOT.read_text("utf-8"))
    assert {a["asset_key"]: sorted(a.get("dependency_keys", [])) for a in listed["assets"]} == {
        key: asset["deps"] for key, asset in reviewed["assets"].items()
    }
    assert sorted(c["key"] for c in listed["asset_checks"]) == sorted(reviewed["checks"])
    assert sorted(j["name"] for j in listed["jobs"]) == sorted(reviewed["jobs"])
    assert {s["name"]: s["cron_schedule"] for s in listed["schedules"]} == {
        name: schedule["cron"] for name, schedule in reviewed["schedules"].items()
    }
    assert sorted(s["name"] for s in listed["sensors"]) == sorted(reviewed["sensors"])
    assert [r["name"] for r in listed["resources"]] == ["observatory"]


def test_each_definition_is_loaded_once():
    """A module of assets/defs/ that imported another's asset, job or sensor by name would
    hand it to the loader a second time: they import keys (assets/keys.py) or modules."""
    from assets.definitions import defs

    for kind in ("assets", "asset_checks", "jobs", "schedules", "sensors"):
        loaded = list(getattr(defs, kind) or [])
        assert len({id(d) for d in loaded}) == len(loaded), f"{kind} loaded more than once"
