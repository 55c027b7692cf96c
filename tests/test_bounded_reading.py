"""Hostile exports read in bounded memory: a zip bomb refused before it is inflated, a
100,000-column CSV refused in one line, a CSV much larger than the memory budget read
within it, an unclosed quote that swallows no row, long values cut in messages and the
problems of a file capped, in `check` and `refresh` alike.

Peak memory is that of `observatory check` subprocesses (their VmHWM), compared with the
same command on a smaller export: the difference must stay within the budget."""

from __future__ import annotations

import os
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from observatory.cli import main
from observatory.config import load_settings
from observatory.ingest import workbook
from observatory.ingest.preflight import check_file
from observatory.ingest.readers import ReadError
from tests.conftest import REPO, make_resource
from tests.corpus.make_corpus import table, text, xlsx

MIB = 1 << 20
# The CLI, writing its peak RSS (VmHWM, kB) to $PEAK_FILE at exit: a child's wait4 peak
# would count the pages of this process it was forked from.
PEAK = (
    "import atexit, os, runpy, sys\n"
    "def peak():\n"
    "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
    "    open(os.environ['PEAK_FILE'], 'w').write(status.split()[0])\n"
    "atexit.register(peak)\n"
    "sys.argv = ['observatory', *sys.argv[1:]]\n"
    "runpy.run_module('observatory.cli', run_name='__main__')\n"
)


def _export(root: Path, name: str, data: str | bytes, country: str = "FR") -> Path:
    path = root / "2024" / country / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _check(path: Path, settings: dict | None = None) -> tuple[int, list[str], float]:
    """Exit code, lines printed and peak RSS (MiB) of `observatory check PATH`, with these
    settings replaced."""
    env = {k: v for k, v in os.environ.items() if k != "OBSERVATORY_SETTINGS"}
    env["PEAK_FILE"] = str(path.with_suffix(".peak"))
    if settings:
        overrides = path.parent / "settings.yaml"
        overrides.write_text(yaml.safe_dump(settings))
        env["OBSERVATORY_SETTINGS"] = str(overrides)
    done = subprocess.run(
        [sys.executable, "-c", PEAK, "check", str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=600,
    )
    assert done.stderr == "", done.stderr
    return (
        done.returncode,
        done.stdout.splitlines(),
        int(Path(env["PEAK_FILE"]).read_text()) / 1024,
    )


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> float:
    """Peak RSS (MiB) of checking a three-row export: the program's own."""
    code, lines, peak = _check(
        _export(tmp_path_factory.mktemp("tiny"), "tiny.csv", text(table("FR")))
    )
    assert code == 0, lines
    return peak


@pytest.fixture
def settings(monkeypatch, tmp_path):
    """Replace settings in this process: settings(max_line_chars=5000)."""

    def replace(**values: object) -> None:
        path = tmp_path / "overrides.yaml"
        path.write_text(yaml.safe_dump(values))
        monkeypatch.setenv("OBSERVATORY_SETTINGS", str(path))
        load_settings.cache_clear()

    yield replace
    load_settings.cache_clear()


def _bomb(path: Path, inflated_mib: int) -> None:
    """A valid Austrian workbook whose sheet ends in `inflated_mib` MiB of blanks."""
    clean = path.with_name("clean.xlsx")
    xlsx(table("AT"), clean)
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, data)
                continue
            with out.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(data)
                for _ in range(inflated_mib):
                    sheet.write(b" " * MIB)
    clean.unlink()


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, baseline):
    bomb = tmp_path / "2024" / "AT" / "bomb.xlsx"
    bomb.parent.mkdir(parents=True)
    _bomb(bomb, 400)
    assert bomb.stat().st_size < 2 * MIB
    code, lines, peak = _check(bomb)
    assert code == 1, lines
    assert lines[0] == (
        f"{bomb}: cannot read: its parts declare 400 MiB uncompressed, more "
        f"than 128 MiB (the xlsx_max_inflated_mib limit of "
        f"observatory/config/settings.yaml)"
    )
    assert peak - baseline < load_settings().memory_budget_mib, (peak, baseline)


def test_a_small_part_inflated_a_thousand_times_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    _bomb(bomb, 8)
    with pytest.raises(
        ReadError,
        match=r"part xl/worksheets/sheet1.xml declares 8 MiB "
        r"compressed [\d,]+ times, more than 100 \(the "
        r"xlsx_max_ratio limit",
    ):
        workbook.read_sheet(bomb, None)


def test_a_100000_column_csv_is_refused_in_one_line(tmp_path):
    header, rows = table("FR")
    extra = 100_000 - len(header)
    wide = _export(
        tmp_path,
        "wide.csv",
        text(([*header, *(f"x{i}" for i in range(extra))], [[*r, *("1" * extra)] for r in rows])),
    )
    code, lines, _ = _check(wide)
    assert code == 1
    assert lines == [
        f"{wide}: cannot read: line 1 has 100,000 fields separated by ';', more "
        f"than 2,000 (the max_columns limit of observatory/config/settings.yaml)",
        "check: 1 file(s): 0 would load cleanly, 1 with data problems (rows to "
        "quarantine, unknown columns or unreadable)",
    ]


