"""`make bench`: the pipeline against the honest DuckDB floor (bench/floor.py), at three
scales, in interleaved pairs, as users run it.

    .venv/bin/python bench/run.py [--sizes 150,2000,20000] [--pairs 3 | --pairs 3,3,1]

Sizes are responses per file (5 countries x 10 waves of files): 150, 2000 and 20000 make
7.5 k (about the shipped sample's 7.4 k responses), 100 k and 1 M. After a warm-up pair
(the smallest size), at each size `--pairs` interleaved pairs (one number for every
size, or one per size) of (a) a full `observatory refresh` (DAGSTER_HOME a bench
instance made from dagster.yaml, as `make demo` runs it; ingest, core tables, marts,
snapshot, data-quality page) and (b) the floor on the same files, each from an empty
warehouse; wall and CPU seconds (getrusage of the child) are reported as medians, with
the load average. The floor's outputs are compared with the pipeline's at each size
(bench/equality.py). At the largest size also: one new wave x country (FR 2027)
refreshed on top of the full history, analyst query latencies on the published snapshot,
peak RSS, and the annual report (`observatory report`). Fixed cost and growth: intercept
and slope of a line fitted to the refresh's CPU seconds against responses. Each
command's output is in bench/scale/work/*.log; the keys are merged into
bench/results.json (those of the other benches kept)."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import equality  # noqa: E402
import measure  # noqa: E402
import scale  # noqa: E402
from measure import PYTHON, Run, environment, latencies, p, refresh  # noqa: E402

FILES = 50  # 5 countries x 10 waves
# the keys of the other benches (service.py, memory.py, framework.py), kept as they are
OTHER_BENCHES = ("service_", "ratio_service_", "export_200mb_", "framework_")


def floor(raw: Path, work: Path, home: Path) -> Run:
    return measure.run(
        [PYTHON, str(BENCH / "floor.py"), str(raw)],
        environment(raw, work, home),
        work.with_suffix(".log"),
    )


def pairs(per_file: int, count: int, root: Path, home: Path) -> dict[str, object]:
    """Interleaved pipeline / floor runs on one size; medians, and the equality proof."""
    raw, runs = scale.scale_input(per_file), {"full_refresh": [], "floor": []}
    for i in range(count):
        for name, command in (("full_refresh", refresh), ("floor", floor)):
            work = root / f"{per_file}-{name}-{i}"
            shutil.rmtree(work, ignore_errors=True)
            runs[name].append(command(raw, work, home))
            print(f"{per_file * FILES} responses, {name} {i + 1}: {runs[name][-1]}", flush=True)
        proof = equality.compare(
            *(root / f"{per_file}-{n}-{i}" / "warehouse" / "observatory.duckdb" for n in runs)
        )
        if not proof["identical"]:
            print(f"floor outputs differ at {per_file * FILES}: {proof['different']}", flush=True)
        for name in runs if i < count - 1 else ():
            shutil.rmtree(root / f"{per_file}-{name}-{i}")
    return {
        "identical": proof["identical"],
        "runs": runs,
        **{
            f"{name}_{what}": statistics.median(getattr(r, what) for r in rs)
            for name, rs in runs.items()
            for what in ("wall", "cpu")
        },
    }


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Intercept and slope of the least-squares line through (x, y)."""
    slope, intercept = statistics.linear_regression(*zip(*points, strict=True))
    return intercept, slope


