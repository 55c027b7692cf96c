"""A questionnaire as a survey tool defines it: questions with their type, labels and
options in each language, read from the tool's own file.

Formats (by suffix): `.xlsx` XLSForm (KoboToolbox, ODK), `.lss` LimeSurvey structure,
`.sav` SPSS (its dictionary only: variable and value labels). Every reader refuses a
file over `MAX_BYTES` and reports anything wrong as one `InstrumentError` line
`file: what is wrong`; it never returns half an instrument.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from observatory.config import Country

KINDS = ("single", "multiple", "scale", "number", "text")
MAX_BYTES = 20 * 2**20  # a questionnaire is kilobytes; anything this big is not one
MAX_SAV_BYTES = 2**31  # an SPSS export with its cases: only its dictionary is read
DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_declarations(data: bytes) -> None:
    """XML declaring a DOCTYPE or an entity is refused: no survey tool writes one, and
    entities expand without bound (billion laughs) or read other files (XXE)."""
    if DECLARATION.search(data):
        raise InstrumentError(
            "declares a DOCTYPE or an entity: refused (no survey tool "
            "writes one; entities can expand without bound)"
        )


class InstrumentError(Exception):
    """An instrument that cannot be read; str() is the one line to show."""


@dataclass(frozen=True)
class Option:
    name: str
    labels: dict[str, str]  # language -> label


@dataclass(frozen=True)
class Item:
    name: str  # the tool's name of the question (XLSForm name, LimeSurvey code, SPSS variable)
    kind: str  # one of KINDS
    labels: dict[str, str]  # language -> question text (the export's column header)
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Instrument:
    tool: str
    items: tuple[Item, ...] = field(default=())

    @classmethod
    def from_dict(cls, raw: dict) -> Instrument:
        items = tuple(
            Item(**{**item, "options": tuple(Option(**o) for o in item["options"])})
            for item in raw["items"]
        )
        return cls(raw["tool"], items)


Reader = Callable[[Path, Country], Instrument]


def _readers() -> dict[str, Reader]:
    from observatory.codebook.formats import lss, sav, xlsform

    return {".xlsx": xlsform.read, ".lss": lss.read, ".sav": sav.read}


def read_instrument(path: Path, country: Country) -> Instrument:
    """The instrument in `path`; `country` gives the language of unlabelled texts and the
    option-column template of SPSS multi-select questions."""
    readers = _readers()
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise InstrumentError(f"{path}: not an instrument format this reads ({', '.join(readers)})")
    if not path.is_file():
        raise InstrumentError(f"{path}: no such file")
    limit = MAX_SAV_BYTES if path.suffix.lower() == ".sav" else MAX_BYTES
    if path.stat().st_size > limit:
        raise InstrumentError(
            f"{path}: {path.stat().st_size} bytes, more than a questionnaire's {limit} at most"
        )
    try:
        instrument = reader(path, country)
    except InstrumentError as exc:
        raise InstrumentError(f"{path}: {exc}") from None
    except Exception as exc:  # whatever the file holds: one line, never a traceback
        raise InstrumentError(f"{path}: unreadable ({type(exc).__name__}: {exc})") from None
    if not instrument.items:
        raise InstrumentError(f"{path}: no questions")
    names = [item.name for item in instrument.items]
    if len(set(names)) < len(names):
        raise InstrumentError(
            f"{path}: question names repeat "
            f"({', '.join(sorted({n for n in names if names.count(n) > 1}))})"
        )
    return instrument
