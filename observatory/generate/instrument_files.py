"""Write an instrument in a survey tool's format (reproducibly: same instrument, same
bytes). The readers are in `observatory.codebook.formats`."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from observatory.codebook.instrument import Instrument, Item
from observatory.config import Country
from observatory.generate.writers import FIXED_TIME
from observatory.generate.xlsx import rezip

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "hr": "Hrvatski",
    "el": "Ελληνικά",
    "it": "Italiano",
}
XLSFORM_TYPES = {
    "single": "select_one",
    "multiple": "select_multiple",
    "scale": "range",
    "number": "decimal",
    "text": "text",
}
LSS_TYPES = {"single": "L", "multiple": "M", "scale": "5", "number": "N", "text": "S"}


def _languages(instrument: Instrument) -> list[str]:
    found = {lang for item in instrument.items for lang in item.labels}
    return sorted(
        found,
        key=lambda lang: (list(LANGUAGE_NAMES).index(lang) if lang in LANGUAGE_NAMES else 99, lang),
    )


def _xlsform_rows(instrument: Instrument) -> tuple[list[list[object]], list[list[object]]]:
    languages = _languages(instrument)
    columns = [f"label::{LANGUAGE_NAMES.get(lang, lang)} ({lang})" for lang in languages]
    survey: list[list[object]] = [["type", "name", *columns, "parameters", "constraint"]]
    choices: list[list[object]] = [["list_name", "name", *columns]]
    for item in instrument.items:
        kind = XLSFORM_TYPES[item.kind] + (f" {item.name}" if item.options else "")
        params = f"start={item.min:g} end={item.max:g} step=1" if item.kind == "scale" else None
        bounds = (
            " and ".join(
                f". {op} {v:g}"
                for op, v in ((">=", item.min), ("<=", item.max))
                if item.kind == "number" and v is not None
            )
            or None
        )
        survey.append(
            [kind, item.name, *(item.labels.get(lang) for lang in languages), params, bounds]
        )
        choices += [
            [item.name, o.name, *(o.labels.get(lang) for lang in languages)] for o in item.options
        ]
    return survey, choices


def write_xlsform(path: Path, instrument: Instrument, country: Country) -> None:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    for name, rows in zip(("survey", "choices"), _xlsform_rows(instrument), strict=True):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.create_sheet("settings").append(["default_language"])
    book["settings"].append([f"{LANGUAGE_NAMES.get(country.language)} ({country.language})"])
    book.properties.creator = "KoboToolbox"
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    rezip(buffer, path, {})


def _table(root: ET.Element, name: str, rows: list[dict[str, object]]) -> None:
    table = ET.SubElement(root, name)
    fields = ET.SubElement(table, "fields")
    for key in rows[0] if rows else ():
        ET.SubElement(fields, "fieldname").text = key
    body = ET.SubElement(table, "rows")
    for row in rows:
        element = ET.SubElement(body, "row")
        for key, value in row.items():
            ET.SubElement(element, key).text = str(value)


def write_lss(path: Path, instrument: Instrument, country: Country) -> None:
    """A LimeSurvey 6 structure export (one group; texts in the `*_l10ns` tables)."""
    root = ET.Element("document")
    ET.SubElement(root, "LimeSurveyDocType").text = "Survey"
    ET.SubElement(root, "DBVersion").text = "624"
    ET.SubElement(ET.SubElement(root, "languages"), "language").text = country.language
    tables: dict[str, list[dict[str, object]]] = {
        k: []
        for k in (
            "questions",
            "subquestions",
            "question_l10ns",
            "answers",
            "answer_l10ns",
            "question_attributes",
        )
    }
    qid = aid = 0
    for order, item in enumerate(instrument.items, start=1):
        qid += 1
        parent = qid
        title = re.sub(r"[^A-Za-z0-9]", "", item.name)
        tables["questions"].append(
            {
                "qid": qid,
                "parent_qid": 0,
                "gid": 1,
                "type": LSS_TYPES[item.kind],
                "title": title,
                "question_order": order,
            }
        )
        tables["question_l10ns"] += [
            {"qid": qid, "question": text, "language": lang} for lang, text in item.labels.items()
        ]
        for side in ("min", "max"):
            if item.kind == "number" and getattr(item, side) is not None:
                tables["question_attributes"].append(
                    {
                        "qid": qid,
                        "attribute": f"{side}_num_value_n",
                        "value": f"{getattr(item, side):g}",
                    }
                )
        for number, option in enumerate(item.options, start=1):
            if item.kind == "multiple":
                qid += 1
                tables["subquestions"].append(
                    {
                        "qid": qid,
                        "parent_qid": parent,
                        "gid": 1,
                        "type": "T",
                        "title": f"SQ{number:03d}",
                        "question_order": number,
                    }
                )
                tables["question_l10ns"] += [
                    {"qid": qid, "question": text, "language": lang}
                    for lang, text in option.labels.items()
                ]
            else:
                aid += 1
                tables["answers"].append(
                    {"aid": aid, "qid": parent, "code": f"A{number}", "sortorder": number}
                )
                tables["answer_l10ns"] += [
                    {"aid": aid, "answer": text, "language": lang}
                    for lang, text in option.labels.items()
                ]
    _table(root, "groups", [{"gid": 1, "group_order": 1}])
    for name, rows in tables.items():
        _table(root, name, rows)
    ET.indent(root)
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(root, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


def write_sav(path: Path, instrument: Instrument, country: Country) -> None:
    """An SPSS dictionary without cases: variables v1..vN as the country's exports have."""
    import pandas as pd
    import pyreadstat

    from observatory.generate.spss import fix_timestamp

    columns: dict[str, pd.Series] = {}
    labels: list[str | None] = []
    value_labels: dict[str, dict[float, str]] = {}
    measure: dict[str, str] = {}
    language, template = country.language, country.export.multi_select.column

    def add(item: Item, label: str, text: bool = False) -> str:
        name = f"v{len(columns) + 1}"
        columns[name] = pd.Series([], dtype=object if text else float)
        labels.append(label)
        measure[name] = {"scale": "ordinal", "number": "scale"}.get(item.kind, "nominal")
        return name

    for item in instrument.items:
        header = item.labels[language]
        if item.kind == "multiple":
            for option in item.options:
                add(item, template.format(question=header, option=option.labels[language]))
        elif item.kind == "single":
            name = add(item, header)
            value_labels[name] = {
                float(i): o.labels[language] for i, o in enumerate(item.options, start=1)
            }
        else:
            add(item, header, text=item.kind == "text")
    pyreadstat.write_sav(
        pd.DataFrame(columns),
        str(path),
        column_labels=labels,
        variable_value_labels=value_labels,
        variable_measure=measure,
    )
    fix_timestamp(path)
