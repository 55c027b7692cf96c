"""The observatory's Dagster service driven from outside, as a user or an operator does:
`scripts/serve` in a folder of its own (a project-local PostgreSQL on a free loopback
port, the daemon, the webserver), the CLI on the same instance, the webserver's GraphQL
API. Used by the live test (tests/test_service_live.py) and the benchmark
(bench/service.py)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "raw"
RUNS = """{ runsOrError(limit: 100) { ... on Runs { results { runId jobName status
  startTime endTime tags { key value } } } } }"""
TICKS = """query($name: String!) { sensorOrError(sensorSelector: {repositoryLocationName:
  "observatory", repositoryName: "__repository__", sensorName: $name}) { ... on Sensor {
  sensorState { ticks(limit: 200) { status skipReason runIds error { message } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, root: Path, interval_s: int) -> None:
        self.root, self.raw = root, root / "raw"
        self.web_port = _free_port()
        self.env = {
            **os.environ,
            "OBSERVATORY_SERVICE_DIR": str(root / "service"),
            "OBSERVATORY_WEB_PORT": str(self.web_port),
            "DAGSTER_PG_PORT": str(_free_port()),
            "OBSERVATORY_SENSOR_INTERVAL_S": str(interval_s),
            "OBSERVATORY_RAW_DIR": str(self.raw),
            "OBSERVATORY_WAREHOUSE_DIR": str(root / "warehouse"),
            "OBSERVATORY_REPORTS_DIR": str(root / "reports"),
        }
        self.env.pop("DAGSTER_PG_HOST", None)  # a project-local PostgreSQL

    def serve(self, action: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(REPO / "scripts" / "serve"), action],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def load_env(self) -> None:
        """What `. .service/env` gives a shell: the instance of the service."""
        for line in (self.root / "service" / "env").read_text().splitlines():
            name, value = line.removeprefix("export ").split("=", 1)
            self.env[name] = shlex.split(value)[0] if value else ""

    def start_sensor(self, name: str) -> None:
        done = subprocess.run(
            [
                str(REPO / ".venv" / "bin" / "dagster"),
                "sensor",
                "start",
                name,
                "-w",
                "workspace.yaml",
            ],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def published(self) -> tuple[int, int]:
        """Identity of the published snapshot: it changes when a new one is swapped in."""
        stat = (self.root / "warehouse" / "observatory.duckdb").stat()
        return stat.st_ino, stat.st_mtime_ns

    def cli(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "observatory.cli", *args],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def gql(self, query: str, **variables: object) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.web_port}/graphql",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        assert "errors" not in answer, answer
        return answer["data"]

    def runs(self) -> list[dict]:
        runs = self.gql(RUNS)["runsOrError"]["results"]
        for run in runs:
            run["tags"] = {t["key"]: t["value"] for t in run["tags"]}
        return runs

    def ticks(self, sensor: str) -> list[dict]:
        return self.gql(TICKS, name=sensor)["sensorOrError"]["sensorState"]["ticks"]

    def instance(self) -> dg.DagsterInstance:
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("DAGSTER_PG")})
        return dg.DagsterInstance.from_config(self.env["DAGSTER_HOME"])


def wait_for(
    what: str, condition: Callable[[], object], timeout_s: float, every_s: float = 2
) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(every_s)
    raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")


@contextmanager
def running_service(exports: list[str], interval_s: int) -> Iterator[Service]:
    """The service on a copy of the sample's frames, cases and these exports ('2025/FR',
    ...), sensors ticking every `interval_s`; stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="observatory-service-"))
    root.chmod(0o755)  # the postgres user keeps the local server's data under it
    for folder in ("frames", "cases"):
        shutil.copytree(SAMPLE / folder, root / "raw" / folder)
    for export in exports:
        shutil.copytree(SAMPLE / "surveys" / export, root / "raw" / "surveys" / export)
    svc = Service(root, interval_s)
    try:
        svc.serve("start")
        svc.load_env()
        yield svc
    finally:
        subprocess.run([str(REPO / "scripts" / "serve"), "stop"], env=svc.env, timeout=300)
        left = [
            name
            for name in ("daemon", "webserver", "pgdata/postmaster")
            if (root / "service" / f"{name}.pid").exists()
        ]
        shutil.rmtree(root, ignore_errors=True)
        assert not left, f"still running after scripts/serve stop: {left}"
