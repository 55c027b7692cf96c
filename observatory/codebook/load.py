"""Loading the codebook: the YAML taxonomy and questionnaire of a codebook folder (the
shipped one unless OBSERVATORY_CODEBOOK_DIR says), with its accepted changes applied."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from observatory.codebook.model import Code, Codebook, Dimension, Question, Wave

HERE = Path(__file__).parent


def _load_dimensions(raw: dict) -> dict[str, Dimension]:
    dimensions = {}
    for name, spec in raw["dimensions"].items():
        codes = {}
        for code, entry in spec["codes"].items():
            entry = dict(entry)
            parent = entry.pop("parent", None)
            aliases = tuple(entry.pop("aliases", ()))
            replaces = tuple(entry.pop("replaces", ()))
            codes[code] = Code(name, code, entry, parent, aliases, replaces)
        dimensions[name] = Dimension(name, spec["label"], codes, spec.get("parent_dimension"))
    return dimensions


def _load_questions(raw: dict) -> tuple[dict[str, Question], dict[int, Wave]]:
    questions = {qid: Question(id=qid, **spec) for qid, spec in raw["questions"].items()}
    waves = {
        int(year): Wave(
            year=int(year),
            version=str(spec["version"]),
            question_ids=tuple(spec["questions"]),
            headers=spec.get("headers", {}),
            note=spec.get("note", ""),
            options={dim: tuple(codes) for dim, codes in spec.get("options", {}).items()},
        )
        for year, spec in raw["waves"].items()
    }
    return questions, waves


def codebook_dir() -> Path:
    """The folder of the codebook: OBSERVATORY_CODEBOOK_DIR when set, else the shipped one.
    The team can keep (and review) its codebook anywhere, as data."""
    return Path(os.environ.get("OBSERVATORY_CODEBOOK_DIR") or HERE)


def build_codebook(taxonomy: dict, questionnaire: dict) -> Codebook:
    questions, waves = _load_questions(questionnaire)
    return Codebook(
        _load_dimensions(taxonomy),
        questions,
        waves,
        tuple(questionnaire.get("ignored_columns", ())),
    )


@cache
def load_codebook() -> Codebook:
    """The codebook of `codebook_dir()`: its taxonomy and questionnaire with every accepted
    change of its history (`changes/`) applied, oldest first."""
    from observatory.codebook.store import read_codebook

    return build_codebook(*read_codebook(codebook_dir()))
