"""Tell how a text export is laid out: its encoding, its delimiter and its header line.

Detection is driven by the codebook when the caller passes the headers it expects
(normalised, see `observatory.codebook.normalise_label`): of the candidate encodings
and delimiters, the one under which a line of the file names the most known columns
wins, and that line is the header (title lines above it are skipped). A byte order
mark is definitive; valid UTF-8 is taken as UTF-8; a code page declared in the
country profile is used unless the headers prove it wrong, which is an error (a
wrong code page would mangle every label).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from observatory.codebook import normalise_label
from observatory.config import ExportProfile, load_settings
from observatory.ingest.textfile import CONTROL, Lines, ReadError, first_error, open_text

DELIMITERS = ";,\t|"
LEGACY_ENCODINGS = ("cp1250", "cp1252", "cp1253", "iso8859-2", "iso8859-7")
UNICODE = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32")
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SCAN_LINES = 20  # the header is looked for in the first lines of the file
SCAN_BYTES = 1 << 16
BINARY_BYTES = bytes([*range(0, 9), *range(14, 32)])
__all__ = ["CONTROL", "Layout", "ReadError", "best_row", "detect_layout"]


@dataclass(frozen=True)
class Layout:
    encoding: str
    delimiter: str
    header_line: int  # 1-based physical line of the header


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ReadError(f"unknown encoding {name!r} in the country profile") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM: ASCII characters leave a zero in every other byte."""
    sample = data[: 4096 - 4096 % 2]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > half / 10 and even == 0:
        return "utf-16-le"
    if even > half / 10 and odd == 0:
        return "utf-16-be"
    return None


