"""Check one export as the pipeline would read it, with no database: the lines of
`observatory check` for one file and its outcome (0 clean, 1 data problems, 2 usage).

The wave and country are those given, else those of its <wave>/<COUNTRY>/ folder (under
data/raw/surveys/ that folder must be a known wave and country; elsewhere it counts only
when it is), else those its headers point to (:mod:`observatory.ingest.infer`), which is
said in a line.
"""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Any

from observatory.codebook import load_codebook
from observatory.config import Country, canonical_country, load_countries, load_settings
from observatory.ingest.harmonise import SchemaError
from observatory.ingest.infer import InferenceError, infer
from observatory.ingest.problems import capped
from observatory.ingest.readers import ReadError
from observatory.ingest.stage import stage_alone, survey_chunks
from observatory.outcomes import DATA_PROBLEM, OK, USAGE_ERROR
from observatory.paths import Paths

THROWAWAY_KEY = secrets.token_bytes(32)  # check keeps no pseudonym: no deployment key needed


def with_overrides(country: Country, overrides: dict[str, Any]) -> Country:
    """The country with ingest-profile values replaced (`separator`: of multi-select
    answers in one cell; others: fields of the profile). None values are ignored."""
    profile, given = country.export, {k: v for k, v in overrides.items() if v is not None}
    if "separator" in given:
        given["multi_select"] = dataclasses.replace(
            profile.multi_select, separator=given.pop("separator")
        )
    return dataclasses.replace(country, export=dataclasses.replace(profile, **given))


def folder_partition(path: Path) -> tuple[int, str] | None:
    """(wave, country) of a .../<wave>/<COUNTRY>/file path. KeyError under
    data/raw/surveys/ when the folder's wave or country is unknown; elsewhere None."""
    parent = path.absolute().parent
    if not parent.parent.name.isdigit():
        return None
    try:
        load_codebook().wave(int(parent.parent.name))
        return int(parent.parent.name), canonical_country(parent.name)
    except KeyError:
        if parent.is_relative_to((Paths.from_env().raw_dir / "surveys").absolute()):
            raise
        return None


def partition(
    path: Path, wave: int | None, country: str | None, overrides: dict[str, Any]
) -> tuple[int, Country, str | None]:
    """(wave, country, what was inferred or None). KeyError: the wave or country of a
    folder under data/raw/surveys/ is unknown; ReadError or InferenceError: the headers
    cannot tell."""
    if (wave is None or country is None) and (folder := folder_partition(path)):
        wave, country = wave or folder[0], country or folder[1]
    if wave is not None and country is not None:
        return wave, with_overrides(load_countries()[country], overrides), None
    guess = infer(
        path,
        [wave] if wave else (),
        [country] if country else (),
        lambda c: with_overrides(c, overrides),
    )
    return (
        guess.wave,
        guess.country,
        f"{path}: inferred from its headers: {guess.describe()}; --wave/--country override",
    )


def check_file(
    path: Path,
    wave: int | None = None,
    country: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> tuple[int, list[str]]:
    """(outcome, lines to print) for one file. Errors other than the file's own
    problems propagate (the command turns them into one line)."""
    try:
        wave, chosen, inferred = partition(path, wave, country, overrides or {})
    except KeyError as exc:
        return USAGE_ERROR, [f"{path}: {exc.args[0]}"]
    except (ReadError, InferenceError) as exc:
        return DATA_PROBLEM, [str(exc)]
    said = [inferred] if inferred else []
    try:
        counts, staged = stage_alone(
            survey_chunks(path, wave, chosen),
            wave,
            chosen,
            THROWAWAY_KEY,
            rows=False,
            problems=load_settings().max_problems_per_file,
        )
    except SchemaError as exc:
        return DATA_PROBLEM, [
            *said,
            *exc.problems,
            f"{path}: columns do not match the {wave} "
            f"instrument of {chosen.code}: nothing "
            f"would load",
        ]
    except ReadError as exc:
        return DATA_PROBLEM, [*said, str(exc)]
    lines = capped(
        [
            f"{path}:{q.row}:{q.column}: {q.reason}" + (f" (value {q.value!r})" if q.value else "")
            for q in staged.quarantine.itertuples()
        ],
        path,
        counts.problems,
    )
    layout = ", ".join(
        f"{k} {v!r}"
        for k, v in (("encoding", counts.encoding), ("delimiter", counts.delimiter))
        if v
    )
    summary = (
        f"{path}: wave {wave}, {chosen.code}{', ' + layout if layout else ''}, header "
        f"on row {counts.header_row}: {counts.rows_read} rows read, {counts.rows_loaded} "
        f"would load, {counts.rows_quarantined} would be quarantined"
    )
    if counts.ignored:
        summary += f"; ignored columns: {', '.join(counts.ignored)}"
    return (DATA_PROBLEM if counts.rows_quarantined else OK), [*said, *lines, summary]
