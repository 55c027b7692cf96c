"""observatory.process: a command's process ends with its exit code, its whole output and
its exit handlers, without the interpreter's teardown; what `imported()` froze is
unfrozen at a normal exit, so DuckDB's bindings find nothing leaked."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

CHILD = """
import atexit, gc, sys, threading, time
import duckdb
from observatory import process
from observatory.quality.deferred import great_expectations

process.start()
great_expectations()  # imports GX, then freezes what exists
con = duckdb.connect()
con.execute("SELECT 42").fetchall()
con.close()
assert gc.get_freeze_count() > 100_000, gc.get_freeze_count()
assert gc.get_threshold()[0] == process.YOUNG
atexit.register(lambda: open(sys.argv[2], "w").write("exit handlers ran"))
for i in range(20_000):  # more than a pipe's buffer: still in the process when it ends
    print(f"line {i}")
if sys.argv[1] == "thread":  # a thread the interpreter waits for: so does end()
    threading.Thread(target=lambda: (time.sleep(1), print("thread done"))).start()
if sys.argv[1] in ("end", "thread"):
    process.end(3)
sys.exit(4)
"""


def _child(how: str, tmp_path) -> tuple[subprocess.CompletedProcess, str]:
    marker = tmp_path / f"{how}.txt"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, how, str(marker)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, marker.read_text() if marker.exists() else ""


def test_end_exits_with_the_code_the_output_and_the_exit_handlers(tmp_path):
    done, marker = _child("end", tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"line {i}" for i in range(20_000)]
    assert marker == "exit handlers ran"
    assert done.stderr == ""


def test_a_frozen_process_that_exits_normally_leaks_nothing(tmp_path):
    done, marker = _child("exit", tmp_path)
    assert done.returncode == 4, done.stderr[-2000:]
    assert len(done.stdout.splitlines()) == 20_000
    assert marker == "exit handlers ran"
    assert "leaked" not in done.stderr, done.stderr[:500]


def test_end_waits_for_a_thread_the_interpreter_would_wait_for(tmp_path):
    done, marker = _child("thread", tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "thread done"
    assert marker == "exit handlers ran"
