"""Great Expectations imported without running the modules our suites never use.

Importing GX 1.x imports every expectation of its registry, and one of them
(`ExpectColumnKlDivergenceToBeLessThan`) imports `scipy.stats` and `altair` at module
level for its statistics and its charts; two column metrics import `scipy.stats` for
KS tests. Every use is inside a method, and none of our suites
(`observatory.quality.suites`) runs them, yet the two imports were 1.5 to 2 of the 5
CPU-s that importing GX and building its context cost each process that validates.

`great_expectations()` imports GX with those modules deferred by the standard library's
`importlib.util.LazyLoader`: the module object is created and bound where GX imports
it, and its code runs at the first use of one of its attributes, by GX or anyone else.
Nothing of GX is patched or stubbed: an expectation that needs `scipy.stats` gets the
real module, loaded then. A module already imported when GX is imported stays as it is,
and the deferral ends with GX's import (a later import of a deferred module runs it)."""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

from observatory import process

DEFERRED = ("scipy.stats", "altair")  # imported by GX, used only in methods we never run


class _Deferring(importlib.abc.MetaPathFinder):
    """Finds the modules of `names` where the path finder would, with a lazy loader."""

    def __init__(self, names: Sequence[str]):
        self.names = set(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


@functools.cache
def great_expectations() -> ModuleType:
    """The `great_expectations` module, imported once per process with DEFERRED deferred.
    (Python 3.11 loads a lazy module without a lock: GX is imported and run on the
    thread of the step that validates.)"""
    finder = _Deferring(DEFERRED)
    sys.meta_path.insert(0, finder)
    try:
        import great_expectations as gx
    finally:
        sys.meta_path.remove(finder)
    process.imported()  # GX's modules and registry live as long as the process
    return gx
