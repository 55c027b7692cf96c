"""`make bench-service` (also run by `make bench`): what the Dagster service costs against
the CLI, on the shipped sample (the observatory's real size), side by side in one run.

    .venv/bin/python bench/service.py [--pairs 3]

The service is started as `make serve` starts it (PostgreSQL, daemon, webserver; the
sensors at their default interval) and the sample published once by `observatory
refresh` on its instance. Then, interleaved, `--pairs` times: (a) one export changed
(FR 2026) -> seconds until the published snapshot is replaced through the daemon (file
sensor, ingest run, build sensor, build run); (b) `observatory refresh --wave 2026
--country FR` on the same instance (wall and CPU seconds). Reports medians, the ratio
(a)/(b), the build run's seconds in the service against the CLI's in-process build, and
the load average; merges the keys into bench/results.json."""

import argparse
import json
import os
import re
import resource
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from assets.defs.orchestration.sensors import INTERVAL_S  # noqa: E402
from tests.service import SAMPLE, Service, running_service, wait_for  # noqa: E402

EVERY = [
    f"{wave}/{country}" for wave in (2024, 2025, 2026) for country in ("HR", "FR", "AT", "GR", "IT")
]
CHANGED = "surveys/2026/FR/survey_fr_2026.csv"


def _seconds(run: dict) -> float:
    return float(run["endTime"]) - float(run["startTime"])


def through_the_daemon(svc: Service, touch: int) -> tuple[float, float]:
    """(drop-to-published seconds, the build run's seconds) for one changed export."""
    before, builds = svc.published(), len(_builds(svc))
    export = svc.raw / CHANGED
    export.write_bytes((SAMPLE / CHANGED).read_bytes() + b"\n" * touch)
    start = time.monotonic()
    wait_for("the published snapshot", lambda: svc.published() != before, 900, every_s=0.5)
    seconds = time.monotonic() - start

    def finished_build() -> list[dict]:
        runs = _builds(svc)
        return [r for r in runs[: len(runs) - builds] if r["endTime"]]

    build = wait_for("the build run", finished_build, 120)
    assert build[0]["status"] == "SUCCESS", build
    return seconds, _seconds(build[0])


def _builds(svc: Service) -> list[dict]:
    """Builds launched by the sensor, newest first."""
    return [r for r in svc.runs() if "observatory/after" in r["tags"]]


def by_the_cli(svc: Service) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, in-process build seconds) of the same refresh."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = svc.cli("refresh", "--wave", "2026", "--country", "FR")
    out, err = proc.communicate(timeout=900)
    wall = time.monotonic() - start
    assert proc.returncode == 0, out + err
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    build = float(re.search(r"^build done \(([\d.]+) s\)", out, re.M).group(1))
    return wall, cpu, build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    pairs = parser.parse_args().pairs
    daemon, cli = [], []
    with running_service(EVERY, INTERVAL_S) as svc:
        first = svc.cli("refresh")
        out, err = first.communicate(timeout=1800)
        assert first.returncode == 0, out + err
        svc.start_sensor("survey_files_sensor")
        wait_for(
            "the file sensor's first tick",
            lambda: [t for t in svc.ticks("survey_files_sensor") if t["status"] != "STARTED"],
            300,
        )
        by_the_cli(svc)  # warm-up: caches, the code location's first import
        for touch in range(1, pairs + 1):
            daemon.append(through_the_daemon(svc, touch))
            cli.append(by_the_cli(svc))
            print(
                f"pair {touch}: service {daemon[-1][0]:.1f} s (build run {daemon[-1][1]:.1f} s)"
                f", CLI {cli[-1][0]:.1f} s wall / {cli[-1][1]:.1f} s CPU "
                f"(build {cli[-1][2]:.1f} s)",
                flush=True,
            )
    med = {
        name: statistics.median(values)
        for name, values in (
            ("service", [d[0] for d in daemon]),
            ("service_build", [d[1] for d in daemon]),
            ("cli", [c[0] for c in cli]),
            ("cli_cpu", [c[1] for c in cli]),
            ("cli_build", [c[2] for c in cli]),
        )
    }
    results = {
        "service_pairs": pairs,
        "service_sensor_interval_s": INTERVAL_S,
        "service_drop_to_published_s": round(med["service"], 2),
        "service_cli_refresh_partition_s": round(med["cli"], 2),
        "service_cli_refresh_partition_cpu_s": round(med["cli_cpu"], 2),
        "ratio_service_to_cli": round(med["service"] / med["cli"], 2),
        "service_build_run_s": round(med["service_build"], 2),
        "service_cli_build_s": round(med["cli_build"], 2),
        "ratio_service_build_to_in_process": round(med["service_build"] / med["cli_build"], 2),
        "service_load_average_1min": round(os.getloadavg()[0], 2),
        "service_measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    path = BENCH / "results.json"
    merged = {**(json.loads(path.read_text()) if path.exists() else {}), **results}
    path.write_text(json.dumps(merged, indent=2) + "\n")
    for key, value in results.items():
        print(f"{key:<40}  {value}")


if __name__ == "__main__":
    main()
