"""`observatory sql` for a terminal: an aligned table, long comments wrapped (never cut),
`0 rows` for an empty result; CSV and JSON unchanged."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from observatory.cli import main
from observatory.textable import render

COMMENT = (
    "Weighted share of respondents choosing each lever, by wave and country, with its "
    "95 % Korn-Graubard interval, unweighted n and effective n; suppressed below 10."
)


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "w").mkdir()
    con = duckdb.connect(str(tmp_path / "w" / "observatory.duckdb"))
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.levers AS SELECT * FROM (VALUES ('FR', 0.4123456, 12), "
        "('HR', NULL, 3)) t(country, share, n)"
    )
    con.execute(f"COMMENT ON TABLE marts.levers IS '{COMMENT}'")
    con.close()
    monkeypatch.setenv("OBSERVATORY_WAREHOUSE_DIR", str(tmp_path / "w"))
    return tmp_path / "w"


def sql(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["sql", *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_rows_are_aligned_numbers_right_and_null_shown(warehouse, capsys):
    assert sql(capsys, "SELECT * FROM marts.levers ORDER BY country") == [
        "country     share   n",
        "-------  --------  --",
        "FR       0.412346  12",
        "HR           NULL   3",
        "2 rows",
    ]


def test_an_empty_result_says_0_rows(warehouse, capsys):
    assert sql(capsys, "SELECT * FROM marts.levers WHERE n > 100") == [
        "country  share  n",
        "-------  -----  -",
        "0 rows",
    ]
    assert sql(capsys, "SELECT 1 AS one") == ["one", "---", "  1", "1 row"]


@pytest.mark.parametrize("shell", [True, False])
def test_the_tables_comment_is_wrapped_whole(warehouse, capsys, monkeypatch, shell):
    monkeypatch.setattr("sys.stdin", io.StringIO(".tables\n"))
    lines = sql(capsys) if shell else sql(capsys, ".tables")
    assert lines[0].split() == ["table_name", "comment"] and lines[-1] == "1 row"
    assert max(map(len, lines)) <= len("marts.levers") + 2 + 60
    body = [line[len("marts.levers") + 2 :].strip() for line in lines[2:-1]]
    assert " ".join(body) == COMMENT and len(body) == 3


def test_max_rows_says_how_many_were_shown():
    text = render(pd.DataFrame({"x": range(5)}), max_rows=2)
    assert text.splitlines()[-1] == "2 of 5 rows shown (--max-rows)"


def test_csv_and_json_are_unchanged(warehouse, capsys):
    query = "SELECT country, n FROM marts.levers ORDER BY country"
    assert sql(capsys, query, "--format", "csv") == ["country,n", "FR,12", "HR,3"]
    assert sql(capsys, query, "--format", "json") == [
        '[{"country":"FR","n":12},{"country":"HR","n":3}]'
    ]
