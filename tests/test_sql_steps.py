"""The SQL models run as a few steps (assets/sql_models.py): every model is an asset of
exactly one step, each step builds a model after the models of the step it reads, a
model's materialisation shows its first rows and documented columns, and an export's
partition finds its files by looking at its wave's folder only."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb

from assets.defs.core.assets import core_assets
from assets.defs.marts.assets import mart_assets
from assets.sql_models import build_order, table_metadata
from observatory import warehouse
from observatory.ingest.discover import files_for, survey_files
from tests.conftest import SAMPLE


def test_every_model_is_an_asset_of_one_step() -> None:
    keys = [key for step in (*core_assets, *mart_assets) for key in step.keys]
    models = [dg.AssetKey([f, n]) for f in ("core", "marts") for n in warehouse.models(f)]
    assert sorted(keys) == sorted(models)  # none lost, none twice
    assert all(step.can_subset for step in (*core_assets, *mart_assets))


def test_a_step_builds_each_model_after_the_models_it_reads() -> None:
    names = warehouse.models("marts")
    order = build_order("marts", names)
    assert sorted(order) == names
    for name in names:
        for ref in warehouse.model_inputs("marts", name):
            if ref.startswith("marts."):
                assert order.index(ref.removeprefix("marts.")) < order.index(name), (ref, name)


def test_files_for_finds_a_partition_in_its_wave_folder(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE / "surveys" / "2025", raw / "surveys" / "2025")
    (raw / "surveys" / "2025" / "GR").rename(raw / "surveys" / "2025" / "EL")  # an alias
    every = survey_files(raw)
    for wave, country in {(f.wave, f.country) for f in every}:
        assert files_for(raw, wave, country) == [
            f for f in every if (f.wave, f.country) == (wave, country)
        ]
    assert [f.path.parent.name for f in files_for(raw, 2025, "GR")] == ["EL"]
    assert files_for(raw, 2026, "FR") == []  # no folder of that wave: nothing, no error


def test_a_models_materialisation_shows_its_first_rows_and_documented_columns() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT range AS wave, "
        "'a|b' AS code, NULL::DOUBLE AS share FROM range(12)"
    )
    found = table_metadata(con, "marts.t", 12)  # described before the step documents it
    lines = found["preview"].value.splitlines()
    assert lines[0] == "| wave | code | share |"
    assert len(lines) == 2 + 10  # header, rule, the first ten rows
    assert lines[2] == "| 0 | a\\|b |  |"  # a pipe in a value does not split its cell
    schema = found["dagster/column_schema"]
    assert [(c.name, c.type) for c in schema.columns] == [
        ("wave", "BIGINT"),
        ("code", "VARCHAR"),
        ("share", "DOUBLE"),
    ]
    docs = warehouse.column_docs()
    assert [c.description for c in schema.columns] == [docs[c] for c in ("wave", "code", "share")]
