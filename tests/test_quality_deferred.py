"""observatory.quality.deferred: Great Expectations imported with scipy.stats and altair
deferred gives our suites the same results as GX imported as it is, skips those modules'
code until something uses them, and still gives the real module to what does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO

# Run in a fresh interpreter per mode (this one may have imported GX already): "eager"
# imports the deferred modules first, as a process importing them before GX would.
CHILD = """
import json, sys
from observatory.quality.deferred import DEFERRED
if sys.argv[1] == "eager":
    import altair, scipy.stats
import pandas as pd
from observatory.quality import Spec, run_suite, suite_columns, suites

def values(specs, column):
    # six rows per column with valid, invalid, missing and repeated values
    args = [s.kwargs for s in specs if s.kwargs.get("column") == column]
    if bounds := [a for a in args if "min_value" in a]:
        low, high = bounds[0]["min_value"], bounds[0].get("max_value") or 1e9
        return [low, high, low - 1, None, (low + high) / 2, high + 1]
    if sets := [a["value_set"] for a in args if "value_set" in a]:
        return [sets[0][0], sets[0][-1], "not_a_code", None, sets[0][0], sets[0][0]]
    return ["k1", "k2", "k2", None, "k3", "k4"]

results = {}
for name in ("staged_respondents", "answer_codes", "weights"):  # every kind we use
    specs = getattr(suites, name)()
    frame = pd.DataFrame({c: values(specs, c) for c in suite_columns(specs)})
    results[name] = [(o.spec.describe(), o.success, o.unexpected_count)
                     for o in run_suite(name, frame, specs).outcomes]
kinds = {m: type(sys.modules[m]).__name__ for m in DEFERRED}
# an expectation that needs scipy.stats gets the real module
kl = Spec("ExpectColumnKLDivergenceToBeLessThan", {"column": "x", "threshold": 0.1,
          "partition_object": {"values": ["a", "b"], "weights": [0.5, 0.5]}})
outcome = run_suite("kl", pd.DataFrame({"x": ["a", "a", "a", "b"]}), [kl]).outcomes[0]
import scipy.stats
print(json.dumps({"results": results, "kinds": kinds, "kl": outcome.success,
                  "after": type(sys.modules["scipy.stats"]).__name__,
                  "entropy": scipy.stats.entropy([0.75, 0.25], [0.5, 0.5])}))
"""


def test_deferred_modules_change_no_result_and_load_when_used():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = {
        mode: subprocess.Popen(
            [sys.executable, "-c", CHILD, mode],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in ("eager", "deferred")
    }
    out = {}
    for mode, proc in runs.items():
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{mode}: {stderr[-3000:]}"
        out[mode] = json.loads(stdout.strip().splitlines()[-1])
    eager, deferred = out["eager"], out["deferred"]
    assert deferred["results"] == eager["results"]
    failed = [o for outcomes in eager["results"].values() for o in outcomes if not o[1]]
    assert failed and any(o[2] > 0 for o in failed)  # the frames exercise failures too
    assert eager["kinds"] == {"scipy.stats": "module", "altair": "module"}
    assert deferred["kinds"] == {"scipy.stats": "_LazyModule", "altair": "_LazyModule"}
    assert deferred["kl"] is eager["kl"] is False  # KL(0.75/0.25 || 0.5/0.5) > 0.1
    assert deferred["after"] == "module"
    assert deferred["entropy"] == eager["entropy"] > 0.1
