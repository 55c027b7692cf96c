"""`dagster dev` from the repository root through workspace.yaml serves the code location
with its jobs, schedules and sensors (loopback only, a temporary DAGSTER_HOME)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

from tests.conftest import REPO

QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name
  locationOrLoadError { __typename ... on PythonError { message }
    ... on RepositoryLocation { repositories { jobs { name } schedules { name }
      sensors { name } } } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _query(port: int) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_dagster_dev_loads_the_code_location(tmp_path):
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        location = None
        for _ in range(120):  # about 7 s to answer, then the code location loads
            time.sleep(1)
            try:
                [location] = _query(port)["data"]["workspaceOrError"]["locationEntries"]
            except OSError:
                continue
            if location["locationOrLoadError"]:
                break
        assert location and location["name"] == "observatory"
        loaded = location["locationOrLoadError"]
        assert loaded["__typename"] == "RepositoryLocation", loaded
        [repository] = loaded["repositories"]
        names = {
            kind: {item["name"] for item in repository[kind]}
            for kind in ("jobs", "schedules", "sensors")
        }
        assert {"ingest_survey_partition", "build_warehouse_and_report"} <= names["jobs"]
        assert names["schedules"] == {"annual_refresh", "monthly_revalidation"}
        assert names["sensors"] == {
            "survey_files_sensor",
            "build_after_ingest",
            "recover_dead_runs",
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
