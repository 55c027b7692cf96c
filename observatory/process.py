"""The lifetime of an `observatory` process: what it imports lives as long as it does.

A refresh imports Dagster, its definitions and Great Expectations: about a million
objects that are never freed, yet Python's cyclic garbage collector walked them all at
each full collection (7 in a 7,500-response refresh) and once more while tearing the
interpreter down at exit, about 2 of the 15 CPU-s such a refresh cost. `imported()`
moves what exists when a heavy import is done out of the collector's reach
(`gc.freeze()`, meant for objects that live until the process ends), and `end()` ends
the process once its output is flushed and its exit handlers have run, without freeing
objects one by one first. Neither changes what a command does, only the work of the
interpreter around it: a command run in process (the tests call `cli.main`) is not
affected by `end()`. `start()` makes young collections rarer: a refresh allocates
millions of short-lived objects, and a collection every 700 of them cost 0.4 CPU-s more
than one every 10,000 (7,500 responses, interleaved runs)."""

import atexit
import gc
import os
import sys
import threading
from typing import NoReturn

YOUNG = 10_000  # allocations between two collections of the youngest generation


def start() -> None:
    """A command's process: the youngest generation collected every YOUNG allocations
    (the older generations at Python's defaults)."""
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])


def imported() -> None:
    """Objects created so far live as long as the process (modules, classes, the
    definitions): the collector stops traversing them until the process exits. (Then
    they are unfrozen, so that an interpreter that does tear down frees them: DuckDB's
    bindings print warnings of leaked objects otherwise.)"""
    if not gc.get_freeze_count():
        atexit.register(gc.unfreeze)
    gc.freeze()


def end(code: int) -> NoReturn:
    """Exit with `code` as `sys.exit` would, without the interpreter's teardown: exit
    handlers run (logging flushed, temporary directories removed), the streams are
    flushed, and the operating system frees the memory. Every file the command writes is
    closed by the command itself (DuckDB connections, the Dagster instance's
    transactions), so nothing is left to a finaliser. While a thread the interpreter
    would wait for still runs, the exit is `sys.exit`'s."""
    if any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()  # the handlers the interpreter's teardown runs first
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)
