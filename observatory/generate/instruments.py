"""The sample's questionnaires as its survey tools define them: XLSForm for the
KoboToolbox country, a LimeSurvey structure for the LimeSurvey country, an SPSS
dictionary (a `.sav` without cases) for the SPSS country, one per wave, written from the
codebook. Importing them (`observatory instrument import`) gives the codebook back.

    instruments/<wave>/<CC>/instrument_<cc>_<wave>.<xlsx|lss|sav>
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from observatory.codebook import Codebook, Question
from observatory.codebook.instrument import Instrument, Item, Option
from observatory.config import Country
from observatory.generate import instrument_files, model

TOOL_FORMATS = {"KoboToolbox": "xlsx", "LimeSurvey": "lss", "SPSS": "sav"}
KINDS = {
    "id": "text",
    "pii": "text",
    "single": "single",
    "multi": "multiple",
    "likert": "scale",
    "number": "number",
}


def _item(book: Codebook, wave: int, q: Question, language: str) -> Item:
    options = (
        ()
        if q.dimension is None or q.kind not in ("single", "multi")
        else tuple(
            Option(code, {language: book.label(q.dimension, code, language)})
            for code in book.options(wave, q.dimension)
        )
    )
    return Item(
        q.id,
        KINDS[q.kind],
        {language: book.header(wave, q.id, language)},
        options,
        q.min if q.kind in ("likert", "number") else None,
        q.max if q.kind in ("likert", "number") else None,
    )


def from_codebook(book: Codebook, wave: int, country: Country) -> Instrument:
    """A wave's questionnaire (of the latest codebook wave up to it) in a country's language."""
    instrument = model.instrument_wave(book, wave)
    return Instrument(
        country.export.tool,
        tuple(_item(book, instrument, q, country.language) for q in book.questions_for(instrument)),
    )


def write(path: Path, instrument: Instrument, country: Country) -> None:
    """Write an instrument in the format its suffix names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writers = {
        ".xlsx": instrument_files.write_xlsform,
        ".lss": instrument_files.write_lss,
        ".sav": instrument_files.write_sav,
    }
    writers[path.suffix](path, instrument, country)


def write_instruments(
    out_dir: Path, book: Codebook, countries: Sequence[Country], waves: Sequence[int]
) -> list[Path]:
    """One instrument per wave for each country whose tool has a definition format."""
    written = []
    for wave in waves:
        for country in countries:
            ext = TOOL_FORMATS.get(country.export.tool)
            if ext is None:
                continue
            path = (
                out_dir
                / "instruments"
                / str(wave)
                / country.code
                / f"instrument_{country.code.lower()}_{wave}.{ext}"
            )
            write(path, from_codebook(book, wave, country), country)
            written.append(path)
    return written
