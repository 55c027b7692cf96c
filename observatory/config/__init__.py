"""Configuration: countries (with their ingest profiles) in `countries.py`, statistical
settings and input limits in `settings.py`, how the annual report is published in
`publication.py`; the YAML files they read sit beside them."""

from observatory.config.countries import (
    Country,
    ExportProfile,
    MultiSelect,
    canonical_country,
    load_countries,
)
from observatory.config.publication import Licence, Publication, load_publication
from observatory.config.settings import Settings, load_settings

__all__ = [
    "Country",
    "ExportProfile",
    "Licence",
    "MultiSelect",
    "Publication",
    "Settings",
    "canonical_country",
    "load_countries",
    "load_publication",
    "load_settings",
]
