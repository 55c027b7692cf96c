"""Harmonise one export, a chunk of its records at a time: headers and labels to
canonical codes, bad rows to quarantine with a reason, PII dropped, respondent ids
pseudonymised. Duplicated ids are found over the whole partition once its chunks are
written (`observatory.ingest.load`).

Every record read either loads or is quarantined: rows_read = loaded + quarantined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from observatory.codebook import SURVEY_LANGUAGES, Codebook, Question, normalise_label
from observatory.config import Country
from observatory.ingest.problems import capped, shorten
from observatory.ingest.readers import RawTable
from observatory.privacy import pseudonymise

UNSELECTED = {"0", "n", "no", "non", "nein", "ne", "όχι", "off", "false"}
QUARANTINE_COLUMNS = ["wave", "country", "file", "row", "column", "value", "reason"]
WITHHELD = "<withheld: personal data>"
MAX_VALUE = 100  # characters of a bad value kept in the quarantine
ID_COLUMNS = ["respondent_key", "row", "column", "loaded"]


class SchemaError(Exception):
    """The file's columns do not match the wave's instrument (one problem per line, the
    first max_problems_per_file of them)."""

    def __init__(self, problems: list[str], file: object):
        self.problems = capped(problems, file)
        super().__init__("\n".join(self.problems))


@dataclass
class Staged:
    respondents: pd.DataFrame
    answers: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    ignored: list[str] = field(default_factory=list)  # columns the codebook says to ignore
    # every record with an id (for duplicates): its key, row, id column and whether it loads
    ids: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ID_COLUMNS))

    @property
    def rows_loaded(self) -> int:
        return len(self.respondents)

    @property
    def rows_quarantined(self) -> int:
        return int(self.quarantine["row"].nunique()) if len(self.quarantine) else 0


def by_value(values: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """`fn` of each non-blank value (blank stays blank), computed once per distinct
    value: an export repeats a few dozen labels over thousands of rows."""
    return values.map({v: fn(v) for v in values.dropna().unique()})


def column_map(
    book: Codebook, wave: int, country: Country, language: str | None = None
) -> dict[str, tuple[str, str | None]]:
    """Normalised header (or alias) -> (question id, option code for one-column-per-option),
    in the country's language unless another is given."""
    lang, multi = language or country.language, country.export.multi_select
    mapping: dict[str, tuple[str, str | None]] = {}
    for q in book.questions_for(wave):
        for header in book.headers(wave, q.id, lang):
            if q.kind == "multi" and multi.layout == "columns":
                for code in book.options(wave, q.choice_dimension):  # the options the wave offered
                    name = multi.column.format(
                        question=header, option=book.label(q.choice_dimension, code, lang)
                    )
                    mapping[normalise_label(name)] = (q.id, code)
            else:
                mapping[normalise_label(header)] = (q.id, None)
    return mapping


def other_languages(book: Codebook, wave: int, country: Country) -> dict[str, str]:
    """Normalised header in another survey language -> that language."""
    return {
        header: lang
        for lang in reversed(SURVEY_LANGUAGES)
        if lang != country.language
        for header in column_map(book, wave, country, lang)
    }


def expected_headers(book: Codebook, wave: int, country: Country) -> frozenset[str]:
    """Every header the reader may meet in a header row: the instrument's in any survey
    language (so that a file in the wrong language is still read, then reported), and
    the ignored columns."""
    return (
        frozenset(column_map(book, wave, country))
        | frozenset(other_languages(book, wave, country))
        | {normalise_label(h) for h in book.ignored}
    )


def foreign_labels(book: Codebook, q: Question, country: Country) -> dict[str, str]:
    """Normalised label of another language -> "the <language> label of <code>"."""
    return {
        text: f"the {other} label of {code}"
        for other in ("en", *reversed(SURVEY_LANGUAGES))
        if other != country.language
        for text, code in book.dimensions[q.choice_dimension].lookup(other).items()
    }


