"""The codebook: canonical taxonomy and each wave's questionnaire, loaded from YAML.

It is the single source of truth that maps every wave's headers and every survey
language's labels to canonical codes: its classes in `model.py`, its loading in
`load.py`, its self-checks in `checks.py`.
"""

from observatory.codebook.checks import validate
from observatory.codebook.load import HERE, build_codebook, codebook_dir, load_codebook
from observatory.codebook.model import (
    QUESTION_KINDS,
    SURVEY_LANGUAGES,
    Code,
    Codebook,
    Dimension,
    Question,
    Wave,
    normalise_label,
)

__all__ = [
    "HERE",
    "QUESTION_KINDS",
    "SURVEY_LANGUAGES",
    "Code",
    "Codebook",
    "Dimension",
    "Question",
    "Wave",
    "build_codebook",
    "codebook_dir",
    "load_codebook",
    "normalise_label",
    "validate",
]
