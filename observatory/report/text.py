"""Every word of the report comes from a message catalog, and every number, percentage and
date is formatted by Babel for the page's locale.

Catalogs are gettext ``.po`` files, one per language and domain, in
``locales/<lang>/LC_MESSAGES/``: ``report.po`` holds the page's words, ``data.po`` (English
only) the words of the data folder's descriptions. Message ids are keys (``title``,
``s_key``...) and English is the reference catalog: every other catalog must translate each
of its messages with the same ``{placeholders}``, and nothing else, or the build fails
with a :class:`TranslationError` naming the file and the message. Catalogs are read with
Babel and checked when a report is built; no compiled ``.mo`` is committed.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path
from string import Formatter

from babel import Locale
from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol
from babel.units import format_unit

LANGUAGES = ("en", "fr", "hr", "de", "el", "it")
REFERENCE = "en"
LOCALES = Path(__file__).parent / "locales"
LANGUAGES_ENV = "OBSERVATORY_REPORT_LANGUAGES"  # e.g. "en,fr": a quicker default build


def default_languages() -> list[str]:
    """The languages a report is built in unless told: ``OBSERVATORY_REPORT_LANGUAGES``
    (comma-separated), else every language."""
    chosen = os.environ.get(LANGUAGES_ENV, "")
    return [lang.strip() for lang in chosen.split(",") if lang.strip()] or list(LANGUAGES)


class TranslationError(ValueError):
    """A catalog is missing, or lacks or garbles the translation of a message."""


def _read(lang: str, domain: str, folder: Path) -> tuple[dict[str, str], Path]:
    path = folder / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        raise TranslationError(f"no {domain!r} catalog for language {lang!r}: {path} is missing")
    with open(path, "rb") as handle:
        found = read_po(handle, locale=lang, domain=domain)
    return {
        m.id: "" if m.fuzzy else str(m.string)
        for m in found
        if isinstance(m.id, str) and m.id  # no plural forms in these catalogs
    }, path


def _fields(text: str) -> list[str]:
    return sorted({name for _, name, _, _ in Formatter().parse(text) if name is not None})


@cache
def _checked(lang: str, domain: str, folder: Path) -> dict[str, str]:
    reference, _ = _read(REFERENCE, domain, folder)
    messages, path = _read(lang, domain, folder)
    for key, source in reference.items():
        text = messages.get(key, "")
        if not text:
            raise TranslationError(
                f"{path}: message {key!r} is not translated (English: {source!r})"
            )
        if _fields(text) != _fields(source):
            raise TranslationError(
                f"{path}: message {key!r} has placeholders "
                f"{_fields(text)}, English has {_fields(source)}"
            )
    if extra := sorted(set(messages) - set(reference)):
        raise TranslationError(f"{path}: message(s) not in the English catalog: {extra}")
    return {key: messages[key] for key in reference}


def catalog(lang: str, domain: str = "report") -> dict[str, str]:
    """Every message of a domain in a language, checked against the English catalog."""
    return _checked(lang, domain, LOCALES)


def _message(messages: dict[str, str], key: str, domain: str, values: dict) -> str:
    if key not in messages:
        raise TranslationError(f"message {key!r} is not in the {domain!r} catalogs")
    return messages[key].format(**values) if values else messages[key]


def t(lang: str, key: str, **values: object) -> str:
    """A message of the page in the language, its placeholders filled."""
    return _message(catalog(lang), key, "report", values)


def t_data(key: str, **values: object) -> str:
    """A message of the data folder's descriptions (English)."""
    return _message(catalog(REFERENCE, "data"), key, "data", values)


def language_name(lang: str) -> str:
    """The language's name in itself, capitalised (CLDR, through Babel)."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def territory_name(code: str, lang: str) -> str:
    """A country's name in the language (CLDR), or its code."""
    return Locale.parse(lang).territories.get(code.upper(), code)


def quoted(text: str, lang: str) -> str:
    """A label in the language's quotation marks, or English ones when it holds them."""
    pattern = catalog(lang)["quote"]
    if pattern.split("{text}")[0].strip() in text:
        pattern = catalog(REFERENCE)["quote"]
    return pattern.format(text=text)


def _percent_pattern(lang: str, digits: int = 0) -> str:
    pattern = Locale.parse(lang).percent_formats[None].pattern
    return pattern.replace("#,##0", "#,##0." + "0" * digits, 1) if digits else pattern


def fmt_int(value: float | int, lang: str) -> str:
    return format_decimal(int(value), format="#,##0", locale=lang)


def fmt_decimal(value: float, lang: str, digits: int = 1) -> str:
    return format_decimal(value, "#,##0" + ("." + "0" * digits if digits else ""), locale=lang)


def fmt_pct(value: float, lang: str, digits: int = 0) -> str:
    return format_percent(value, _percent_pattern(lang, digits), locale=lang)


def fmt_points(change: float, lang: str) -> str:
    """A change of share in percentage points, signed (typographic minus)."""
    value = format_decimal(100 * change, "+#,##0.0;-#,##0.0", locale=lang)
    return t(lang, "points", value=value.replace("-", "−"))


def fmt_p(p: float, lang: str) -> str:
    if p < 0.001:
        return f"< {format_decimal(0.001, '0.000', locale=lang)}"
    return format_decimal(p, "0.000", locale=lang)


def fmt_ci(low: float, high: float, lang: str) -> str:
    spaced = "\u00a0" in _percent_pattern(lang)  # "12 % – 15 %", but "12%–15%"
    return f"{fmt_pct(low, lang)}{' – ' if spaced else '–'}{fmt_pct(high, lang)}"


def fmt_date(day: dt.date, lang: str) -> str:
    return format_date(day, "long", locale=lang)


def fmt_size(size: int, lang: str) -> str:
    """A file size in kB or MB (decimal units), in the language."""
    unit, scale = ("digital-megabyte", 1e6) if size >= 1e6 else ("digital-kilobyte", 1e3)
    return format_unit(size / scale, unit, "short", format="#,##0.0", locale=lang)


def d3_locale(lang: str) -> dict[str, object]:
    """The d3-format locale of the language, from Babel: for the charts' axes and tooltips
    (vega-embed in the page, vl-convert for the PNG/SVG files)."""
    spaced = "\u00a0" in _percent_pattern(lang)
    return {
        "decimal": get_decimal_symbol(lang),
        "thousands": get_group_symbol(lang),
        "grouping": [3],
        "currency": ["", "\u00a0€"],
        "minus": "−",
        "percent": "\u00a0%" if spaced else "%",
    }