def unknown_reason(
    q: Question, country: Country, foreign: dict[str, str], value: str, what: str
) -> str:
    """Why a value is not a label of the country's language (naming the language and
    code of a label of another language)."""
    lang = country.language
    return f"unknown {what} for {q.id} (" + (
        f"{foreign[key]}; {country.code} answers are expected in {lang})"
        if (key := normalise_label(value)) in foreign
        else f"not in the codebook for {lang})"
    )


def selected_labels(country: Country) -> set[str]:
    """Normalised values that mark an option chosen in a one-column-per-option export."""
    return {normalise_label(s) for s in country.export.multi_select.selected}


def unexpected_option(q: Question) -> str:
    return f"unexpected value in option column of {q.id}"


def not_a_number(q: Question) -> str:
    return f"{q.id} is not a number"


def outside(q: Question) -> str:
    return f"{q.id} outside {q.min:g}..{q.max:g}"


def parse_numbers(
    q: Question, country: Country, values: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The numbers of a likert or number column (NaN where blank or bad), the values
    that are not a number, and those outside the question's range."""
    text = values.str.replace(country.export.decimal, ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.notna() & ((numbers < q.min) | (numbers > q.max))
    if q.kind == "likert":
        bad |= numbers.notna() & (numbers % 1 != 0)
    return numbers.where(~bad & numbers.notna()), values.notna() & numbers.isna(), bad


class _Harmoniser:
    def __init__(self, raw: RawTable, book: Codebook, wave: int, country: Country, key: bytes):
        self.raw, self.book, self.wave, self.country, self.key = raw, book, wave, country, key
        self.frame = raw.frame.reset_index(drop=True)
        self.problems: list[pd.DataFrame] = []
        self.codes: dict[str, pd.Series] = {}  # single-choice question -> code per row
        self.answers: list[pd.DataFrame] = []  # idx, question, dimension, code
        self.used: dict[str, str] = {}  # question -> the file's column (header or alias)
        self.ids = pd.DataFrame(columns=ID_COLUMNS)
        self.known = np.zeros(len(self.frame), dtype=bool)  # records with an id

    def flag(
        self, mask: pd.Series, column: str, values: pd.Series, reason: str | pd.Series
    ) -> None:
        if mask.any():
            self.problems.append(
                pd.DataFrame(
                    {
                        "idx": mask[mask].index,
                        "column": column,
                        "value": values[mask].astype(str).values,
                        "reason": reason[mask].values if isinstance(reason, pd.Series) else reason,
                    }
                )
            )

    def columns(self) -> dict[str, list[tuple[str, str | None]]]:
        mapping = column_map(self.book, self.wave, self.country)
        foreign = other_languages(self.book, self.wave, self.country)
        lang, at = self.country.language, f"{self.raw.path}:{self.raw.header_row}"
        found: dict[str, list[tuple[str, str | None]]] = {}
        problems: list[str] = []
        seen: dict[tuple[str, str | None], str] = {}
        for header in self.frame.columns:
            key = normalise_label(self.raw.duplicates.get(header, header))
            told, target = shorten(header), mapping.get(key)
            if header in self.raw.duplicates:
                problems.append(
                    f"{at}:{shorten(self.raw.duplicates[header])}: the header appears twice"
                )
            elif target is None and key in foreign:
                problems.append(
                    f"{at}:{told}: a {foreign[key]} header; {self.country.code} "
                    f"exports are expected in {lang} (wrong language?)"
                )
            elif target is None and not self.book.is_ignored(header):
                problems.append(
                    f"{at}:{told}: column not in the {self.wave} instrument for language {lang}"
                )
            elif target in seen:
                problems.append(f"{at}:{told}: same question as column {shorten(seen[target])!r}")
            elif target is not None:
                seen[target] = header
                found.setdefault(target[0], []).append((header, target[1]))
        for qid, option in set(mapping.values()) - set(seen):
            label = f"{qid} [{option}]" if option else qid
            problems.append(f"{at}:{label}: expected column missing")
        if problems:
            raise SchemaError(sorted(set(problems)), self.raw.path)
        return found

    def ignored(self) -> list[str]:
        """Columns of the file the codebook says to ignore (reported, never read)."""
        return [h for h in self.frame.columns if self.book.is_ignored(h)]

    def unknown(self, q: Question, values: pd.Series, bad: pd.Series, what: str) -> pd.Series:
        """Why each bad value is not a label of the country's language."""
        foreign = foreign_labels(self.book, q, self.country)
        reasons = values.astype(object).copy()
        reasons.loc[bad] = [unknown_reason(q, self.country, foreign, v, what) for v in values[bad]]
        return reasons

    def single(self, q: Question, header: str) -> None:
        values = self.frame[header]
        lookup = self.book.dimensions[q.choice_dimension].lookup(self.country.language)
        codes = by_value(values, lambda v: lookup.get(normalise_label(v)))
        bad = values.notna() & codes.isna()
        self.flag(bad, header, values, self.unknown(q, values, bad, "label"))
        self.codes[q.id] = codes
        self.answers.append(
            pd.DataFrame(
                {
                    "idx": codes.dropna().index,
                    "question": q.id,
                    "dimension": q.dimension,
                    "code": codes.dropna(),
                }
            )
        )

    def multi_cell(self, q: Question, header: str) -> None:
        lookup = self.book.dimensions[q.choice_dimension].lookup(self.country.language)
        separator = self.country.export.multi_select.separator
        parts = self.frame[header].str.split(separator.strip() or None).explode()
        parts = parts[parts.notna()].str.strip()
        parts = parts[parts != ""]
        codes = by_value(parts, lambda v: lookup.get(normalise_label(v)))
        self.flag(codes.isna(), header, parts, self.unknown(q, parts, codes.isna(), "option"))
        good = codes.dropna()
        self.answers.append(
            pd.DataFrame(
                {"idx": good.index, "question": q.id, "dimension": q.dimension, "code": good.values}
            )
        )

    def multi_columns(self, q: Question, columns: list[tuple[str, str | None]]) -> None:
        selected = selected_labels(self.country)
        for header, code in columns:
            norm = by_value(self.frame[header], normalise_label)
            chosen = norm.isin(selected)
            self.flag(
                norm.notna() & ~chosen & ~norm.isin(UNSELECTED),
                header,
                self.frame[header],
                unexpected_option(q),
            )
            idx = chosen[chosen].index
            self.answers.append(
                pd.DataFrame({"idx": idx, "question": q.id, "dimension": q.dimension, "code": code})
            )

    def numeric(self, q: Question, header: str) -> pd.Series:
        values = self.frame[header]
        numbers, wrong, bad = parse_numbers(q, self.country, values)
        self.flag(wrong, header, values, not_a_number(q))
        self.flag(bad, header, values, outside(q))
        return numbers

    def required(self, q: Question, header: str) -> None:
        values = self.frame[header]
        self.flag(values.isna(), header, values.fillna(""), f"missing required answer {q.id}")

    def subtheme_in_theme(self) -> None:
        theme, sub = self.codes.get("theme"), self.codes.get("subtheme")
        if theme is None or sub is None:
            return
        parents = {c.code: c.parent for c in self.book.dimensions["subtheme"].codes.values()}
        mismatch = theme.notna() & sub.notna() & (sub.map(parents) != theme)
        header = self.used["subtheme"]
        self.flag(mismatch, header, self.frame[header], "subtheme does not belong to the theme")

    def keys(self, header: str) -> pd.Series:
        ids = self.frame[header]
        code, key = self.country.code, self.key
        keys = ids.map(lambda v: None if v is None else pseudonymise(code, v, key))
        known = keys.notna()
        self.ids = pd.DataFrame(
            {
                "respondent_key": keys[known].values,
                "row": pd.Series(self.raw.rows)[known].values,
                "column": pd.Categorical([header] * int(known.sum())),
                "loaded": True,
            }
        )
        self.known = known.values
        return keys

    def reader_issues(self, columns: dict[str, list[tuple[str, str | None]]]) -> None:
        """What the reader found wrong with a record; values of personal-data and id
        columns are withheld."""
        private = {
            header
            for q in self.book.questions_for(self.wave)
            if q.kind in ("pii", "id")
            for header, _ in columns[q.id]
        }
        if self.raw.issues:
            self.problems.append(
                pd.DataFrame(
                    [
                        {
                            "idx": i.index,
                            "column": i.column,
                            "value": WITHHELD if i.column in private else i.value,
                            "reason": i.reason,
                        }
                        for i in self.raw.issues
                    ]
                )
            )

    def run(self) -> Staged:
        columns = self.columns()
        self.used = {qid: found[0][0] for qid, found in columns.items()}
        self.reader_issues(columns)
        values: dict[str, pd.Series] = {}
        keys = None
        for q in self.book.questions_for(self.wave):
            (header, _), *_ = columns[q.id]
            if q.required:
                self.required(q, header)
            if q.kind == "id":
                keys = self.keys(header)
            elif q.kind == "single":
                self.single(q, header)
            elif q.kind == "multi" and self.country.export.multi_select.layout == "columns":
                self.multi_columns(q, columns[q.id])
            elif q.kind == "multi":
                self.multi_cell(q, header)
            elif q.kind in ("likert", "number"):
                values[q.id] = self.numeric(q, header)
            # kind "pii": never copied anywhere
        self.subtheme_in_theme()
        return self.result(keys, values)

    def result(self, keys: pd.Series | None, values: dict[str, pd.Series]) -> Staged:
        rows = pd.Series(self.raw.rows)
        problems = (
            pd.concat(self.problems, ignore_index=True)
            if self.problems
            else pd.DataFrame(columns=["idx", "column", "value", "reason"])
        )
        bad = set(problems["idx"])
        good = ~self.frame.index.isin(list(bad))
        self.ids["loaded"] = good[self.known]
        quarantine = pd.DataFrame(
            {
                "wave": self.wave,
                "country": self.country.code,
                "file": str(self.raw.path),
                "row": rows[problems["idx"]].values.astype("int64"),
                "column": problems["column"].values,
                "value": problems["value"].astype(str).map(lambda v: shorten(v, MAX_VALUE)).values,
                "reason": problems["reason"].values,
            },
            columns=QUARANTINE_COLUMNS,
        ).sort_values(["row", "column"], ignore_index=True)
        respondents = pd.DataFrame(
            {
                "respondent_key": keys,
                "wave": self.wave,
                "country": self.country.code,
                "source_row": rows,
                **{qid: codes for qid, codes in self.codes.items()},
                **values,
            }
        )[good].reset_index(drop=True)
        if keys is None:  # every wave of the codebook asks for the respondent id
            raise ValueError(f"{self.raw.path}: the {self.wave} instrument has no id question")
        answers = pd.concat(self.answers, ignore_index=True)
        answers = answers[answers["idx"].isin(self.frame.index[good])]
        answers.insert(0, "respondent_key", keys[answers["idx"]].values)
        answers = answers.drop(columns="idx").assign(wave=self.wave, country=self.country.code)
        return Staged(
            respondents,
            answers.reset_index(drop=True),
            quarantine,
            len(self.frame),
            self.ignored(),
            self.ids,
        )


def harmonise_chunk(
    raw: RawTable, book: Codebook, wave: int, country: Country, key: bytes
) -> Staged:
    """Map records of one export of `country` for `wave` to canonical codes (duplicated
    ids not looked for: see `observatory.ingest.load`)."""
    return _Harmoniser(raw, book, wave, country, key).run()
