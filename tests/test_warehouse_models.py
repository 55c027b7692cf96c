"""The SQL models as declared: the share views are lines of one spec (a new line is a new
view, with its SQL, its documentation and its dependencies), a bad line is named by
file and line, what SQL reads comes from its parse tree, and columns.yaml is read once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from observatory import warehouse
from observatory.warehouse import documentation, macros
from observatory.warehouse.models import Model
from observatory.warehouse.queries import QUERY_DIR, query
from observatory.warehouse.references import SqlParseError, analyse
from observatory.warehouse.share_views import SPEC, ShareViewSpecError, share_views, view_sql

LINE = "{dimension: risk, by: scheme_type, respondents: reporting each partnership risk}"


def test_each_share_view_is_one_line_of_the_spec() -> None:
    lines = SPEC.read_text(encoding="utf-8").splitlines()
    views = share_views()
    assert len(views) == 21
    for view in views:
        model = warehouse.model("marts", view.name)
        path, line = model.source.rsplit(":", 1)
        assert path == "observatory/warehouse/sql/marts/share_views.yaml"
        assert lines[int(line) - 1].startswith(f"{view.name}: ")
        assert warehouse.model_inputs("marts", view.name) == {"marts.shares"}
    assert not list(SPEC.parent.glob("*_by_*.sql"))


def test_a_new_line_makes_a_new_view(tmp_path: Path) -> None:
    spec = tmp_path / "share_views.yaml"
    spec.write_text(f"risks_by_scheme_type: {LINE}\n", encoding="utf-8")
    (view,) = share_views(spec)
    model = Model("marts", view.name, view_sql(view), view.source)
    assert macros.expand(model.analysis) == {"marts.shares"}
    con = duckdb.connect()
    con.execute(
        "CREATE SCHEMA marts; CREATE TABLE marts.shares AS SELECT * FROM (VALUES "
        "(2026, 'scheme_type', 'internal', 'all respondents', 'risk', 'distrust', 'l', 'l', "
        " 40, 10, 0.25, 0.05, 0.1, 0.4, 30.0, 35, false, false, false), "
        "(2026, 'country', 'FR', 'all respondents', 'risk', 'distrust', 'l', 'l', "
        " 40, 10, 0.25, 0.05, 0.1, 0.4, 30.0, 35, false, false, false)) AS t(wave, "
        "domain_type, domain, base, dimension, code, label_en, label_fr, n, n_selected, "
        "share, se, ci_low, ci_high, n_eff, df, suppressed, calibrated, unreliable)"
    )
    con.execute(model.sql)
    assert con.execute("SELECT scheme_type, share FROM marts.risks_by_scheme_type").fetchall() == [
        ("internal", 0.25)
    ]
    (comment,) = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE table_name = 'risks_by_scheme_type'"
    ).fetchone()
    assert comment.startswith("Weighted share of respondents reporting each partnership risk, ")
    assert "by scheme type (all countries pooled) and wave" in comment


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("risks_by_region: {dimension: risk, by: region, respondents: x}", "by must be one of"),
        ("risks_by_country: {dimension: rsk, by: country, respondents: x}", "'rsk' is not in"),
        ("risk_views: {dimension: risk, by: country, respondents: x}", "must be snake_case"),
        ("risks_by_country: {dimension: risk, by: country}", "missing field(s) respondents"),
        ("risks_by_country: {dimension: risk, by: country, respondents: x, trend: true}", "trend"),
        (f"risks_by_scheme_type: {LINE}\nrisks_by_scheme_type: {LINE}", "declared twice"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, line: str, problem: str) -> None:
    spec = tmp_path / "share_views.yaml"
    spec.write_text(f"# a comment\n{line}\n", encoding="utf-8")
    with pytest.raises(ShareViewSpecError) as raised:
        share_views(spec)
    assert f"{spec.as_posix()}:{line.count(chr(10)) + 2}" in str(raised.value)
    assert problem in str(raised.value)


def test_what_sql_reads_comes_from_its_parse_tree() -> None:
    found = analyse(
        """-- core.commented_out is not read
        CREATE OR REPLACE TEMP TABLE changed AS SELECT * FROM waves_changed('m');
        INSERT INTO marts.x WITH t AS (SELECT * FROM core.a) SELECT * FROM t, changed, ref_b;
        DELETE FROM staging.built WHERE wave IN (SELECT wave FROM core.c);
        COMMENT ON TABLE marts.x IS 'It''s x.';""",
        "x.sql",
    )
    assert found.reads == {"core.a", "ref_b", "core.c"}
    assert found.calls == {"waves_changed"} and found.table_comment == "It's x."
    with pytest.raises(SqlParseError, match=r"^x\.sql: the SQL cannot be parsed"):
        analyse("SELECT * FROM (", "x.sql")


def test_a_macro_passes_on_what_it_reads() -> None:
    """The co-occurrence mart reads what waves_changed reads, not the mart that defined it."""
    reads = warehouse.model_inputs("marts", "lever_barrier_cooccurrence")
    assert {"core.questions", "staging.marts_built"} <= reads
    assert "marts.shares" not in reads


def test_columns_yaml_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    real = documentation.read_sql
    monkeypatch.setattr(documentation, "read_sql", lambda p: reads.append(p) or real(p))
    documentation.column_docs.cache_clear()
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t (wave INTEGER, share DOUBLE)")
    for _ in range(3):
        warehouse.document(con)
    assert reads == [documentation.COLUMNS]
    assert con.execute(
        "SELECT count(comment) FROM duckdb_columns() WHERE table_name = 't'"
    ).fetchone() == (2,)


def test_each_read_side_query_is_one_statement_also_on_one_line() -> None:
    """The report's data files record a query with its whitespace collapsed: a `--`
    comment would swallow the rest of it."""
    names = sorted(
        p.relative_to(QUERY_DIR).with_suffix("").as_posix() for p in QUERY_DIR.rglob("*.sql")
    )
    assert "report/validation" in names and "quality/validation" in names
    for name in names:
        one_line = " ".join(query(name).split())
        assert len(duckdb.extract_statements(one_line)) == 1, name
    shared = query("latest_validation_results")  # one definition, in both
    assert shared in query("report/validation") and shared in query("quality/validation")


def test_comments_are_written_in_one_transaction() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER, b INTEGER)")
    with pytest.raises(duckdb.BinderException):
        documentation.comment_on(
            con, ["COMMENT ON COLUMN t.a IS 'a'", "COMMENT ON COLUMN t.missing IS 'm'"]
        )
    documentation.comment_on(con, ["COMMENT ON COLUMN t.b IS 'b'"])  # the connection works
    assert con.execute(
        "SELECT list(comment ORDER BY column_index) FROM duckdb_columns() WHERE table_name = 't'"
    ).fetchone() == ([None, "b"],)
