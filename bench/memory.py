"""`make bench` (memory): peak RSS of `observatory check` and of `observatory refresh` on
one valid ~200 MiB export, against the reading budget of settings.yaml.

    .venv/bin/python bench/memory.py [--mib 200] [--results bench/results.json]

The export is the generator's FR 2026 export (no planted bad rows) repeated with fresh
respondent ids until it reaches the size; it is cached under bench/scale/memory-<mib>/.
Each command runs as its own process (peak RSS and CPU seconds from wait4, wall seconds);
their outputs are kept in bench/scale/memory-<mib>/*.log. Merges the keys into the
results file.

A refresh stages the export a chunk at a time, DuckDB held to the budget meanwhile, and
validates it in batches; its peak is then the build's: the program (about 500 MiB with
Dagster and Great Expectations) and DuckDB's warehouse_memory_limit (settings.yaml)."""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from observatory.config import load_settings
from observatory.generate import generate_sample

BENCH = Path(__file__).resolve().parent
WAVE, COUNTRY = 2026, "FR"


def export(mib: int) -> Path:
    """A raw folder whose only survey export (FR 2026) is about `mib` MiB."""
    raw = BENCH / "scale" / f"memory-{mib}" / "raw"
    survey = raw / "surveys" / str(WAVE) / COUNTRY / f"survey_{COUNTRY.lower()}_{WAVE}.csv"
    done = raw.parent / "export.done"
    if done.exists():
        return raw
    shutil.rmtree(raw, ignore_errors=True)
    generate_sample(
        raw,
        waves=(WAVE,),
        countries=(COUNTRY,),
        responses=(2000, 2000),
        bad_rows=False,
        small_deliveries={},
    )
    with survey.open(encoding="utf-8-sig", newline="") as source:
        header, *rows = list(csv.reader(source, delimiter=";"))
    target, n = mib << 20, 0
    with survey.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        while out.tell() < target:
            for row in rows:
                n += 1
                writer.writerow([f"{COUNTRY}-{WAVE}-{n:08d}", *row[1:]])
    done.write_text(f"{n} rows\n")
    return raw


def measure(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    """Exit code, wall and CPU seconds, peak RSS (MiB) and lines printed of one command."""
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "lines": len(log.read_text(errors="replace").splitlines()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=200)
    parser.add_argument("--results", type=Path, default=BENCH / "results.json")
    args = parser.parse_args()
    raw = export(args.mib)
    work = raw.parent / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    env = {
        **os.environ,
        "OBSERVATORY_RAW_DIR": str(raw),
        "DAGSTER_HOME": str(work / "dagster"),
        "OBSERVATORY_WAREHOUSE_DIR": str(work / "warehouse"),
        "OBSERVATORY_REPORTS_DIR": str(work / "reports"),
        "OBSERVATORY_ALLOW_DEVELOPMENT_KEY": "1",
    }  # synthetic data
    survey = next((raw / "surveys").rglob("*.csv"))
    cli = [sys.executable, "-m", "observatory.cli"]
    check = measure([*cli, "check", str(survey)], env, work.parent / "check.log")
    refresh = measure(
        [*cli, "refresh", "--wave", str(WAVE), "--country", COUNTRY],
        env,
        work.parent / "refresh.log",
    )
    budget = load_settings().memory_budget_mib
    results = {
        "export_mib": round(survey.stat().st_size / (1 << 20), 1),
        "memory_budget_mib": budget,
        "export_200mb_peak_rss_mib": refresh["peak_rss_mib"],
        "export_200mb_wall_s": refresh["wall_s"],
        **{f"export_200mb_check_{k}": v for k, v in check.items()},
        **{f"export_200mb_refresh_{k}": v for k, v in refresh.items()},
    }
    merged = {**(json.loads(args.results.read_text()) if args.results.exists() else {}), **results}
    args.results.write_text(json.dumps(merged, indent=2) + "\n")
    for key, value in results.items():
        print(f"{key:<40}  {value}")


if __name__ == "__main__":
    main()
