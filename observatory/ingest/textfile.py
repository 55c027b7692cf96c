"""A text export read as a stream, never whole: its lines handed to the csv module one
at a time, each record no longer than a limit.

A quote opened in a field and never closed makes the csv module take every following
line into that field. A record that spans several lines and has the wrong number of
fields, or that grows past the limit, is such a record: its first line is given back as
a record of its own (`Record.swallowed`, to be quarantined) and the lines after it are
read again, so that none is lost or miscounted.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_CELL = 10_000  # characters; longer cells are quarantined, never loaded
CHUNK_BYTES = 1 << 20
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReadError(Exception):
    """The file cannot be read at all (message names the file)."""


def first_error(path: Path, encoding: str) -> tuple[int, int, str] | None:
    """(offset, value, reason) of the first byte of the file `encoding` cannot decode,
    reading it in chunks."""
    decoder, offset = codecs.getincrementaldecoder(encoding)(), 0
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start, exc.object[exc.start], exc.reason
            if not chunk:
                return None
            offset += len(chunk)


def open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    """The file as text, its line endings kept (as the csv module wants them)."""
    return open(path, encoding=encoding, newline="")  # noqa: SIM115 - the caller closes it


class RecordTooLong(Exception):
    """The lines of one record reached the limit."""


class Lines:
    """The lines of a text file, split as the csv module splits them, numbered from 1,
    with the lines taken since `mark()` kept so that they can be read again."""

    def __init__(self, stream: io.TextIOBase, limit: int):
        self.stream, self.limit = stream, limit
        self.count = 0  # lines read from the stream
        self.back: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self.size = 0

    def mark(self) -> None:
        self.taken, self.size = [], 0

    def again(self) -> None:
        """Read the lines taken since the mark again, but the first."""
        self.back.extendleft(reversed(self.taken[1:]))

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        if self.back:
            number, line = self.back.popleft()
        else:
            line = self.stream.readline(self.limit + 1)
            if not line:
                raise StopIteration
            self.count += 1
            number = self.count
            if number == 1:
                line = line.removeprefix("\ufeff")
        self.size += len(line)
        self.taken.append((number, line))
        if self.size > self.limit:
            if len(self.taken) == 1:
                raise ReadError(
                    f"line {number} is longer than {self.limit:,} characters (the "
                    f"max_line_chars limit of observatory/config/settings.yaml)"
                )
            raise RecordTooLong
        return line


@dataclass
class Record:
    line: int  # its first line
    fields: list[str]
    chars: int  # characters of its lines
    suspect: bool  # a control character or a line longer than MAX_CELL: check its cells
    swallowed: int = 0  # lines an unclosed quote on its line took in (read again)


def _record(lines: Lines, fields: list[str], swallowed: int = 0) -> Record:
    taken = lines.taken[:1] if swallowed else lines.taken
    return Record(
        taken[0][0],
        fields,
        sum(len(t) for _, t in taken),
        any(len(t) > MAX_CELL or CONTROL.search(t) for _, t in taken),
        swallowed,
    )


def records(lines: Lines, delimiter: str, width: list[int]) -> Iterator[Record]:
    """The records of the file. `width` holds the number of fields a record must have
    once the header is known (empty before): a record over several lines without that
    many fields is an unclosed quote."""
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        lines.mark()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except RecordTooLong:
            reader = csv.reader(lines, delimiter=delimiter)  # its state is mid-field
            fields = None
        if fields is not None and (len(lines.taken) == 1 or not width or len(fields) == width[0]):
            yield _record(lines, fields)
            continue
        first = lines.taken[0][1]
        yield _record(
            lines,
            next(csv.reader([first], delimiter=delimiter), []),
            swallowed=len(lines.taken) - 1,
        )
        lines.again()
