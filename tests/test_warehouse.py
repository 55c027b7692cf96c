"""The analyst warehouse: documentation, Parquet exports, dated snapshots, change tests,
and analysts querying while a refresh runs."""

import re
import shutil
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from scipy.stats import false_discovery_control, norm

from assets.definitions import build_defs
from assets.runner import refresh
from observatory.warehouse import dictionary
from tests.conftest import REPO, SAMPLE, make_resource


def test_committed_data_dictionary_is_current(pipeline_run, published):
    generated = dictionary.render(published)
    assert (REPO / "docs" / "data_dictionary.md").read_text(encoding="utf-8") == generated, (
        "docs/data_dictionary.md is stale: run `make dictionary`"
    )
    shipped = pipeline_run.warehouse_dir / "DATA_DICTIONARY.md"
    assert shipped.read_text(encoding="utf-8") == generated
    assert "(undocumented)" not in generated


def test_validation_results_label_partitions_as_dagster_does(published):
    """audit.validation_results keys a staged partition country|wave, like the runs."""
    labels = published.execute(
        "SELECT DISTINCT partition FROM audit.validation_results WHERE partition IS NOT NULL"
    ).fetchall()
    assert labels and all(re.fullmatch(r"[A-Z]{2}\|20\d\d", label) for (label,) in labels)


def test_changelog_lists_every_published_table(published):
    changelog = (REPO / "docs" / "WAREHOUSE_CHANGELOG.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`(\w+)`", changelog))
    tables = published.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
    assert tables and [f"{s}.{t}" for s, t in tables if t not in listed] == []


def test_marts_are_exported_as_parquet(pipeline_run, published):
    folder = pipeline_run.warehouse_dir / "parquet" / "marts"
    marts = published.execute(
        "SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'marts'"
    ).fetchall()
    assert len(marts) >= 25
    for table, _ in marts:
        (rows,) = published.execute(f"SELECT count(*) FROM '{folder / table}.parquet'").fetchone()
        assert rows == published.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]


def test_significant_changes_follow_the_planted_trend(published):
    """E2: champion dependency falls in France 0.55 -> 0.42 -> 0.30. Every pair of waves is
    compared; over the whole span the fall survives the Benjamini-Hochberg control."""
    rows = published.execute(
        "SELECT previous_wave, wave, change, q_value, significant FROM marts.share_changes "
        "WHERE domain_type = 'country' AND domain = 'FR' AND code = 'champion_dependency' "
        "ORDER BY ALL"
    ).fetchall()
    assert [r[:2] for r in rows] == [(2024, 2025), (2024, 2026), (2025, 2026)]
    assert all(change < 0 for _, _, change, _, _ in rows)
    assert rows[1][3] < 0.05 and rows[1][4] is True  # 0.55 -> 0.30 on several hundred
    (share_of_significant,) = published.execute(
        "SELECT avg(significant::INT) FROM marts.share_changes "
        "WHERE dimension = 'lever' AND domain_type = 'country'"
    ).fetchone()
    assert share_of_significant < 0.05  # levers have no planted trend


def test_one_query_answers_which_lever_grew_most(published):
    """An analyst's question: which lever grew most in a country between 2024 and 2026,
    and is it significant? One query, labels beside the codes."""
    query = (
        "SELECT code, label_en, label_fr, change, p_value, q_value, significant "
        "FROM marts.share_changes WHERE domain = ? AND dimension = 'lever' "
        "AND previous_wave = 2024 AND wave = 2026 ORDER BY change DESC"
    )
    rows = published.execute(query, ["HR"]).fetchall()
    assert len(rows) == 4 and all(r[1] and r[2] for r in rows)
    assert all(r[3] is not None and 0 <= r[4] <= r[5] <= 1 for r in rows)
    greece = published.execute(query, ["GR"]).fetchall()  # its 2024 pilot is suppressed
    assert len(greece) == 4 and all(r[3:6] == (None,) * 3 and not r[6] for r in greece)