def _lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, line) of the non-blank lines, split as the CSV reader does."""
    return [
        (n, line) for n, line in enumerate(io.StringIO(text, newline=""), start=1) if line.strip()
    ]


def best_row(rows: list[list[str]], expected: frozenset[str]) -> tuple[int, int]:
    """(index, number of known headers) of the row naming the most expected headers;
    the earliest wins a tie."""
    scores = [sum(1 for cell in row if cell and normalise_label(cell) in expected) for row in rows]
    best = max(scores, default=0)
    return (scores.index(best) if scores else 0), best


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _candidates(declared: str | None) -> list[str]:
    return [declared, *(d for d in DELIMITERS if d != declared)] if declared else list(DELIMITERS)


def _header(
    lines: list[tuple[int, str]], profile: ExportProfile, expected: frozenset[str]
) -> tuple[int, str, int]:
    """(known headers found, delimiter, header line) of the best header line of these
    (numbered, non-blank) lines. A line of more than max_columns fields is no header;
    when no line is a header, such a line is refused as too wide."""
    if profile.header_row:
        lines = [(n, line) for n, line in lines if n == profile.header_row]
        if not lines:
            raise ReadError(
                f"the profile's header_row {profile.header_row} is blank or "
                f"beyond the end of the file"
            )
    lines = lines[:SCAN_LINES]
    if not lines:
        raise ReadError("the file is empty")
    if not expected:
        number, line = lines[0]
        counts = {d: line.count(d) for d in _candidates(profile.delimiter)}
        return 0, max(counts, key=lambda d: counts[d]), number
    found, limit, wide = (-1, "", 0), load_settings().max_columns, []
    for delimiter in _candidates(profile.delimiter):
        wide += [
            (n, line.count(delimiter) + 1, delimiter)
            for n, line in lines
            if line.count(delimiter) >= limit
        ]
        index, score = best_row(
            [_split(line, delimiter) if line.count(delimiter) < limit else [] for _, line in lines],
            expected,
        )
        if score > found[0]:
            found = (score, delimiter, lines[index][0])
    if found[0] <= 0 and wide:
        number, fields, delimiter = wide[0]
        raise ReadError(
            f"line {number} has {fields:,} fields separated by {delimiter!r}, "
            f"more than {limit:,} (the max_columns limit of "
            f"observatory/config/settings.yaml)"
        )
    return found


def _score(head: bytes, encoding: str, profile: ExportProfile, expected: frozenset[str]) -> int:
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError:
        return -1
    return _header(_lines(text), profile, expected)[0]


def detect_encoding(
    path: Path, head: bytes, profile: ExportProfile, expected: frozenset[str]
) -> str:
    """The encoding of an export: a BOM, else UTF-16 by its zero bytes, else valid UTF-8,
    else the declared code page (checked against the headers), else the code page
    under which the headers match the codebook."""
    declared = _codec(profile.encoding) if profile.encoding else None
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    if utf16 := _utf16_without_bom(head):
        return utf16
    binary = sum(head.count(b) for b in BINARY_BYTES)
    if binary > len(head) / 100:
        raise ReadError(
            f"binary content, not a text export ({binary} control bytes in the first {len(head)})"
        )
    error = first_error(path, "utf-8")
    if error is None:
        return "utf-8"
    where = f"byte 0x{error[1]:02x} at offset {error[0]} is not UTF-8"
    scores = {enc: _score(head, enc, profile, expected) for enc in LEGACY_ENCODINGS}
    best = max(scores, key=lambda enc: scores[enc])
    hint = f" (the headers read as {best})" if expected and scores[best] > 0 else ""
    if declared in UNICODE:
        raise ReadError(f"declared encoding {profile.encoding} is wrong: {where}{hint}")
    if declared is None:
        if scores[best] <= 0:
            raise ReadError(
                f"{where}, and no code page ({', '.join(LEGACY_ENCODINGS)}) gives "
                f"headers the codebook knows; set export.encoding in the profile"
            )
        return best
    if (bad := first_error(path, declared)) is not None:
        raise ReadError(
            f"declared encoding {profile.encoding} is wrong: byte "
            f"0x{bad[1]:02x} at offset {bad[0]} is not {declared}{hint}"
        )
    own = scores.get(declared, _score(head, declared, profile, expected))
    if expected and own < scores[best]:
        raise ReadError(
            f"declared encoding {profile.encoding} is wrong: {own} header(s) match "
            f"the codebook as {declared}, {scores[best]} as {best}; fix "
            f"export.encoding in the country profile or re-export the file"
        )
    return declared


def _head(path: Path, encoding: str, profile: ExportProfile) -> list[tuple[int, str]]:
    """(number, line) of the non-blank lines the header is looked for in."""
    found: list[tuple[int, str]] = []
    with open_text(path, encoding) as stream:
        lines = Lines(stream, load_settings().max_line_chars)
        for line in lines:
            lines.mark()
            if line.strip():
                found.append((lines.count, line))
            if len(found) >= SCAN_LINES and lines.count >= (profile.header_row or 0):
                break
    return found


def detect_layout(
    path: Path, profile: ExportProfile, expected: frozenset[str] = frozenset()
) -> Layout:
    """The layout of a text export, reading its first lines (and checking that every
    byte decodes)."""
    with path.open("rb") as stream:
        head = stream.read(SCAN_BYTES)
    if not head.strip() and len(head) < SCAN_BYTES:
        raise ReadError("the file is empty")
    encoding = detect_encoding(path, head, profile, expected)
    if (bad := first_error(path, encoding)) is not None:
        raise ReadError(f"cannot decode as {encoding}: {bad[2]} at byte {bad[0]}")
    lines = _head(path, encoding, profile)
    text = "".join(line for _, line in lines)[:SCAN_BYTES]
    controls = CONTROL.findall(text)
    if len(controls) > len(text) / 100:
        raise ReadError(
            f"binary content, not a text export ({len(controls)} control "
            f"characters such as U+{ord(controls[0]):04X} in the first "
            f"{len(text)} characters)"
        )
    score, delimiter, line = _header(lines, profile, expected)
    if expected and score == 0:
        looks = " (it looks like an HTML or XML page)" if text.lstrip().startswith("<") else ""
        raise ReadError(
            f"no header line: none of the first {SCAN_LINES} lines names a column "
            f"the codebook knows{looks}"
        )
    return Layout(encoding, delimiter, line)
