"""LimeSurvey structure (`.lss`): the survey's XML export, version 4 and later (texts in
`question_l10ns` / `answer_l10ns`) or earlier (texts inline in each row).

Parsed with the standard library, never with a DTD: a file declaring a DOCTYPE or an
entity (the billion-laughs and external-entity attacks need one) is refused before
parsing, and an undeclared entity is a parse error.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from observatory.codebook.instrument import (
    Instrument,
    InstrumentError,
    Item,
    Option,
    refuse_declarations,
)
from observatory.config import Country

TAG = re.compile(r"<[^>]+>")
KIND = {
    "L": "single",
    "!": "single",
    "O": "single",
    "M": "multiple",
    "P": "multiple",
    "N": "number",
    "5": "scale",
    "S": "text",
    "T": "text",
    "U": "text",
}
SKIPPED = {"X", "*"}  # text display, equation


def _parse(data: bytes) -> ET.Element:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InstrumentError("not UTF-8 XML (LimeSurvey writes UTF-8)") from None
    refuse_declarations(data)
    parser = ET.XMLParser(encoding="utf-8")  # whatever the file declares: what was checked
    try:
        parser.feed(text.encode("utf-8"))
        root = parser.close()
    except ET.ParseError as exc:
        raise InstrumentError(f"malformed XML ({exc})") from None
    if root.tag != "document" or root.find("questions") is None:
        raise InstrumentError("not a LimeSurvey structure (no <document> with <questions>)")
    return root


def _rows(root: ET.Element, table: str) -> list[dict[str, str]]:
    return [
        {child.tag: (child.text or "") for child in row}
        for row in root.findall(f"{table}/rows/row")
    ]


def _text(value: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", value)).split())


def _texts(rows: list[dict[str, str]], key: str, field: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        if row.get(field) and row.get("language"):
            found.setdefault(row[key], {})[row["language"]] = _text(row[field])
    return found


def read(path: Path, country: Country) -> Instrument:
    root = _parse(path.read_bytes())
    questions = _rows(root, "questions") + _rows(root, "subquestions")
    texts = _texts(questions + _rows(root, "question_l10ns"), "qid", "question")
    answers = _rows(root, "answers")
    answer_texts = _texts(_rows(root, "answer_l10ns"), "aid", "answer")
    for row in answers:  # before version 4: text and language in the answer row itself
        if row.get("answer") and row.get("language"):
            answer_texts.setdefault(_key(row), {})[row["language"]] = _text(row["answer"])
    attributes = {
        (a["qid"], a["attribute"]): a.get("value", "") for a in _rows(root, "question_attributes")
    }
    groups = {g["gid"]: int(g.get("group_order") or 0) for g in _rows(root, "groups")}
    top = sorted(
        {q["qid"]: q for q in questions if q.get("parent_qid", "0") == "0"}.values(),
        key=lambda q: (groups.get(q.get("gid", ""), 0), int(q.get("question_order") or 0)),
    )
    items = []
    for q in top:
        if q["type"] in SKIPPED:
            continue
        if q["type"] not in KIND:
            raise InstrumentError(
                f"question {q['title']}: LimeSurvey type {q['type']!r} has no codebook kind"
            )
        kind = KIND[q["type"]]
        if kind == "multiple":
            subs = sorted(
                {s["qid"]: s for s in questions if s.get("parent_qid") == q["qid"]}.values(),
                key=lambda s: int(s.get("question_order") or 0),
            )
            options = tuple(Option(s["title"], texts.get(s["qid"], {})) for s in subs)
        else:
            own = sorted(
                {_key(a): a for a in answers if a["qid"] == q["qid"]}.items(),
                key=lambda a: int(a[1].get("sortorder") or 0),
            )
            options = tuple(Option(a["code"], answer_texts.get(key, {})) for key, a in own)
        low, high = (
            (1.0, 5.0)
            if kind == "scale"
            else (
                _number(attributes.get((q["qid"], f"{side}_num_value_n")))
                for side in ("min", "max")
            )
        )
        items.append(Item(q["title"], kind, texts.get(q["qid"], {}), options, low, high))
    return Instrument("LimeSurvey", tuple(items))


def _key(answer: dict[str, str]) -> str:
    return answer.get("aid") or f"{answer['qid']}:{answer['code']}"


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        raise InstrumentError(f"numeric bound {value!r} is not a number") from None