def test_q_values_are_benjamini_hochberg_within_each_wave_pair(published):
    changes = published.execute(
        "SELECT wave, previous_wave, z, p_value, q_value, significant, se_change, share, "
        "previous_share FROM marts.share_changes"
    ).df()
    tested = changes[changes["p_value"].notna()]
    assert len(tested) and (tested["se_change"] > 0).all()
    for share in ("share", "previous_share"):  # a share of 0 or 1 has no SE to test with
        assert tested[share].between(0, 1, inclusive="neither").all()
    np.testing.assert_allclose(tested["p_value"], 2 * norm.sf(tested["z"].abs()), rtol=1e-12)
    for _, pair in tested.groupby(["wave", "previous_wave"]):
        np.testing.assert_allclose(
            pair["q_value"], false_discovery_control(pair["p_value"]), rtol=1e-12
        )
    assert (changes["significant"] == (changes["q_value"] < 0.05)).all()


def test_cooccurrence_is_bounded_by_its_parts(published):
    rows = published.execute("""
        SELECT c.share_both, l.share AS lever_share, b.share AS barrier_share,
               c.share_barrier_given_lever, c.lift
        FROM marts.lever_barrier_cooccurrence c
        JOIN marts.levers_by_country l ON l.wave = c.wave AND l.country = c.country
                                      AND l.code = c.lever
        JOIN marts.barriers_by_country b ON b.wave = c.wave AND b.country = c.country
                                        AND b.code = c.barrier
        WHERE NOT c.suppressed""").fetchall()
    hidden = published.execute(
        "SELECT list(DISTINCT (wave, country)), count(*), count(n_both) + count(share_both) "
        "FROM marts.lever_barrier_cooccurrence WHERE suppressed"
    ).fetchone()
    assert len(rows) + hidden[1] == 3 * 5 * 4 * 4 and len(rows) >= 13 * 4 * 4
    assert (2024, "GR") in hidden[0] and hidden[2] == 0  # nothing shown
    for both, lever, barrier, given, lift in rows:
        assert both <= min(lever, barrier) + 1e-12
        assert given == pytest.approx(both / lever)
        assert lift == pytest.approx(both / (lever * barrier))


def test_case_observations_count_cases(published):
    bad = published.execute(
        "SELECT count(*) FROM marts.case_observations WHERE cases_observed > cases "
        "OR share_of_cases NOT BETWEEN 0 AND 1"
    ).fetchone()[0]
    total = published.execute("SELECT count(*) FROM marts.case_observations").fetchone()[0]
    assert total > 50 and bad == 0


ANALYST = textwrap.dedent("""
    import sys, time, duckdb
    path, stop, errors, queries = sys.argv[1], sys.argv[2], 0, 0
    import pathlib
    while not pathlib.Path(stop).exists():
        try:
            con = duckdb.connect(path, read_only=True)
            con.execute("SELECT country, avg(share) FROM marts.levers_by_country "
                        "GROUP BY 1").fetchall()
            con.execute("SELECT count(*) FROM core.respondents").fetchall()
            con.close()
            queries += 1
        except Exception as exc:
            errors += 1
            print("ERROR", exc, file=sys.stderr)
        time.sleep(0.01)
    print(queries, errors)
""")


def test_analysts_query_without_errors_during_a_refresh(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    defs = build_defs(make_resource(tmp_path, raw))
    subset = {"waves": [2025, 2026], "countries": ["FR", "IT"], "progress": lambda _: None}
    assert refresh(defs, raw, **subset).ok
    stop = tmp_path / "stop"
    analysts = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                ANALYST,
                str(tmp_path / "warehouse" / "observatory.duckdb"),
                str(stop),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]  # four analysts at once
    try:
        time.sleep(1)
        assert refresh(defs, raw, **subset).ok  # publishes a new snapshot under their feet
    finally:
        stop.touch()
    for analyst in analysts:
        out, err = analyst.communicate(timeout=60)
        queries, errors = map(int, out.split())
        assert errors == 0, err
        assert queries > 10
    assert len(list((tmp_path / "warehouse" / "snapshots").glob("*.duckdb"))) == 2
