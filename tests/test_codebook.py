import ast
from pathlib import Path

import pytest
import yaml

from observatory.codebook import HERE, SURVEY_LANGUAGES, load_codebook, normalise_label, validate
from observatory.codebook.store import LOADER, read_yaml
from observatory.config import canonical_country, load_countries

REPO = Path(__file__).resolve().parent.parent


def test_codebook_is_consistent():
    assert validate(load_codebook()) == []


def test_taxonomy_covers_design_dimensions():
    dims = load_codebook().dimensions
    assert set(dims["scheme_type"].codes) == {"company_led", "territory_led", "internal"}
    assert set(dims["lever"].codes) == {
        "clear_ownership",
        "early_alignment",
        "dedicated_coordination",
        "process_integration",
    }
    assert set(dims["barrier"].codes) == {
        "role_ambiguity",
        "limited_capacity",
        "champion_dependency",
        "multi_actor_complexity",
    }
    assert len(dims["org_type"].codes) == 8
    assert len(dims["subtheme"].codes) == 14


def test_survey_labels_are_translations_not_copies():
    for dim in load_codebook().dimensions.values():
        for code in dim.codes.values():
            texts = {code.labels[lang] for lang in SURVEY_LANGUAGES}
            # Proper nouns aside, at least three distinct renderings per code.
            assert len(texts) >= 3 or dim.name in ("eval_step",), (dim.name, code.code)


def test_instrument_drift_is_recorded():
    book = load_codebook()
    assert "risks" not in book.wave(2024).question_ids
    assert "risks" in book.wave(2025).question_ids
    assert book.header(2025, "satisfaction", "fr") != book.header(2026, "satisfaction", "fr")
    with pytest.raises(KeyError, match="wave 1999"):
        book.wave(1999)


def test_labels_match_loosely():
    lookup = load_codebook().dimensions["barrier"].lookup("fr")
    assert (
        lookup[normalise_label("  COMPLEXITE des environnements   multi-acteurs")]
        == "multi_actor_complexity"
    )


def test_countries_come_from_configuration():
    assert list(load_countries()) == ["HR", "FR", "AT", "GR", "IT"]
    assert canonical_country("el") == "GR"
    with pytest.raises(KeyError, match="unknown country"):
        canonical_country("XX")


def test_library_never_imports_dagster():
    for path in (REPO / "observatory").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                root = name.split(".")[0]
                # The CLI may hand `refresh` to the code location, lazily, inside a function.
                assert root != "dagster", f"{path} imports dagster"
                if root == "assets":
                    assert path.parent.name == "cli", f"{path} imports the code location"


def test_the_suites_take_numeric_bounds_from_the_codebook(monkeypatch):
    """A scale the codebook widens (satisfaction 0-10) is what the staged suite expects:
    no bound is written in the suites themselves."""
    import dataclasses

    from observatory.quality import suites

    book = load_codebook()
    wider = dataclasses.replace(book.questions["satisfaction"], min=0, max=10)
    monkeypatch.setattr(
        suites,
        "load_codebook",
        lambda: dataclasses.replace(book, questions={**book.questions, "satisfaction": wider}),
    )
    between = {
        s.column: (s.kwargs["min_value"], s.kwargs["max_value"], s.blocking)
        for s in suites.staged_respondents()
        if s.expectation == "ExpectColumnValuesToBeBetween"
    }
    assert between == {"satisfaction": (0, 10, True), "coordination_fte": (0, 50, False)}


def test_the_codebook_files_read_as_yaml_safe_load_reads_them():
    """read_yaml parses with libyaml (observatory/codebook/store.py): the same data."""
    assert LOADER is yaml.CSafeLoader  # PyYAML's wheels carry libyaml
    for name in ("taxonomy.yaml", "questionnaire.yaml"):
        path = HERE / name
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))
