"""`make bench` (framework): what a refresh costs before its first run, against what the
floor costs before its first query; each in a fresh process, in interleaved rounds,
medians of CPU seconds (user + system):

- `python`: the interpreter alone;
- `imports`: the refresh's imports (the `observatory` command, the Dagster definitions,
  the runner), in a process run as the command's (`observatory.process`);
- `instance`: the same, then the Dagster instance opened (DAGSTER_HOME made from
  dagster.yaml, as `make setup` makes it);
- `great_expectations`: the same, then Great Expectations imported and its context built
  (the first suite of a run pays it);
- `floor_imports`: bench/floor.py imported (its imports; it runs nothing).

    .venv/bin/python bench/framework.py [--rounds 5]

The difference between `great_expectations` and `floor_imports` is paid by every
refresh whatever its size, before Dagster's runs and their events. Merges the
`framework_*` keys into bench/results.json."""

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import measure  # noqa: E402
import scale  # noqa: E402

START = "from observatory import process; process.start(); "
REFRESH = START + (
    "import observatory.cli; from assets.definitions import defs; "
    "from assets.runner import project_instance, refresh; process.imported(); "
)
STEPS = {
    "python": "pass",
    "imports": REFRESH,
    "instance": REFRESH + "project_instance().get_runs(limit=1)",
    "great_expectations": REFRESH
    + "project_instance().get_runs(limit=1); "
    + "from observatory.quality.engine import _context; _context()",
    "floor_imports": START + f"import sys; sys.path.insert(0, {str(BENCH)!r}); import floor",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = scale.ROOT / "work-framework"
    env = measure.environment(scale.scale_input(150), work, measure.instance(work / "home"))
    cpu: dict[str, list[float]] = {name: [] for name in STEPS}
    for _ in range(args.rounds):
        for name, code in STEPS.items():
            run = measure.run([measure.PYTHON, "-c", code], env, work / f"{name}.log")
            cpu[name].append(run.cpu)
    results: dict[str, object] = {
        f"framework_{name}_cpu_s": round(statistics.median(values), 2)
        for name, values in cpu.items()
    }
    results["framework_rounds"] = args.rounds
    results["framework_load_average_1min"] = round(statistics.median(measure.LOADS), 2)
    path = BENCH / "results.json"
    merged = {**(json.loads(path.read_text()) if path.exists() else {}), **results}
    path.write_text(json.dumps(merged, indent=2) + "\n")
    for key, value in results.items():
        print(f"{key:<36}  {value}")
    print(f"load average now: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
