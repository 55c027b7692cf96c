"""Draw one country x wave sample in canonical form (codes, not labels), vectorised."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from observatory.codebook import Codebook, Question
from observatory.config import Country
from observatory.generate import fakes
from observatory.generate import model as m


@dataclass
class Sample:
    """Answers by canonical question id. Single choice: index into the dimension's codes
    (-1 = no answer); multi: boolean n x k; likert/number: float (NaN = no answer)."""

    country: Country
    wave: int
    instrument: int
    questions: list[Question]
    text: dict[str, np.ndarray] = field(default_factory=dict)  # id and pii (object)
    single: dict[str, np.ndarray] = field(default_factory=dict)
    multi: dict[str, np.ndarray] = field(default_factory=dict)
    numbers: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.text["respondent_id"])


def _categorical(rng: np.random.Generator, probs: np.ndarray, n: int | None = None) -> np.ndarray:
    """One draw per row of an n x k probability matrix, or n draws from one k-vector."""
    cum = np.cumsum(probs, axis=-1)
    u = rng.random(probs.shape[0] if n is None else n)[:, None]
    return (u > cum).sum(axis=-1).clip(max=probs.shape[-1] - 1)


def _org_types(rng: np.random.Generator, n: int, q: np.ndarray) -> np.ndarray:
    counts = rng.multinomial(n, q)
    if n >= m.MIN_PER_CELL * len(q):  # move a few respondents into empty cells
        while counts.min() < m.MIN_PER_CELL:
            counts[counts.argmin()] += 1
            counts[counts.argmax()] -= 1
    return rng.permutation(np.repeat(np.arange(len(q)), counts))


def _respondent_ids(rng: np.random.Generator, country: str, wave: int, n: int) -> np.ndarray:
    numbers = np.sort(rng.choice(int(n * 1.25) + 10, n, replace=False)) + 1
    return np.array([f"{country}-{wave}-{k:05d}" for k in numbers.tolist()], dtype=object)


def _number(rng: np.random.Generator, q: Question, n: int) -> np.ndarray:
    top = min(q.max if q.max is not None else 5.0, 5.0)
    raw = np.clip(rng.gamma(1.6, 0.55, n), q.min or 0.0, top)
    step = np.where(rng.random(n) < 0.5, 0.1, 0.05)  # one or two decimals
    return np.round(np.round(raw / step) * step, 2)


def draw_sample(
    seed: int, country: Country, wave: int, book: Codebook, responses: tuple[int, int]
) -> Sample:
    rng = m.rng_for(seed, "sample", country.code, wave)
    instrument = m.instrument_wave(book, wave)
    s = Sample(country, wave, instrument, book.questions_for(instrument))
    n = int(rng.integers(responses[0], responses[1] + 1))
    population = m.frame_population(seed, country.code, wave)
    org = _org_types(rng, n, m.sampling_shares(population))
    scheme = _categorical(rng, m.scheme_matrix()[org])
    org_codes = np.array(list(m.ORG_SHARES))[org]
    scheme_codes = np.array(m.SCHEME_ORDER)[scheme]
    lang = country.language
    for q in s.questions:
        if q.kind == "id":
            s.text[q.id] = _respondent_ids(rng, country.code, wave, n)
        elif q.kind == "pii":
            if q.id == "org_name":
                s.text[q.id] = fakes.org_names(rng, lang, org_codes)
            else:
                make = fakes.emails if q.id == "contact_email" else fakes.comments
                s.text[q.id] = make(rng, lang, n)
        elif q.kind == "single":
            s.single[q.id] = _single(rng, book, q, s, org_codes, scheme_codes)
        elif q.kind == "multi":
            options = list(book.options(instrument, q.choice_dimension))
            probs = m.option_probabilities(
                seed, q.choice_dimension, options, org_codes, scheme_codes, country.code, wave
            )
            s.multi[q.id] = rng.random(probs.shape) < probs
        else:
            if q.kind == "likert":
                lo, hi = q.scale
                k = int(hi - lo + 1)
                w = np.array(m.LIKERT_WEIGHTS) if k == 5 else np.full(k, 1.0 / k)
                values = lo + _categorical(rng, w, n).astype(float)
            else:
                values = _number(rng, q, n)
            missing = rng.random(n) < m.MISSING_SHARE.get(q.id, 0.0)
            s.numbers[q.id] = np.where(missing, np.nan, values)
    return s


def _single(
    rng: np.random.Generator,
    book: Codebook,
    q: Question,
    s: Sample,
    org_codes: np.ndarray,
    scheme_codes: np.ndarray,
) -> np.ndarray:
    dim = book.dimensions[q.choice_dimension]
    codes = list(book.options(s.instrument, q.choice_dimension))
    n = len(org_codes)
    if q.dimension in ("org_type", "scheme_type"):
        drawn = org_codes if q.dimension == "org_type" else scheme_codes
        index = {c: i for i, c in enumerate(codes)}
        return np.array([index[c] for c in drawn.tolist()], dtype=np.int64)
    parent_q = next(
        (
            p
            for p in s.questions
            if dim.parent_dimension and p.dimension == dim.parent_dimension and p.id in s.single
        ),
        None,
    )
    if parent_q is not None:  # a child code of the answer to the parent question
        parents = list(book.dimensions[parent_q.choice_dimension].codes)
        children = [[i for i, c in enumerate(codes) if dim.codes[c].parent == p] for p in parents]
        size = max(len(ch) for ch in children)
        table = np.array([ch + [ch[0]] * (size - len(ch)) for ch in children])
        counts = np.array([len(ch) for ch in children])
        parent = s.single[parent_q.id]
        child = table[parent.clip(min=0), (rng.random(n) * counts[parent]).astype(np.int64)]
        return np.where(parent < 0, -1, child)
    weights = np.array([m.CODE_WEIGHTS.get(q.choice_dimension, {}).get(c, 1.0) for c in codes])
    drawn = _categorical(rng, weights / weights.sum(), n)
    missing = rng.random(n) < m.MISSING_SHARE.get(q.id, 0.0)
    return np.where(missing, -1, drawn)
