"""Malformed or hostile instruments: one line `file: what is wrong`, exit 1, and the
codebook folder as it was."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from observatory.cli import main
from observatory.codebook import instrument

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.replace("&lol0;", "&lol;")
        for i in range(1, 10)
    )
    + "]>\n<document><questions><rows><row><title>&lol9;</title></row></rows></questions>"
    "</document>"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<document><questions>&xxe;</questions></document>"
)


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def _zip_bomb(path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 2**20))
    path.write_bytes(buffer.getvalue())


def _entities_in_a_sheet(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", LAUGHS)


CASES: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "billion laughs": (".lss", lambda p: p.write_text(LAUGHS), "declares a DOCTYPE"),
    "external entity": (".lss", lambda p: p.write_text(XXE), "declares a DOCTYPE"),
    "undeclared entity": (
        ".lss",
        lambda p: p.write_text("<document><questions>&xxe;</questions></document>"),
        "malformed XML (undefined entity",
    ),
    "truncated XML": (
        ".lss",
        lambda p: p.write_text("<document><questions><rows>"),
        "malformed XML",
    ),
    "not LimeSurvey": (
        ".lss",
        lambda p: p.write_text("<html><body/></html>"),
        "not a LimeSurvey structure",
    ),
    "unsupported type": (
        ".lss",
        lambda p: p.write_text(
            "<document><questions><rows><row><qid>1</qid><parent_qid>0</parent_qid><type>K</type>"
            "<title>q1</title></row></rows></questions></document>"
        ),
        "question q1: LimeSurvey type 'K' has no codebook kind",
    ),
    "zip bomb": (".xlsx", _zip_bomb, "(a zip bomb?): refused"),
    "entities in a sheet": (".xlsx", _entities_in_a_sheet, "declares a DOCTYPE"),
    "not a zip": (".xlsx", lambda p: p.write_text("type,name\n"), "not an XLSX workbook"),
    "no survey sheet": (
        ".xlsx",
        lambda p: _workbook(p, {"Sheet1": [["a"]]}),
        "no 'survey' sheet (sheets: Sheet1)",
    ),
    "no choices sheet": (
        ".xlsx",
        lambda p: _workbook(
            p, {"survey": [["type", "name", "label"], ["select_one yn", "q", "Q?"]]}
        ),
        "no 'choices' sheet",
    ),
    "no choice list": (
        ".xlsx",
        lambda p: _workbook(
            p,
            {
                "survey": [["type", "name", "label"], ["select_one yn", "q", "Q?"]],
                "choices": [["list_name", "name", "label"], ["other", "a", "A"]],
            },
        ),
        "survey row 2: no choice list 'yn' in the choices sheet",
    ),
    "empty survey": (
        ".xlsx",
        lambda p: _workbook(p, {"survey": [["type", "name"]]}),
        "no questions",
    ),
    "not SPSS": (".sav", lambda p: p.write_bytes(b"$FL2" + b"\x07" * 300), "unreadable ("),
    "not a format": (".pdf", lambda p: p.write_bytes(b"%PDF"), "not an instrument format"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_instrument_gets_one_line_and_changes_nothing(
    case: str, codebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    suffix, make, message = CASES[case]
    path = tmp_path / f"instrument{suffix}"
    make(path)
    before = sorted(p.relative_to(codebook) for p in codebook.rglob("*"))
    code = main(["instrument", "import", str(path), "--wave", "2027", "--country", "GR"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: ") and message in lines[0], lines[0]
    assert sorted(p.relative_to(codebook) for p in codebook.rglob("*")) == before


def test_too_big_or_missing(
    codebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"x" * 2000)
    monkeypatch.setattr(instrument, "MAX_BYTES", 1000)
    assert main(["instrument", "import", str(path), "--wave", "2027", "--country", "GR"]) == 1
    assert (
        capsys.readouterr().out == f"{path}: 2000 bytes, more than a questionnaire's 1000 at most\n"
    )
    assert (
        main(
            ["instrument", "import", str(tmp_path / "no.lss"), "--wave", "2027", "--country", "HR"]
        )
        == 1
    )
    assert capsys.readouterr().out == f"{tmp_path / 'no.lss'}: no such file\n"
    assert not (codebook / "pending").exists()