def _large(rows: int) -> str:
    """A valid FR export of `rows` rows (about 600 bytes each), every id its own."""
    header, sample = table("FR", n=50)
    body = [[f"FR-2024-{i:07d}", *sample[i % 50][1:]] for i in range(rows)]
    return text((header, body))


def test_a_csv_much_larger_than_the_budget_is_read_within_it(tmp_path):
    """Ten times the rows of a file already read in several chunks take less than the
    budget more (before: about 14 times the file's size)."""
    budget, peaks = 6, []
    for rows in (1_500, 15_000):
        export = _export(tmp_path / str(rows), "export.csv", _large(rows))
        code, lines, peak = _check(export, {"memory_budget_mib": budget})
        assert code == 0, lines
        assert f"{rows} rows read, {rows} would load, 0 would be quarantined" in lines[0]
        peaks.append(peak)
    assert export.stat().st_size > 1.3 * budget * MIB
    assert peaks[1] - peaks[0] < budget, peaks


def _unclosed(rows: int = 11) -> str:
    """A valid FR export whose 4th row opens a quote it never closes."""
    header, body = table("FR", n=rows)
    lines = text((header, body)).split("\r\n")
    cells = lines[4].split(";")
    cells[3] = '"' + cells[3]
    lines[4] = ";".join(cells)
    return "\r\n".join(lines)


@pytest.mark.parametrize("limit", [None, 2_000], ids=["wrong width", "too long"])
def test_an_unclosed_quote_swallows_no_row(tmp_path, settings, limit):
    if limit:
        settings(max_line_chars=limit)
    export = _export(tmp_path, "unclosed.csv", _unclosed())
    code, lines = check_file(export)
    assert code == 1
    assert lines[0] == (
        f"{export}:5:(row): a quote opened on this line is never closed (it "
        f"took in the next {7 if limit is None else 3} line(s)): the line is "
        f"quarantined and the lines after it read on their own"
    )
    assert lines[-1].endswith("11 rows read, 10 would load, 1 would be quarantined")


def test_a_line_over_the_limit_is_refused_in_one_line(tmp_path, settings):
    settings(max_line_chars=5_000)
    header, rows = table("FR")
    rows[1][header.index("Commentaire libre")] = "x" * 6_000
    code, lines = check_file(_export(tmp_path, "long_line.csv", text((header, rows))))
    assert code == 1
    assert lines == [
        f"{tmp_path}/2024/FR/long_line.csv: cannot read: line 3 is longer than "
        f"5,000 characters (the max_line_chars limit of "
        f"observatory/config/settings.yaml)"
    ]


def test_long_values_are_cut_in_messages_with_their_length(tmp_path):
    header, rows = table("FR")
    export = _export(
        tmp_path, "long.csv", text(([*header, "C" * (2 * MIB)], [[*r, "x"] for r in rows]))
    )
    code, lines = check_file(export)
    assert code == 1
    assert lines[0] == (
        f"{export}:1:{'C' * 80}… (2,097,152 characters): column not in the "
        f"2024 instrument for language fr"
    )
    assert max(map(len, lines)) < 1000


def _unknown_columns(n: int) -> str:
    header, rows = table("FR")
    return text(([*header, *(f"unknown {i}" for i in range(n))], [[*r, *"x" * n] for r in rows]))


def test_check_lists_the_first_problems_of_a_file_then_counts_the_others(tmp_path, capsys):
    export = _export(tmp_path, "unknown.csv", _unknown_columns(300))
    assert main(["check", str(export)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 100 + 3
    assert lines[100] == f"… and 200 more problems in {export}"


def test_refresh_lists_the_first_problems_of_a_file_then_counts_the_others(tmp_path):
    from assets.definitions import build_defs
    from assets.runner import refresh

    raw = tmp_path / "raw"
    export = _export(raw / "surveys", "unknown.csv", _unknown_columns(300))
    summary = refresh(
        build_defs(make_resource(tmp_path, raw)),
        raw,
        waves=[2024],
        countries=["FR"],
        progress=lambda _: None,
    )
    assert not summary.ok
    assert f"2024 FR: … and 200 more problems in {export}" in summary.problems
    assert len(summary.problems) < 110, len(summary.problems)


def test_merged_ranges_name_the_columns_openpyxl_names():
    from openpyxl.utils import column_index_from_string

    letters = [*string.ascii_uppercase, "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]
    assert [workbook._column(c.encode()) for c in letters] == [
        column_index_from_string(c) - 1 for c in letters
    ]
