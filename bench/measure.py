"""How the benches measure a command: as its own process, wall seconds, CPU seconds
(user + system, from getrusage of the children), peak RSS, and the 1-minute load
average when it started; the pipeline run as users run it."""

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import scale

PYTHON = sys.executable
REPO = Path(__file__).resolve().parent.parent
LOADS: list[float] = []  # the load average at the start of every measured command
MART_QUERIES = (
    "SELECT * FROM marts.levers_by_country WHERE wave = 2026",
    "SELECT * FROM marts.barriers_by_country WHERE country = 'FR' ORDER BY wave, code",
    "SELECT * FROM marts.scheme_types_by_country WHERE wave = 2025",
    "SELECT * FROM marts.share_changes WHERE significant AND domain_type = 'country'",
)
ADHOC = (
    "SELECT r.org_type, a.code, count(*) AS n FROM core.answers a "
    "JOIN core.respondents r USING (respondent_key, wave) "
    "WHERE a.dimension = 'barrier' GROUP BY ALL ORDER BY n DESC"
)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss_mib: float
    log: Path

    def phases(self) -> dict[str, float]:
        """Ingest and build seconds, as a refresh prints them."""
        text = self.log.read_text()
        found = {
            "ingest_s": re.findall(r"partition\(s\) in one run: ([\d.]+) s", text),
            "build_s": re.findall(r"^build done \(([\d.]+) s\)", text, re.M),
        }
        return {k: round(sum(map(float, v)), 1) for k, v in found.items() if v}

    def __str__(self) -> str:
        return f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU, {self.rss_mib:.0f} MiB"


def run(cmd: list[str], env: dict[str, str], log: Path) -> Run:
    """Run one command as its own process, its output going to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    LOADS.append(os.getloadavg()[0])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{log.read_text()[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Run(wall, cpu, usage.ru_maxrss / 1024, log)


def instance(home: Path) -> Path:
    """A Dagster instance for the bench, made from the project's dagster.yaml as `make
    setup` makes .dagster_home."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    return home


def environment(raw: Path, work: Path, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "OBSERVATORY_RAW_DIR": str(raw),
        "OBSERVATORY_CODEBOOK_DIR": str(scale.codebook_overlay()),
        "OBSERVATORY_WAREHOUSE_DIR": str(work / "warehouse"),
        "OBSERVATORY_REPORTS_DIR": str(work / "reports"),
    }


def refresh(raw: Path, work: Path, home: Path, *args: str) -> Run:
    return run(
        [PYTHON, "-m", "observatory.cli", "refresh", *args],
        environment(raw, work, home),
        work.with_suffix(".log"),
    )


def latencies(published: Path, queries: tuple[str, ...], runs: int = 100) -> list[float]:
    """Milliseconds of each of `runs` queries (cycling through `queries`)."""
    con = duckdb.connect(str(published), read_only=True)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        con.execute(queries[i % len(queries)]).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    con.close()
    return times


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
