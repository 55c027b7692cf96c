"""observatory.quality.run_suite: each expectation gets its own result."""

from __future__ import annotations

import pandas as pd

from observatory.quality import Spec, run_suite

SPECS = [
    Spec("ExpectColumnValuesToBeInSet", {"column": "a", "value_set": ["x", "y"]}),
    Spec("ExpectColumnValuesToNotBeNull", {"column": "a"}, blocking=False),
    Spec("ExpectColumnValuesToBeInSet", {"column": "b", "value_set": ["p", "q", "r", "s"]}),
]


def _outcomes(frame: pd.DataFrame) -> list[tuple[str, bool, int]]:
    return [
        (o.spec.column, o.success, o.unexpected_count)
        for o in run_suite("regression", frame, SPECS).outcomes
    ]


def test_a_failure_is_reported_on_its_own_expectation():
    """Regression: results were matched by expectation id, which an ephemeral suite
    leaves empty, so every expectation reported the last one's result (a failing
    first expectation followed by a passing one read as passed)."""
    frame = pd.DataFrame({"a": ["x", "y", "zz", None], "b": ["p", "q", "r", "s"]})
    assert _outcomes(frame) == [("a", False, 1), ("a", False, 1), ("b", True, 0)]
    result = run_suite("regression", frame, SPECS)
    assert not result.passed
    assert result.failures()[0].startswith("BLOCKING: a: ExpectColumnValuesToBeInSet")


def test_the_cached_suite_validates_each_frame_afresh():
    bad = pd.DataFrame({"a": ["zz", "zz"], "b": ["p", "nope"], "unused": [1, 2]})
    good = pd.DataFrame({"a": ["x", "y"], "b": ["p", "s"]})
    assert _outcomes(bad) == [("a", False, 2), ("a", True, 0), ("b", False, 1)]
    assert _outcomes(good) == [("a", True, 0), ("a", True, 0), ("b", True, 0)]
    assert _outcomes(bad) == [("a", False, 2), ("a", True, 0), ("b", False, 1)]


def test_frames_are_validated_without_hashing_them(monkeypatch):
    """GX fingerprints each batch by hashing every cell (11 s of a 1 M refresh), a label
    nothing reads: the engine turns it off."""
    from great_expectations.execution_engine import pandas_execution_engine

    def refuse(frame: pd.DataFrame) -> str:
        raise AssertionError(f"a frame of {len(frame)} rows was hashed")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", refuse)
    assert _outcomes(pd.DataFrame({"a": ["x"], "b": ["q"]})) == [
        ("a", True, 0),
        ("a", True, 0),
        ("b", True, 0),
    ]
