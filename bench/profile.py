"""`make profile`: where a full refresh spends its time, sampled with py-spy.

    .venv/bin/python bench/profile.py [--size 2000] [--incremental]

Refreshes the benchmark input of `--size` responses per file (50 files) under py-spy,
writes the raw stacks to bench/scale/profile-SIZE.txt (open with speedscope or
flamegraph.pl) and prints the project's functions by inclusive time. With
`--incremental`: a full refresh first (not profiled), then the profile is of the
incremental step of `make bench` (one new wave x country, FR 2027, refreshed on top of
that history): bench/scale/profile-SIZE-incremental.txt."""

import argparse
import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scale  # noqa: E402
from measure import PYTHON, environment, instance, refresh  # noqa: E402

RATE = 20  # samples per second
ROOT = BENCH.parent
FILES = {p.name for folder in ("observatory", "assets") for p in (ROOT / folder).rglob("*.py")}


def ours(frame: str) -> bool:
    """A frame of the project's code (py-spy shows some of its paths by base name only)."""
    found = re.search(r"\(([^()]+?)(?::\d+)?\)$", frame)
    path = found.group(1) if found else ""
    return path.startswith(("observatory/", "assets/")) or ("/" not in path and path in FILES)


def inclusive(stacks: Path) -> tuple[collections.Counter, int]:
    """Samples per function (counted once per stack), and all samples."""
    seconds, total = collections.Counter(), 0
    for line in stacks.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        for frame in {re.sub(r":\d+\)$", ")", f) for f in stack.split(";")}:
            seconds[frame] += int(count)
    return seconds, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--incremental", action="store_true")
    args = parser.parse_args()
    size, root = args.size, scale.ROOT / "work" / f"profile-{args.size}"
    raw, work, home, arguments = scale.scale_input(size), root, root / "dagster_home", ()
    shutil.rmtree(root, ignore_errors=True)
    out = scale.ROOT / f"profile-{size}{'-incremental' if args.incremental else ''}.txt"
    if args.incremental:
        refresh(raw, root / "full", instance(home))
        (raw, work), arguments = scale.grow(size, root, root / "full"), scale.NEW_PARTITION
    env = environment(raw, work, instance(home))
    subprocess.run(
        [
            str(Path(PYTHON).parent / "py-spy"),
            "record",
            "--idle",
            "-r",
            str(RATE),
            "-f",
            "raw",
            "-o",
            str(out),
            "--",
            PYTHON,
            "-m",
            "observatory.cli",
            "refresh",
            *arguments,
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds, total = inclusive(out)
    print(f"{total / RATE:.1f} s sampled (all threads); project functions, inclusive:")
    for frame, count in seconds.most_common():
        if ours(frame) and count / RATE >= 0.5:
            print(f"{count / RATE:8.1f} s  {frame}")
    print(f"stacks: {out}")


if __name__ == "__main__":
    main()
