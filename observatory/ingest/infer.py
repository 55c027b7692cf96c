"""Tell which country's survey and which wave's instrument an export belongs to, from its
headers alone (for `observatory check` on a file received by e-mail).

The file is read with each candidate country's ingest profile; under each candidate wave
the header row is scored against the instrument in that country's language and
multi-select layout: columns the instrument knows, less columns it lacks and columns it
does not know. The best score wins; the latest wave wins a tie between waves whose
instruments the file fits equally well (they are reported as well).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from observatory.codebook import load_codebook, normalise_label
from observatory.config import Country, load_countries
from observatory.ingest.harmonise import column_map, expected_headers
from observatory.ingest.readers import RawTable, ReadError, read_chunks


class InferenceError(Exception):
    """No candidate's instrument names any of the file's headers."""


@dataclass(frozen=True)
class Guess:
    country: Country
    wave: int
    score: tuple[int, int]  # (known - missing - unknown columns, known columns)
    ties: tuple[str, ...] = ()  # other "wave country" candidates with the same score

    def describe(self) -> str:
        version = load_codebook().wave(self.wave).version
        also = f" (fits {', '.join(self.ties)} as well)" if self.ties else ""
        return (
            f"country {self.country.code} (headers in {self.country.language}), wave "
            f"{self.wave} (instrument {version}){also}"
        )


def _score(raw: RawTable, country: Country, wave: int) -> tuple[int, int]:
    book = load_codebook()
    mapping = column_map(book, wave, country)
    headers = [normalise_label(raw.duplicates.get(h, h)) for h in raw.frame.columns]
    known = {mapping[h] for h in headers if h in mapping}
    unknown = sum(1 for h in headers if h not in mapping and not book.is_ignored(h))
    missing = len(set(mapping.values()) - known)
    return len(known) - missing - unknown, len(known)


def infer(
    path: Path,
    waves: Sequence[int] = (),
    countries: Sequence[str] = (),
    adjust: Callable[[Country], Country] = lambda country: country,
) -> Guess:
    """The best (country, wave) among the candidates (all configured when empty), each
    country's profile changed by `adjust`. ReadError when no profile can read the file;
    InferenceError when no header is known."""
    book = load_codebook()
    waves = list(waves) or sorted(book.waves)
    candidates: list[Guess] = []
    errors: list[ReadError] = []
    for code in countries or load_countries():
        country = adjust(load_countries()[code])
        expected = frozenset().union(*(expected_headers(book, w, country) for w in waves))
        chunks = read_chunks(path, country.export, expected)
        try:
            raw = next(chunks)  # the header is all it needs
        except ReadError as exc:
            errors.append(exc)
            continue
        finally:
            chunks.close()
        candidates += [Guess(country, w, _score(raw, country, w)) for w in waves]
    if not candidates:
        raise errors[0]
    best = max(candidates, key=lambda g: (g.score, g.wave))
    if best.score[1] == 0:
        raise InferenceError(
            f"{path}: cannot tell its country and wave: none of its headers "
            f"is a question of the codebook; pass --wave and --country"
        )
    ties = tuple(
        f"{g.wave} {g.country.code}" for g in candidates if g.score == best.score and g is not best
    )
    return Guess(best.country, best.wave, best.score, ties)