def incremental(per_file: int, root: Path, home: Path, last: int) -> Run:
    """FR 2027 (with its population frame) refreshed on top of the full history."""
    grown, work = scale.grow(per_file, root, root / f"{per_file}-full_refresh-{last}")
    return refresh(grown, work, home, *scale.NEW_PARTITION)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="150,2000,20000")
    parser.add_argument("--pairs", default="3", help="pairs at every size, or one per size")
    parser.add_argument(
        "--no-warm-up", action="store_true", help="skip the warm-up pair (caches already warm)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    counts = [int(c) for c in args.pairs.split(",")]
    if len(counts) not in (1, len(sizes)):
        parser.error(f"--pairs: one number, or one per size ({len(sizes)})")
    count = dict(zip(sizes, counts * len(sizes) if len(counts) == 1 else counts, strict=True))
    root = scale.ROOT / "work"
    shutil.rmtree(root, ignore_errors=True)
    home = measure.instance(root / "dagster_home")
    if not args.no_warm_up:
        pairs(sizes[0], 1, root / "warm-up", home)
    measured = {n: pairs(n, count[n], root, home) for n in sizes}
    largest, smallest = measured[sizes[-1]], measured[sizes[0]]
    fixed, slope, floor_fixed, floor_slope = (
        fit([(n * FILES / 1e6, m["full_refresh_cpu"]) for n, m in measured.items()])
        + fit([(n * FILES / 1e6, m["floor_cpu"]) for n, m in measured.items()])
        if len(sizes) > 1
        else (None,) * 4
    )
    results: dict[str, object] = {
        "responses": sizes[-1] * FILES,
        "floor_outputs_identical": all(m["identical"] for m in measured.values()),
        "full_refresh_cpu_s": round(largest["full_refresh_cpu"], 1),
        "floor_cpu_s": round(largest["floor_cpu"], 1),
        "ratio_full_to_floor": round(largest["full_refresh_cpu"] / largest["floor_cpu"], 2),
        "ratio_sample_to_floor": round(smallest["full_refresh_cpu"] / smallest["floor_cpu"], 2),
        **(
            {
                "fixed_cost_cpu_s": round(fixed, 1),
                "cpu_s_per_million": round(slope, 1),
                "floor_fixed_cost_cpu_s": round(floor_fixed, 1),
                "floor_cpu_s_per_million": round(floor_slope, 1),
            }
            if fixed is not None
            else {}
        ),
        "pairs": min(count.values()),
    }
    for n, m in measured.items():
        for key in ("full_refresh_cpu", "full_refresh_wall", "floor_cpu", "floor_wall"):
            results[f"{key}_s_at_{n * FILES}"] = round(m[key], 1)
        results[f"pairs_at_{n * FILES}"] = count[n]
    last = largest["runs"]["full_refresh"][-1]
    results.update({f"full_refresh_{k}": v for k, v in last.phases().items()})
    results["peak_rss_mib"] = round(max(r.rss_mib for r in largest["runs"]["full_refresh"]))
    results["floor_peak_rss_mib"] = round(max(r.rss_mib for r in largest["runs"]["floor"]))
    # as many incremental refreshes as pairs at the largest size, each from a copy of the
    # same full history (and each writing the same log: its phases are read at once)
    grown = []
    for _ in range(count[sizes[-1]]):
        run = incremental(sizes[-1], root, home, count[sizes[-1]] - 1)
        grown.append((run, run.phases()))
    middle, phases = sorted(grown, key=lambda r: r[0].cpu)[len(grown) // 2]
    results.update(
        incremental_cpu_s=round(middle.cpu, 1),
        incremental_wall_s=round(statistics.median(r.wall for r, _ in grown), 1),
        incremental_runs=len(grown),
        **{f"incremental_{k}": v for k, v in phases.items()},
        ratio_incremental_to_full=round(middle.cpu / largest["full_refresh_cpu"], 3),
    )
    work = root / f"{sizes[-1]}-full_refresh-{count[sizes[-1]] - 1}"
    raw = scale.scale_input(sizes[-1])
    report = measure.run(
        [PYTHON, "-m", "observatory.cli", "report", "--year", str(scale.WAVES[-1])],
        environment(raw, work, home),
        root / "report.log",
    )
    results["report_cpu_s"], results["report_wall_s"] = round(report.cpu, 1), round(report.wall, 1)
    published = work / "warehouse" / "observatory.duckdb"
    marts, adhoc = (
        latencies(published, measure.MART_QUERIES),
        latencies(published, (measure.ADHOC,)),
    )
    results.update(
        marts_p50_ms=round(p(marts, 50), 2),
        marts_p95_ms=round(p(marts, 95), 2),
        adhoc_p50_ms=round(p(adhoc, 50), 2),
        adhoc_p95_ms=round(p(adhoc, 95), 2),
    )
    loads = measure.LOADS
    results.update(
        load_average_1min=round(statistics.median(loads), 2),
        load_average_1min_max=round(max(loads), 2),
        cores=os.cpu_count(),
        measured_on_commit=subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH
        ).stdout.strip(),
    )
    path = BENCH / "results.json"
    kept = {
        k: v
        for k, v in (json.loads(path.read_text()) if path.exists() else {}).items()
        if k.startswith(OTHER_BENCHES)
    }
    path.write_text(json.dumps({**results, **kept}, indent=2) + "\n")
    width = max(map(len, results))
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
