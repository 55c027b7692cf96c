"""Wall time of backfilling every survey partition of a raw folder (the sample: 5
countries x 3 waves): one run for all of them (single-run backfill policy, a key range)
against one run per partition. Not a test: a measurement.

    .venv/bin/python bench/backfill.py [--raw data/raw] [--cli]

In process (`execute_in_process`, as `observatory refresh` runs) always; with --cli also
as separate `dagster asset materialize` processes, which is what a run launched from
the UI costs (a fresh process, imports, the multiprocess executor). Each variant starts
from an empty warehouse in a temp dir; the published warehouse is never touched."""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import dagster as dg  # noqa: E402

from assets.definitions import build_defs  # noqa: E402
from assets.defs.orchestration.jobs import INGEST  # noqa: E402
from assets.defs.orchestration.schedules import range_tags  # noqa: E402
from assets.partitions import delivered, key_ranges, partition_key, register_waves  # noqa: E402
from assets.resources import ObservatoryResource  # noqa: E402

SELECTION = "raw/survey_files,staged/survey_responses"


def in_process(raw: Path, work: Path, single: bool) -> int:
    defs = build_defs(
        ObservatoryResource(
            raw_dir=str(raw), warehouse_dir=str(work / "w"), reports_dir=str(work / "r")
        )
    )
    job, instance = defs.resolve_job_def(INGEST), dg.DagsterInstance.ephemeral()
    pairs = delivered(raw)
    register_waves(instance, pairs)
    quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    runs = (
        [{"tags": range_tags(r)} for r in key_ranges(instance, pairs)]
        if single
        else [{"partition_key": str(partition_key(w, c))} for w, c in pairs]
    )
    for run in runs:
        assert job.execute_in_process(instance=instance, run_config=quiet, **run).success
    return len(runs)


def cli(raw: Path, work: Path, single: bool) -> int:
    home = work / "dagster_home"
    home.mkdir()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "OBSERVATORY_RAW_DIR": str(raw),
        "OBSERVATORY_WAREHOUSE_DIR": str(work / "w"),
        "OBSERVATORY_REPORTS_DIR": str(work / "r"),
    }
    os.environ["DAGSTER_HOME"] = str(home)
    instance, pairs = dg.DagsterInstance.get(), delivered(raw)
    register_waves(instance, pairs)
    args = (
        [[f"--partition-range={r.start}...{r.end}"] for r in key_ranges(instance, pairs)]
        if single
        else [[f"--partition={partition_key(w, c)}"] for w, c in pairs]
    )
    for extra in args:
        done = subprocess.run(
            [
                str(REPO / ".venv" / "bin" / "dagster"),
                "asset",
                "materialize",
                "-m",
                "assets.definitions",
                "--select",
                SELECTION,
                *extra,
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"{' '.join(extra)} failed:\n{done.stderr[-3000:]}")
    return len(args)


def measure(name: str, variant: Callable[[Path, Path, bool], int], raw: Path) -> None:
    times = {}
    for single in (True, False):
        with tempfile.TemporaryDirectory(prefix="bench_backfill_") as tmp:
            start = time.perf_counter()
            runs = variant(raw, Path(tmp), single)
            times[single] = (runs, time.perf_counter() - start)
    (r1, t1), (rn, tn) = times[True], times[False]
    print(
        f"{name}: {len(delivered(raw))} partitions in {r1} run(s): {t1:.1f} s; "
        f"in {rn} runs: {tn:.1f} s ({tn / t1:.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=REPO / "data" / "raw")
    parser.add_argument("--cli", action="store_true", help="also as dagster CLI processes")
    args = parser.parse_args()
    measure("in process", in_process, args.raw.resolve())
    if args.cli:
        measure("dagster asset materialize", cli, args.raw.resolve())


if __name__ == "__main__":
    main()
