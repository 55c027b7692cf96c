"""Hand-made wave-2027 instruments that drift from 2026: a split option (HR, LimeSurvey),
a renamed question (GR, XLSForm) and a label in no language (IT, SPSS)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from observatory.codebook import load_codebook
from observatory.codebook.instrument import Instrument, Option
from observatory.config import load_countries
from observatory.generate.instruments import from_codebook, write

SPLIT = {
    "Ograničeno vrijeme": {
        "code": "limited_time",
        "en": "Limited time",
        "fr": "Temps limité",
        "hr": "Ograničeno vrijeme",
        "de": "Begrenzte Zeit",
        "el": "Περιορισμένος χρόνος",
        "it": "Tempo limitato",
    },
    "Nedovoljno ljudskih resursa": {
        "code": "limited_staff",
        "en": "Too few staff",
        "fr": "Ressources humaines insuffisantes",
        "hr": "Nedovoljno ljudskih resursa",
        "de": "Zu wenig Personal",
        "el": "Ανεπαρκές προσωπικό",
        "it": "Personale insufficiente",
    },
}
RENAMED = {
    "el": "Πόσο ικανοποιημένοι είστε από τη συνεργασία; (1-5)",
    "fr": "Êtes-vous satisfait·e de la coopération ? (1-5)",
}  # a bilingual XLSForm
NO_LANGUAGE = "Cooperativa di comunità"


def _edit(instrument: Instrument, name: str, **changes: object) -> Instrument:
    items = tuple(
        dataclasses.replace(i, **changes) if i.name == name else i for i in instrument.items
    )
    return dataclasses.replace(instrument, items=items)


def write_cases(folder: Path, replaces: bool = True) -> dict[str, tuple[Path, Path | None]]:
    """country -> (instrument file, mapping file or None), written under `folder`."""
    book, countries = load_codebook(), load_countries()
    hr = from_codebook(book, 2026, countries["HR"])
    barriers = next(i for i in hr.items if i.name == "barriers")
    options = [o for o in barriers.options if o.name != "limited_capacity"]
    options[1:1] = [Option(s["code"], {"hr": label}) for label, s in SPLIT.items()]
    hr = _edit(hr, "barriers", options=tuple(options))
    mapping = {
        "options": {
            "barrier": {
                label: {**spec, "replaces": ["limited_capacity"]} if replaces else spec
                for label, spec in SPLIT.items()
            }
        }
    }
    gr = _edit(from_codebook(book, 2026, countries["GR"]), "satisfaction", labels=RENAMED)
    it = from_codebook(book, 2026, countries["IT"])
    org = next(i for i in it.items if i.name == "org_type")
    it = _edit(it, "org_type", options=(*org.options, Option("other", {"it": NO_LANGUAGE})))
    out = {}
    for code, instrument, ext in (("HR", hr, "lss"), ("GR", gr, "xlsx"), ("IT", it, "sav")):
        path = folder / f"instrument_{code.lower()}_2027.{ext}"
        write(path, instrument, countries[code])
        out[code] = (path, None)
    (folder / "mapping_hr.yaml").write_text(
        yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8"
    )
    out["HR"] = (out["HR"][0], folder / "mapping_hr.yaml")
    return out
