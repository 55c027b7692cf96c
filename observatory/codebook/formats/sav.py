"""SPSS `.sav`: the dictionary only (`metadataonly=True`, no case is read). Variable labels
are the questions' texts, value labels the options of single-choice questions; the
measure level tells a scale (ordinal) from a number (scale). A multi-select question is
one 0/1 variable per option, labelled after the country's option-column template
(`{question}: {option}`); consecutive variables of the same question are one item.
SPSS stores no language, so the texts are in the country's.
"""

from __future__ import annotations

import re
from pathlib import Path

from observatory.codebook.instrument import Instrument, Item, Option
from observatory.config import Country


def _template(country: Country) -> re.Pattern[str] | None:
    ms = country.export.multi_select
    if ms.layout != "columns":
        return None
    pattern = re.escape(ms.column).replace(re.escape("{question}"), "(?P<question>.+?)")
    return re.compile("^" + pattern.replace(re.escape("{option}"), "(?P<option>.+)") + "$")


def read(path: Path, country: Country) -> Instrument:
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    template, language = _template(country), country.language
    items: list[Item] = []
    for name in meta.column_names:
        label = (meta.column_names_to_labels.get(name) or name).strip()
        values = meta.variable_value_labels.get(name)
        part = template.match(label) if template else None
        if meta.readstat_variable_types[name] == "string":
            items.append(Item(name, "text", {language: label}))
        elif values:
            items.append(
                Item(
                    name,
                    "single",
                    {language: label},
                    tuple(
                        Option(f"{value:g}", {language: str(text)})
                        for value, text in values.items()
                    ),
                )
            )
        elif (
            part
            and items
            and items[-1].kind == "multiple"
            and items[-1].labels[language] == part["question"]
        ):
            last = items.pop()
            items.append(
                Item(
                    last.name,
                    "multiple",
                    last.labels,
                    (*last.options, Option(name, {language: part["option"]})),
                )
            )
        elif part:
            items.append(
                Item(
                    name,
                    "multiple",
                    {language: part["question"]},
                    (Option(name, {language: part["option"]}),),
                )
            )
        else:
            kind = "scale" if meta.variable_measure.get(name) == "ordinal" else "number"
            items.append(Item(name, kind, {language: label}))
    return Instrument("SPSS", tuple(items))
