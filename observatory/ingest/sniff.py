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
import re
from dataclasses import dataclass

from observatory.codebook import normalise_label
from observatory.config import ExportProfile

DELIMITERS = ";,\t|"
LEGACY_ENCODINGS = ("cp1250", "cp1252", "cp1253", "iso8859-2", "iso8859-7")
UNICODE = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32")
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
SCAN_LINES = 20  # the header is looked for in the first lines of the file
SCAN_BYTES = 1 << 16
BINARY_BYTES = bytes([*range(0, 9), *range(14, 32)])
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReadError(Exception):
    """The file cannot be read at all (message names the file)."""


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
    sample = data[:4096 - 4096 % 2]
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
    return [(n, line) for n, line in enumerate(io.StringIO(text, newline=""), start=1)
            if line.strip()]


def best_row(rows: list[list[str]], expected: frozenset[str]) -> tuple[int, int]:
    """(index, number of known headers) of the row naming the most expected headers;
    the earliest wins a tie."""
    scores = [sum(1 for cell in row if cell and normalise_label(cell) in expected)
              for row in rows]
    best = max(scores, default=0)
    return (scores.index(best) if scores else 0), best


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _candidates(declared: str | None) -> list[str]:
    return [declared, *(d for d in DELIMITERS if d != declared)] if declared else list(DELIMITERS)


def _header(text: str, profile: ExportProfile, expected: frozenset[str]
            ) -> tuple[int, str, int]:
    """(known headers found, delimiter, header line) of the best header line."""
    lines = _lines(text)
    if profile.header_row:
        lines = [(n, line) for n, line in lines if n == profile.header_row]
        if not lines:
            raise ReadError(f"the profile's header_row {profile.header_row} is blank or "
                            f"beyond the end of the file")
    lines = lines[:SCAN_LINES]
    if not lines:
        raise ReadError("the file is empty")
    if not expected:
        number, line = lines[0]
        counts = {d: line.count(d) for d in _candidates(profile.delimiter)}
        return 0, max(counts, key=lambda d: counts[d]), number
    found = (-1, "", 0)
    for delimiter in _candidates(profile.delimiter):
        index, score = best_row([_split(line, delimiter) for _, line in lines], expected)
        if score > found[0]:
            found = (score, delimiter, lines[index][0])
    return found


def _score(data: bytes, encoding: str, profile: ExportProfile, expected: frozenset[str]) -> int:
    try:
        text = data[:SCAN_BYTES].decode(encoding)
    except UnicodeDecodeError:
        return -1
    return _header(text, profile, expected)[0]


def _undecodable(data: bytes, encoding: str) -> UnicodeDecodeError | None:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc
    return None


def detect_encoding(data: bytes, profile: ExportProfile, expected: frozenset[str]) -> str:
    """The encoding of an export: a BOM, else UTF-16 by its zero bytes, else valid UTF-8,
    else the declared code page (checked against the headers), else the code page
    under which the headers match the codebook."""
    declared = _codec(profile.encoding) if profile.encoding else None
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    if utf16 := _utf16_without_bom(data):
        return utf16
    head = data[:SCAN_BYTES]
    binary = sum(head.count(b) for b in BINARY_BYTES)
    if binary > len(head) / 100:
        raise ReadError(f"binary content, not a text export ({binary} control bytes in the "
                        f"first {len(head)})")
    error = _undecodable(data, "utf-8")
    if error is None:
        return "utf-8"
    where = f"byte 0x{data[error.start]:02x} at offset {error.start} is not UTF-8"
    scores = {enc: _score(data, enc, profile, expected) for enc in LEGACY_ENCODINGS}
    best = max(scores, key=lambda enc: scores[enc])
    hint = f" (the headers read as {best})" if expected and scores[best] > 0 else ""
    if declared in UNICODE:
        raise ReadError(f"declared encoding {profile.encoding} is wrong: {where}{hint}")
    if declared is None:
        if scores[best] <= 0:
            raise ReadError(f"{where}, and no code page ({', '.join(LEGACY_ENCODINGS)}) gives "
                            f"headers the codebook knows; set export.encoding in the profile")
        return best
    if (bad := _undecodable(data, declared)) is not None:
        raise ReadError(f"declared encoding {profile.encoding} is wrong: byte "
                        f"0x{data[bad.start]:02x} at offset {bad.start} is not {declared}{hint}")
    own = scores.get(declared, _score(data, declared, profile, expected))
    if expected and own < scores[best]:
        raise ReadError(f"declared encoding {profile.encoding} is wrong: {own} header(s) match "
                        f"the codebook as {declared}, {scores[best]} as {best}; fix "
                        f"export.encoding in the country profile or re-export the file")
    return declared


def detect_layout(data: bytes, profile: ExportProfile,
                  expected: frozenset[str] = frozenset()) -> tuple[Layout, str]:
    """The layout of a text export and its decoded text."""
    if not data.strip():
        raise ReadError("the file is empty")
    encoding = detect_encoding(data, profile, expected)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"cannot decode as {encoding}: {exc.reason} at byte {exc.start}") from None
    text = text.removeprefix("\ufeff")
    head = text[:SCAN_BYTES]
    controls = CONTROL.findall(head)
    if len(controls) > len(head) / 100:
        raise ReadError(f"binary content, not a text export ({len(controls)} control "
                        f"characters such as U+{ord(controls[0]):04X} in the first "
                        f"{len(head)} characters)")
    score, delimiter, line = _header(text, profile, expected)
    if expected and score == 0:
        looks = " (it looks like an HTML or XML page)" if head.lstrip().startswith("<") else ""
        raise ReadError(f"no header line: none of the first {SCAN_LINES} lines names a column "
                        f"the codebook knows{looks}")
    return Layout(encoding, delimiter, line), text
