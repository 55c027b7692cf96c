"""`observatory check` on the corpus of malformed and awkward exports
(tests/corpus/manifest.yaml): every file gives its expected exit code and message,
never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from observatory.cli import main
from tests.conftest import REPO, SAMPLE
from tests.corpus.make_corpus import build

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    build(out)
    return out


def _id(case: dict) -> str:
    return case["file"] + "".join(f" {a}" for a in case.get("args", []))


def test_the_corpus_is_large_and_every_file_has_an_expected_outcome(corpus):
    files = {str(p.relative_to(corpus / "2024")) for p in (corpus / "2024").glob("*/*")}
    listed = {c["file"] for c in MANIFEST if not c.get("absent")}
    assert files == listed
    assert len(files) >= 30
    assert {c["exit"] for c in MANIFEST} == {0, 1, 2}


@pytest.mark.parametrize("case", MANIFEST, ids=_id)
def test_check_gives_the_expected_outcome(case, corpus, capsys):
    path = corpus / "2024" / case["file"]
    assert path.is_symlink() or path.exists() != case.get("absent", False)
    code = main(["check", str(path), *case.get("args", [])])
    out, err = capsys.readouterr()
    assert code == case["exit"], out + err
    assert case["message"] in out, out[-2000:]
    assert "Traceback" not in out + err
    assert max(map(len, out.splitlines())) < 1000  # a 10 MB cell is never echoed


def _check(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    return subprocess.run(
        [sys.executable, "-m", "observatory.cli", "check", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_check_in_a_subprocess_never_shows_a_traceback(corpus):
    names = [
        "FR/binary_junk.csv",
        "FR/very_long_line.csv",
        "FR/a_directory.csv",
        "FR/broken_symlink.csv",
        "IT/junk.sav",
        "AT/formula_uncomputed.xlsx",
    ]
    done = _check(*(str(corpus / "2024" / n) for n in names))
    assert done.returncode == 2, done.stdout + done.stderr  # the worst: usage errors
    assert "Traceback" not in done.stdout + done.stderr and done.stderr == ""
    assert (
        "check: 4 file(s): 0 would load cleanly, 4 with data problems (rows to "
        "quarantine, unknown columns or unreadable); 2 not checked (usage errors)" in done.stdout
    )
    assert len([line for line in done.stdout.splitlines() if "cannot read" in line]) == 2
    assert "a_directory.csv: a folder with no export in it" in done.stdout
    assert "broken_symlink.csv: does not exist (a broken link to gone.csv)" in done.stdout


def test_check_on_the_shipped_sample_lists_the_planted_bad_rows():
    export = SAMPLE / "surveys" / "2025" / "HR" / "survey_hr_2025.csv"
    done = _check(str(export))
    assert done.returncode == 1, done.stdout + done.stderr
    planted = {
        b["row"]
        for b in yaml.safe_load((SAMPLE / "planted_truth.json").read_text())["bad_rows"]
        if b["path"] == "surveys/2025/HR/survey_hr_2025.csv"
    }
    reported = {
        int(line.split(":")[1])
        for line in done.stdout.splitlines()
        if line.startswith(f"{export}:") and line.split(":")[1].isdigit()
    }
    assert planted and reported == planted
    assert f"{len(planted)} would be quarantined" in done.stdout


def _grid(rows: list[list[object]]) -> list[list[str | None]]:
    """Cells as the reader keeps them, without trailing blanks."""
    from observatory.ingest.readers import cell

    grid = [[cell(v) for v in row] for row in rows]
    grid = [
        row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)] for row in grid
    ]
    while grid and not grid[-1]:
        grid.pop()
    return grid


def test_calamine_and_openpyxl_read_every_workbook_alike(corpus):
    """The fast reader (calamine, workbooks without formulas) and the formula-aware one
    (openpyxl) see the same cells and merges in every workbook of the corpus and sample."""
    from observatory.ingest import workbook

    books = [
        p
        for p in [*corpus.rglob("*.xlsx"), *SAMPLE.rglob("*.xlsx")]
        if p.name != "not_a_workbook.xlsx"
    ]
    assert len(books) >= 9
    assert {workbook.has_formulas(p) for p in books} == {True, False}
    for path in books:
        sheet = "Antworten" if path.name == "cover_sheet.xlsx" else None
        slow, fast = workbook._read_formulas(path, sheet), workbook._read_values(path, sheet)
        assert _grid(fast.values) == _grid(slow.values), path
        assert sorted(fast.merged) == sorted(slow.merged), path
