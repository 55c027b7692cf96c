"""The codebook folder as data: its YAML files, its history of accepted changes, and the
instruments imported for a wave that is not accepted yet.

    taxonomy.yaml, questionnaire.yaml   the codebook as the team wrote it
    changes/NNN_wave_YYYY.yaml          each accepted change, in the codebook's own format
                                        (`dimensions`, `questions`, `waves`), with who
                                        accepted it and when; applied in order on loading
    pending/YYYY/CC.yaml                instruments imported for wave YYYY (not read by
                                        the pipeline)
    pending/YYYY/proposal.yaml          the change `observatory instrument diff` proposes

A change only adds: new codes, questions and waves, aliases and headers. Codes never
change meaning, so earlier waves stay readable.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import yaml

CHANGE_KEYS = ("dimensions", "questions", "waves")
# libyaml's parser (PyYAML's C binding, in its wheels) with PyYAML's safe constructor: the
# same data as yaml.safe_load, parsed about 7 times faster (the codebook is read by every
# process that loads the definitions: 0.11 CPU-s in Python)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER) or {}


def write_yaml(path: Path, data: dict, comment: str = "") -> None:
    """Write atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = comment + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
    ) as handle:
        handle.write(text)
    os.replace(handle.name, path)


def change_files(folder: Path) -> list[Path]:
    return sorted((folder / "changes").glob("*_wave_*.yaml"))


def pending_dir(folder: Path, wave: int) -> Path:
    return folder / "pending" / str(wave)


def merge(taxonomy: dict, questionnaire: dict, change: dict) -> tuple[dict, dict]:
    """The codebook with one change applied (the inputs are left as they are)."""
    taxonomy, questionnaire = copy.deepcopy(taxonomy), copy.deepcopy(questionnaire)
    for name, spec in change.get("dimensions", {}).items():
        dim = taxonomy["dimensions"].setdefault(name, {"label": spec.get("label", {}), "codes": {}})
        for code, entry in spec.get("codes", {}).items():
            _add(dim["codes"].setdefault(code, {}), entry)
    for qid, spec in change.get("questions", {}).items():
        _add(questionnaire["questions"].setdefault(qid, {}), spec)
    for year, spec in change.get("waves", {}).items():
        questionnaire["waves"][int(year)] = spec
    return taxonomy, questionnaire


def _add(target: dict, addition: dict) -> None:
    """Add keys that are missing, extend lists, recurse into mappings; never overwrite."""
    for key, value in addition.items():
        if isinstance(value, dict):
            _add(target.setdefault(key, {}), value)
        elif isinstance(value, list):
            have = target.setdefault(key, [])
            have += [v for v in value if v not in have]
        else:
            target.setdefault(key, value)


def read_codebook(folder: Path) -> tuple[dict, dict]:
    """Taxonomy and questionnaire of a codebook folder, with its accepted changes applied."""
    taxonomy = read_yaml(folder / "taxonomy.yaml")
    questionnaire = read_yaml(folder / "questionnaire.yaml")
    for path in change_files(folder):
        taxonomy, questionnaire = merge(taxonomy, questionnaire, read_yaml(path))
    return taxonomy, questionnaire
