"""The report as a citable publication: its version, its citation in each language, and the
records a repository needs to mint a DOI, written offline with each report.

The version is the timestamp of the published warehouse snapshot the report is built from
(``observatory-<stamp>.duckdb``, see :mod:`observatory.warehouse.retention`), in ISO 8601
UTC; a warehouse that is not a published snapshot is versioned by its modification time.
The release date is that snapshot's: rebuilding a report from the same snapshot gives the
same version, the same citation and the same records. Publisher, licence and keywords come
from ``observatory/config/report.yaml``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from observatory.config import load_publication
from observatory.report.data import ReportData
from observatory.report.text import REFERENCE, t
from observatory.warehouse.retention import snapshot_of

CFF_NAME = "CITATION.cff"
DATACITE_NAME = "datacite.json"
STAMP = "%Y%m%dT%H%M%S%fZ"  # of a snapshot's file name (observatory.warehouse.publish)


@dataclass(frozen=True)
class Edition:
    year: int  # the survey wave reported on
    first_wave: int
    countries: int  # with respondents in the wave
    released: dt.datetime  # UTC: when the snapshot behind the report was published
    snapshot: str | None  # its file name (None: the warehouse is not a published snapshot)

    @property
    def version(self) -> str:
        return self.released.strftime("%Y-%m-%dT%H:%M:%SZ")


def edition_of(warehouse: Path, data: ReportData) -> Edition:
    """The edition of the report on ``data`` built from ``warehouse``."""
    snapshot = snapshot_of(warehouse)
    if snapshot is not None:
        stamp = snapshot.stem.removeprefix("observatory-")
        released = dt.datetime.strptime(stamp, STAMP).replace(tzinfo=dt.UTC)
    else:
        released = dt.datetime.fromtimestamp(warehouse.stat().st_mtime, dt.UTC)
    respondents = data.respondents
    countries = respondents.loc[respondents["wave"] == data.year, "country"].nunique()
    return Edition(
        data.year,
        data.waves[0],
        int(countries),
        released.replace(microsecond=0),
        snapshot.name if snapshot else None,
    )


def citation(edition: Edition, lang: str) -> str:
    """The recommended citation, in the language."""
    settings = load_publication()
    return t(
        lang,
        "cite_text",
        publisher=settings.publisher,
        year=edition.released.year,
        title=t(lang, "title", year=edition.year),
        version=edition.version,
        licence=settings.licence.name,
    )


def licence_record() -> dict[str, str]:
    licence = load_publication().licence
    return {"id": licence.id, "name": licence.name, "title": licence.title, "url": licence.url}


def cff(edition: Edition) -> str:
    """CITATION.cff (Citation File Format 1.2.0) of the report and its data."""
    settings = load_publication()
    record = {
        "cff-version": "1.2.0",
        "message": t(REFERENCE, "cite_intro"),
        "type": "dataset",
        "title": t(REFERENCE, "title", year=edition.year),
        "authors": [{"name": settings.publisher}],
        "version": edition.version,
        "date-released": edition.released.date().isoformat(),
        "license": settings.licence.id,
        "keywords": list(settings.keywords),
        "abstract": t(REFERENCE, "lead", year=edition.year, n_countries=edition.countries),
    }
    return yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=96)


def datacite(edition: Edition, languages: list[str], formats: list[str], size: int) -> str:
    """A DataCite metadata record (kernel 4, the JSON of DataCite's REST API) ready for a
    repository deposit: the repository adds the DOI it mints."""
    settings = load_publication()
    licence = settings.licence
    attributes = {
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Annual report and data"},
        "creators": [{"name": settings.publisher, "nameType": "Organizational"}],
        "titles": [
            {"title": t(lang, "title", year=edition.year), "lang": lang} for lang in languages
        ],
        "publisher": {"name": settings.publisher},
        "publicationYear": edition.released.year,
        "version": edition.version,
        "language": REFERENCE,
        "subjects": [{"subject": k} for k in settings.keywords],
        "dates": [
            {"date": edition.released.date().isoformat(), "dateType": "Issued"},
            {"date": f"{edition.first_wave}/{edition.year}", "dateType": "Collected"},
        ],
        "rightsList": [
            {
                "rights": licence.title,
                "rightsUri": licence.url,
                "rightsIdentifier": licence.id.lower(),
                "rightsIdentifierScheme": "SPDX",
                "schemeUri": "https://spdx.org/licenses/",
            }
        ],
        "descriptions": [
            {
                "description": t(
                    REFERENCE, "lead", year=edition.year, n_countries=edition.countries
                ),
                "descriptionType": "Abstract",
            }
        ],
        "formats": formats,
        "sizes": [f"{size} bytes"],
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    record = {"data": {"type": "dois", "attributes": attributes}}
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"
