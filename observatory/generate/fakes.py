"""Fake personal data in each survey language: organisation names, e-mails, comments.

Everything is invented (the word lists are in fakes.yaml). E-mails use the reserved
example.com/.org/.net domains only; phone numbers follow national shapes with random
digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml

DOMAINS = ("example.com", "example.org", "example.net")
SHARE_EMPTY = {"org_name": 0.03, "contact_email": 0.12, "comment": 0.45}
SHARE_PHONE = 0.12  # of the non-empty comments
POOLS_FILE = Path(__file__).with_name("fakes.yaml")


@dataclass(frozen=True)
class Pool:
    first: tuple[str, ...]  # ASCII, for e-mail addresses
    last: tuple[str, ...]
    org: dict[str, tuple[str, ...]]  # org type -> patterns with {w} (word) and {p} (place)
    words: tuple[str, ...]
    places: tuple[str, ...]
    comments: tuple[str, ...]
    phone_note: str  # with {phone}
    phone: str  # '#' = a random digit


@cache
def pools() -> dict[str, Pool]:
    raw = yaml.safe_load(POOLS_FILE.read_text(encoding="utf-8"))
    return {
        lang: Pool(
            first=tuple(spec["first"]),
            last=tuple(spec["last"]),
            org={t: tuple(p) for t, p in spec["org"].items()},
            words=tuple(spec["words"]),
            places=tuple(spec["places"]),
            comments=tuple(spec["comments"]),
            phone_note=spec["phone_note"],
            phone=spec["phone"],
        )
        for lang, spec in raw.items()
    }


def pool_for(language: str) -> Pool:
    if language not in pools():
        raise ValueError(f"no fake-data pool for language {language!r}: add one to {POOLS_FILE}")
    return pools()[language]


def _empty(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    return np.where(rng.random(len(values)) < share, "", values).astype(object)


def org_names(rng: np.random.Generator, language: str, org_types: np.ndarray) -> np.ndarray:
    """A name that fits each row's organisation type."""
    pool = pool_for(language)
    every = tuple(pattern for patterns in pool.org.values() for pattern in patterns)
    names = np.empty(len(org_types), dtype=object)
    pick = rng.random(len(org_types))
    for org_type in sorted(set(org_types.tolist())):
        rows = np.flatnonzero(org_types == org_type)
        combos = np.array(
            [
                o.format(w=w, p=p)
                for o in pool.org.get(org_type, every)
                for w in pool.words
                for p in pool.places
            ],
            dtype=object,
        )
        names[rows] = combos[(pick[rows] * len(combos)).astype(np.int64)]
    return _empty(rng, names, SHARE_EMPTY["org_name"])


def emails(rng: np.random.Generator, language: str, n: int) -> np.ndarray:
    pool = pool_for(language)
    combos = np.array(
        [f"{f}.{la}@{d}" for f in pool.first for la in pool.last for d in DOMAINS], dtype=object
    )
    return _empty(rng, combos[rng.integers(0, len(combos), n)], SHARE_EMPTY["contact_email"])


def comments(rng: np.random.Generator, language: str, n: int) -> np.ndarray:
    pool = pool_for(language)
    text = np.array(pool.comments, dtype=object)[rng.integers(0, len(pool.comments), n)]
    text = _empty(rng, text, SHARE_EMPTY["comment"])
    phone_rows = np.flatnonzero((text != "") & (rng.random(n) < SHARE_PHONE))
    slots = pool.phone.count("#")
    digits = rng.integers(0, 10, (len(phone_rows), slots))
    template = pool.phone.replace("#", "{}")
    for row, ds in zip(phone_rows.tolist(), digits.tolist(), strict=True):
        text[row] = f"{text[row]} {pool.phone_note.format(phone=template.format(*ds))}"
    return text
