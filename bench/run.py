"""`make bench`: the pipeline against the DuckDB floor, at scale, in one run.

    .venv/bin/python bench/run.py [--sizes 2000,6000,20000]

Sizes are responses per file (5 countries x 10 waves of files): 2000, 6000 and 20000
make 100 k, 300 k and 1 M responses. Measures, side by side on the same machine:
(a) a full refresh through `observatory refresh` (ingest, then the build: core tables,
marts, snapshot, data-quality page), (b) the floor script on the same files, (c) one new
wave x country added to the full history, (d) analyst queries on the published
snapshot, (e) peak RSS of (a), (f) the growth slope of (a); and, apart, the annual
report of the latest wave built from the 1 M snapshot (`observatory report`), which a
refresh builds only when asked (--report). Each command's output is kept in
bench/scale/work/*.log. Writes bench/results.json and prints it as a table.
Wall-clock numbers are only compared within one run: the machine is shared."""

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scale  # noqa: E402

PYTHON = sys.executable
MART_QUERIES = (
    "SELECT * FROM marts.levers_by_country WHERE wave = 2026",
    "SELECT * FROM marts.barriers_by_country WHERE country = 'FR' ORDER BY wave, code",
    "SELECT * FROM marts.scheme_types_by_country WHERE wave = 2025",
    "SELECT * FROM marts.share_changes WHERE significant AND domain_type = 'country'",
)
ADHOC = ("SELECT r.org_type, a.code, count(*) AS n FROM core.answers a "
         "JOIN core.respondents r USING (respondent_key, wave) "
         "WHERE a.dimension = 'barrier' GROUP BY ALL ORDER BY n DESC")


def run(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command, as its own process; its output
    goes to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{log.read_text()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def phases(log: Path) -> dict[str, float]:
    """Ingest and build seconds, as the refresh printed them."""
    text = log.read_text()
    found = {"ingest_s": re.findall(r"partition\(s\) in one run: ([\d.]+) s", text),
             "build_s": re.findall(r"^build done \(([\d.]+) s\)", text, re.M)}
    return {k: round(sum(map(float, v)), 2) for k, v in found.items() if v}


def environment(raw: Path, work: Path) -> dict[str, str]:
    env = {**os.environ, "DAGSTER_HOME": str(work / "dagster_home")}  # as users run it
    return {**env, "OBSERVATORY_RAW_DIR": str(raw), "OBSERVATORY_CODEBOOK_DIR":
            str(scale.codebook_overlay()), "OBSERVATORY_WAREHOUSE_DIR": str(work / "warehouse"),
            "OBSERVATORY_REPORTS_DIR": str(work / "reports")}


def refresh(raw: Path, work: Path, *args: str) -> tuple[float, float]:
    return run([PYTHON, "-m", "observatory.cli", "refresh", *args], environment(raw, work),
               work.with_suffix(".log"))


def latencies(published: Path, queries: tuple[str, ...], runs: int = 100) -> list[float]:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,6000,20000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    work_root = scale.ROOT / "work"
    shutil.rmtree(work_root, ignore_errors=True)
    results: dict[str, float] = {}
    growth = []
    for per_file in sizes:
        raw, work = scale.scale_input(per_file), work_root / str(per_file)
        seconds, rss = refresh(raw, work)
        growth.append((per_file * 50, seconds))
        results[f"full_refresh_{per_file * 50}_s"] = round(seconds, 2)
        print(f"full refresh of {per_file * 50} responses: {seconds:.1f} s", flush=True)
    largest = sizes[-1]
    raw, work = scale.scale_input(largest), work_root / str(largest)
    results.update(responses=largest * 50, full_refresh_s=round(growth[-1][1], 2),
                   **{f"full_refresh_{k}": v for k, v in phases(work.with_suffix(".log")).items()},
                   peak_rss_mib=round(rss, 1))
    floor_s, floor_rss = run([PYTHON, str(BENCH / "floor.py"), str(raw)],
                             environment(raw, work_root / "floor"), work_root / "floor.log")
    results.update(floor_s=round(floor_s, 2), floor_peak_rss_mib=round(floor_rss, 1),
                   ratio_full_to_floor=round(growth[-1][1] / floor_s, 2))

    grown = work_root / "raw-grown"
    shutil.copytree(raw, grown)
    export = scale.new_export(largest)  # the FR 2027 survey folder and its frame
    shutil.copytree(export, grown / "surveys" / str(scale.NEW_WAVE) / "FR")
    frame = f"frame_{scale.NEW_WAVE}.csv"
    shutil.copy(export.parents[2] / "frames" / frame, grown / "frames" / frame)
    shutil.copytree(work / "warehouse", work_root / "grown" / "warehouse", symlinks=True)
    incremental, _ = refresh(grown, work_root / "grown", "--wave", str(scale.NEW_WAVE),
                             "--country", "FR")
    results.update(incremental_s=round(incremental, 2),
                   **{f"incremental_{k}": v for k, v in
                      phases((work_root / "grown").with_suffix(".log")).items()},
                   ratio_incremental_to_full=round(incremental / growth[-1][1], 3))
    report_s, _ = run([PYTHON, "-m", "observatory.cli", "report", "--year", str(scale.WAVES[-1])],
                      environment(raw, work), work_root / "report.log")
    results["report_s"] = round(report_s, 2)

    published = work / "warehouse" / "observatory.duckdb"
    marts, adhoc = latencies(published, MART_QUERIES), latencies(published, (ADHOC,))
    results.update(marts_p50_ms=round(p(marts, 50), 2), marts_p95_ms=round(p(marts, 95), 2),
                   adhoc_p50_ms=round(p(adhoc, 50), 2), adhoc_p95_ms=round(p(adhoc, 95), 2))
    if len(growth) > 1:
        xs, ys = [math.log(n) for n, _ in growth], [math.log(t) for _, t in growth]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / \
            sum((x - mx) ** 2 for x in xs)
        results["growth_slope"] = round(slope, 3)
    results["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    (BENCH / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    width = max(map(len, results))
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
