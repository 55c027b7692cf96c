"""Shared fixtures: one full pipeline run on a copy of the shipped sample, in a temp dir."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "raw"
# One throw-away Dagster instance for the session (and the CLI processes it starts), never
# the project's .dagster_home that `make test` would otherwise hand down.
os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="observatory-dagster-home-")
# The pipeline runs build the report in en and fr (as before the other languages came):
# every language is built and checked once, by the `publication` fixture below.
os.environ.setdefault("OBSERVATORY_REPORT_LANGUAGES", "en,fr")
# The shipped synthetic sample may be pseudonymised with the public development key
# (tests/test_security.py checks that nothing else may).
os.environ.setdefault("OBSERVATORY_ALLOW_DEVELOPMENT_KEY", "1")


@dataclass
class PipelineRun:
    root: Path
    raw_dir: Path
    summary: object
    defs: object

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def truth(self) -> dict:
        return json.loads((self.raw_dir / "planted_truth.json").read_text(encoding="utf-8"))


def make_resource(root: Path, raw_dir: Path):
    from assets.resources import ObservatoryResource

    return ObservatoryResource(
        raw_dir=str(raw_dir),
        warehouse_dir=str(root / "warehouse"),
        reports_dir=str(root / "reports"),
    )


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory) -> PipelineRun:
    from assets.definitions import build_defs
    from assets.runner import refresh

    root = tmp_path_factory.mktemp("observatory")
    raw_dir = root / "raw"
    shutil.copytree(SAMPLE, raw_dir)
    defs = build_defs(make_resource(root, raw_dir))
    summary = refresh(defs, raw_dir, progress=lambda _: None, report=True)
    return PipelineRun(root, raw_dir, summary, defs)


@pytest.fixture(scope="module")
def published(pipeline_run):
    """The published analyst snapshot of `pipeline_run`, opened read-only."""
    import duckdb

    assert pipeline_run.summary.ok, pipeline_run.summary.problems
    con = duckdb.connect(str(pipeline_run.warehouse_dir / "observatory.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture
def codebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped codebook in its own folder (OBSERVATORY_CODEBOOK_DIR)."""
    from observatory.codebook import HERE, load_codebook

    folder = tmp_path / "codebook"
    folder.mkdir()
    for name in ("taxonomy.yaml", "questionnaire.yaml"):
        shutil.copy(HERE / name, folder / name)
    monkeypatch.setenv("OBSERVATORY_CODEBOOK_DIR", str(folder))
    load_codebook.cache_clear()
    yield folder
    load_codebook.cache_clear()


@dataclass
class Publication:
    """The annual report of the fixture warehouse, built once for the session in every
    language, with the PDFs of PRINTED only (printing is the slow part)."""

    warehouse: Path  # published: a hard link to its dated snapshot
    year_dir: Path
    pages: list[Path]
    seconds: float


PRINTED = ("en", "fr")


@pytest.fixture
def budget(monkeypatch, tmp_path):
    """A memory budget of 1 MiB (and these other settings) in this process, until the
    test ends."""
    from observatory.config import load_settings

    def replace(**values: object) -> Path:
        path = tmp_path / "settings.yaml"
        path.write_text(yaml.safe_dump({"memory_budget_mib": 1, **values}))
        monkeypatch.setenv("OBSERVATORY_SETTINGS", str(path))
        load_settings.cache_clear()
        return path

    yield replace
    load_settings.cache_clear()


@pytest.fixture(scope="session")
def publication(tmp_path_factory) -> Publication:
    import hashlib
    import time

    from observatory.report import LANGUAGES, build_report
    from tests.report_fixture import make_published_warehouse

    root = tmp_path_factory.mktemp("publication")
    warehouse = make_published_warehouse(root / "warehouse")
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    start = time.perf_counter()
    pages = build_report(warehouse, root / "reports", languages=LANGUAGES, pdf_languages=PRINTED)
    seconds = time.perf_counter() - start
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before, "warehouse changed"
    return Publication(warehouse, root / "reports" / "2026", pages, seconds)
