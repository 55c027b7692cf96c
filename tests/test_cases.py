"""Case studies checked against the codebook (issue 18): an invented category never
reaches core.cases or the report; every bad row is quarantined with file, row, column
and reason; rows read = rows loaded + rows quarantined."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from assets.defs.core.assets import core_assets
from assets.defs.raw.assets import raw_reference_files
from observatory.ingest.cases import COLUMNS, read_case_files
from tests.conftest import SAMPLE, make_resource

GOOD = [
    "HR-C90",
    "HR",
    "2022",
    "territory_led",
    "health_wellbeing",
    "health_prevention",
    "sustained",
    "facilitator|analyst",
    "early_alignment",
    "role_ambiguity",
    "governance_structures",
]


def _row(order: tuple[str, ...] = COLUMNS, **changes: str) -> str:
    values = dict(
        zip(
            (
                "case_id",
                "country",
                "year",
                "scheme_type",
                "theme",
                "subtheme",
                "outcome",
                "sim_roles",
                "levers",
                "barriers",
                "transferable_elements",
            ),
            GOOD,
            strict=True,
        )
    )
    return ",".join({**values, **changes}[c] for c in order)


def _write(path, *rows: str):
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def test_each_bad_case_row_is_quarantined_with_its_row_column_and_reason(tmp_path):
    path = _write(
        tmp_path / "cases.csv",
        _row(),  # row 2: loads
        _row(case_id="GR-C01", country="EL"),  # 3: EL = GR, loads
        _row(case_id="HR-C91", scheme_type="invented_scheme"),  # 4
        _row(case_id="HR-C92", subtheme="circular_economy"),  # 5: other theme
        _row(case_id="HR-C90"),  # 6: repeated id
        _row(case_id="HR-C93", levers="clear_ownership|bribery"),  # 7
        _row(case_id="HR-C94", year="20x2", country="XX"),  # 8: two problems
        "",  # blank: not a row
        "HR-C95,HR,2022",
    )  # 10: short row
    (checked,) = read_case_files([path])
    assert list(checked.cases["case_id"]) == ["HR-C90", "GR-C01"]
    assert list(checked.cases["country"]) == ["HR", "GR"]
    problems = [
        (r, c, reason.split(":")[0])
        for r, c, reason in checked.quarantine[["row", "column", "reason"]].itertuples(index=False)
    ]
    assert problems == [
        (4, "scheme_type", "not a code of scheme_type"),
        (5, "subtheme", "a subtheme of sustainability_environment, not of the case's theme"),
        (6, "case_id", "case id already used by an earlier row"),
        (7, "levers", "not a code of lever"),
        (8, "country", "unknown country 'XX' (configured"),
        (8, "year", "not a year from 2000 to this year"),
        (10, "*", "3 fields, the header has 11"),
    ]
    assert checked.quarantine.loc[3, "value"] == "clear_ownership|bribery"
    assert (checked.rows_read, checked.rows_loaded, checked.rows_quarantined) == (8, 2, 6)


def test_an_invented_category_does_not_reach_core_cases(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE / "frames", raw / "frames")
    shutil.copytree(SAMPLE / "cases", raw / "cases")
    sample = raw / "cases" / "case_studies.csv"
    lines = sample.read_text(encoding="utf-8").splitlines()
    bad = _row(tuple(lines[0].split(",")), case_id="HR-C99", outcome="<b>invented</b>")
    sample.write_text("\n".join([*lines, bad]) + "\n", encoding="utf-8")
    resource = make_resource(tmp_path, raw)
    cases = next(a for a in core_assets if dg.AssetKey(["core", "cases"]) in a.keys)
    result = dg.materialize(
        [raw_reference_files, cases], resources={"observatory": resource}, raise_on_error=False
    )
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "case_accounting" and not check.passed
    assert check.description == f"{sample}: 1 of {len(lines)} row(s) quarantined"
    con = duckdb.connect(str(tmp_path / "warehouse" / "pipeline.duckdb"), read_only=True)
    assert con.execute(
        "SELECT count(*) FROM core.cases WHERE outcome LIKE '%invented%' OR case_id = 'HR-C99'"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined FROM audit.case_accounting"
    ).fetchall() == [(len(lines), len(lines) - 1, 1)]
    assert con.execute('SELECT "row", "column", value FROM audit.case_quarantine').fetchall() == [
        (len(lines) + 1, "outcome", "<b>invented</b>")
    ]
