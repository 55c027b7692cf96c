"""`observatory check` on a user's mistakes (one line each, exit 2), on folders (file by
file) and on exports received outside data/raw/ (wave and country from the headers)."""

from __future__ import annotations

import shutil

import pytest

from observatory.cli import main
from observatory.ingest import preflight
from observatory.ingest.infer import infer
from tests.conftest import SAMPLE

EXPORTS = sorted(SAMPLE.glob("surveys/*/*/*"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and err == ""
    return code, out.splitlines()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--wave", "2031"],
            "check: wave 2031 is not in the codebook (known waves: 2024, 2025, 2026)",
        ),
        (["--country", "XX"], "check: unknown country 'XX' (configured: HR, FR, AT, GR, IT)"),
    ],
)
def test_an_unknown_wave_or_country_is_named_with_the_known_ones(capsys, args, line):
    assert run(capsys, str(EXPORTS[0]), *args) == (2, [line])


def test_a_missing_path_does_not_exist(capsys, tmp_path):
    assert run(capsys, str(tmp_path / "export.csv")) == (
        2,
        [f"{tmp_path}/export.csv: does not exist"],
    )


def test_a_folder_is_checked_file_by_file(capsys, tmp_path):
    code, lines = run(capsys, str(SAMPLE / "surveys" / "2026"), str(tmp_path))
    assert code == 2  # the empty folder; the sample's planted bad rows are data problems
    summaries = [line for line in lines if ": wave 2026, " in line]
    assert [s.split(":")[0] for s in summaries] == [str(p) for p in EXPORTS if "2026" in str(p)]
    assert f"{tmp_path}: a folder with no export in it (.csv, .sav, .tsv, .txt, .xlsx)" in lines
    assert lines[-1] == (
        "check: 5 file(s): 0 would load cleanly, 5 with data problems (rows "
        "to quarantine, unknown columns or unreadable); 1 not checked (usage "
        "errors)"
    )


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.name)
def test_the_headers_tell_the_country_and_wave_of_every_sample_export(export):
    guess = infer(export)
    assert (guess.wave, guess.country.code) == (int(export.parts[-3]), export.parts[-2])
    assert not guess.ties


def test_outside_data_raw_check_says_what_it_inferred(capsys, tmp_path):
    export = shutil.copy(SAMPLE / "surveys" / "2025" / "GR" / "survey_gr_2025.csv", tmp_path)
    code, lines = run(capsys, str(export))
    assert code == 1  # the planted bad rows
    assert lines[0] == (
        f"{export}: inferred from its headers: country GR (headers in el), "
        f"wave 2025 (instrument 2025.1); --wave/--country override"
    )
    assert lines[-2].startswith(f"{export}: wave 2025, GR, encoding 'cp1253'")
    code, lines = run(capsys, str(export), "--wave", "2024")  # the country still inferred
    assert "country GR (headers in el), wave 2024" in lines[0]
    assert (
        f"{export}:1:Κίνδυνοι της σύμπραξης/Απώλεια νομιμοποίησης: column not in the 2024 "
        f"instrument for language el" in lines
    )
    assert (
        lines[-2] == f"{export}: columns do not match the 2024 instrument of GR: nothing would load"
    )
    code, lines = run(capsys, str(export), "--wave", "2025", "--country", "EL")
    assert code == 1 and "inferred" not in lines[0]


def test_headers_no_instrument_knows_are_a_data_problem(capsys, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("name;town\nAda;Paris\n", encoding="utf-8")
    assert run(capsys, str(export)) == (
        1,
        [
            f"{export}: cannot tell its country and wave: none of its headers is a question of "
            f"the codebook; pass --wave and --country",
            "check: 1 file(s): 0 would load cleanly, 1 with data problems (rows to quarantine, "
            "unknown columns or unreadable)",
        ],
    )


def test_an_unexpected_error_is_one_line_and_debug_shows_it(capsys, monkeypatch):
    def broken(*_args: object) -> None:
        raise RuntimeError("a bug\nwith a second line")

    monkeypatch.setattr(preflight, "check_file", broken)
    code, lines = run(capsys, str(EXPORTS[0]))
    assert code == 1
    assert lines[0] == f"{EXPORTS[0]}: cannot read: RuntimeError: a bug"
    with pytest.raises(RuntimeError, match="a bug"):
        main(["check", str(EXPORTS[0]), "--debug"])


def test_an_unknown_wave_folder_is_a_usage_error_only_under_data_raw(capsys, tmp_path, monkeypatch):
    source = SAMPLE / "surveys" / "2026" / "FR" / "survey_fr_2026.csv"
    raw = tmp_path / "raw"
    inside, outside = raw / "surveys" / "2031" / "FR", tmp_path / "mail" / "2031" / "FR"
    for folder in (inside, outside):
        folder.mkdir(parents=True)
        shutil.copy(source, folder)
    monkeypatch.setenv("OBSERVATORY_RAW_DIR", str(raw))
    assert run(capsys, str(inside / source.name)) == (
        2,
        [
            f"{inside / source.name}: wave 2031 is not in the codebook (known waves: 2024, 2025, "
            f"2026)"
        ],
    )
    code, lines = run(capsys, str(outside / source.name))
    assert (
        code == 1 and "inferred from its headers: country FR (headers in fr), wave 2026" in lines[0]
    )


def test_a_header_only_export_is_one_line_no_data_rows(capsys, tmp_path):
    export = tmp_path / "survey_fr_2026.csv"
    source = SAMPLE / "surveys" / "2026" / "FR" / "survey_fr_2026.csv"
    export.write_bytes(source.read_bytes().splitlines(keepends=True)[0])
    code, lines = run(capsys, str(export), "--wave", "2026", "--country", "FR")
    assert code == 1
    assert lines[0] == f"{export}: no data rows (only the header): nothing to load"


def test_check_refuses_a_link_leading_out_of_the_folder_checked_as_refresh_does(capsys, tmp_path):
    folder, elsewhere = tmp_path / "received", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    secret = elsewhere / "survey_fr_2025.csv"
    shutil.copy(SAMPLE / "surveys" / "2025" / "FR" / "survey_fr_2025.csv", secret)
    (folder / "survey_fr_2025.csv").symlink_to(secret)
    for target in (folder, folder / "survey_fr_2025.csv"):
        code, lines = run(capsys, str(target))
        assert code == 1
        assert lines[0] == (
            f"{folder / 'survey_fr_2025.csv'}: links to {secret}, outside "
            f"{folder}; copy it in instead of linking it"
        )
        assert lines[1].startswith("check: 1 file(s): 0 would load cleanly, 1 with data")
