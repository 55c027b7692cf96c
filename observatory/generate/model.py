"""The generating model: population frames, sampling design and answer probabilities.

The sampler (`sample.py`) and the planted truth (`truth.py`) both read their
probabilities from here, so the truth is exactly what the data were drawn from.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from observatory.codebook import Codebook

FIRST_WAVE = 2024  # frames grow from this wave on

# Population frame: typical share of each organisation type; each country jitters it.
ORG_SHARES = {
    "company": 0.30,
    "social_economy_org": 0.07,
    "association": 0.27,
    "foundation": 0.03,
    "local_authority": 0.12,
    "public_body": 0.06,
    "academic": 0.03,
    "citizen_collective": 0.12,
}
# Sampling design: companies answer far more often, citizen collectives far less.
SAMPLING_FACTOR = {"company": 3.0, "citizen_collective": 0.35}
MIN_SAMPLING_SHARE = 0.02  # no organisation type is (almost) absent from a sample
MIN_PER_CELL = 2  # nor empty: post-stratification needs every country x type cell
# Small deliveries of the shipped sample (rows written, 3-6 of them bad rows that are
# quarantined): Greece's 2024 pilot loads fewer respondents than the disclosure threshold
# (every cell suppressed), Austria's 2025 export fewer than the reliability threshold
# (every cell unreliable), so the report shows readers both. Their strata are too small
# for MIN_PER_CELL: some organisation types have one respondent or none.
SMALL_DELIVERIES: dict[tuple[int, str], int] = {(2024, "GR"): 12, (2025, "AT"): 30}

# P(scheme_type | org_type), columns company_led, territory_led, internal.
SCHEME_GIVEN_ORG = {
    "company": (0.70, 0.10, 0.20),
    "social_economy_org": (0.20, 0.60, 0.20),
    "association": (0.10, 0.75, 0.15),
    "foundation": (0.35, 0.45, 0.20),
    "local_authority": (0.05, 0.80, 0.15),
    "public_body": (0.15, 0.55, 0.30),
    "academic": (0.20, 0.50, 0.30),
    "citizen_collective": (0.05, 0.85, 0.10),
}
SCHEME_ORDER = ("company_led", "territory_led", "internal")
# Relative weights of single-choice codes (a code not listed weighs 1).
CODE_WEIGHTS = {
    "theme": {
        "sustainability_environment": 1.1,
        "health_wellbeing": 0.95,
        "social_inclusion": 1.25,
        "digital_inclusion": 0.7,
        "organisational_transformation": 1.0,
    },
    "ci_stage": {"initiate": 1.2, "structure": 1.0, "animate": 0.8},
}
LIKERT_WEIGHTS = (0.05, 0.12, 0.28, 0.35, 0.20)  # a 1..5 scale, skewed to satisfied
MISSING_SHARE = {"ci_stage": 0.08, "satisfaction": 0.04, "coordination_fte": 0.06}
BASE_RANGE = (0.15, 0.60)  # base selection probability of a multi-select option


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """An independent stream per (seed, keys): a file's content never depends on
    which other countries or waves are generated in the same run."""
    return np.random.default_rng([seed, *(zlib.crc32(str(k).encode()) for k in keys)])


def instrument_wave(book: Codebook, wave: int) -> int:
    """The codebook wave whose questionnaire a wave uses: itself when known, else the
    latest earlier codebook wave (the earliest one for waves before all of them)."""
    earlier = [w for w in book.waves if w <= wave]
    return max(earlier) if earlier else min(book.waves)


def frame_population(seed: int, country: str, wave: int) -> np.ndarray:
    """Organisations per type (ORG_SHARES order) in a country's frame for a wave."""
    rng = rng_for(seed, "frame", country)
    total = np.exp(rng.uniform(np.log(25_000), np.log(180_000)))
    shares = np.array(list(ORG_SHARES.values())) * np.exp(rng.normal(0.0, 0.25, len(ORG_SHARES)))
    growth = rng.uniform(0.0, 0.03, len(ORG_SHARES))
    base = total * shares / shares.sum()
    return np.maximum(np.rint(base * (1.0 + growth) ** (wave - FIRST_WAVE)), 200).astype(np.int64)


def sampling_shares(population: np.ndarray) -> np.ndarray:
    """Distribution of organisation types in the sample (differs from the frame)."""
    factor = np.array([SAMPLING_FACTOR.get(t, 1.0) for t in ORG_SHARES])
    q = population * factor
    q = np.maximum(q / q.sum(), MIN_SAMPLING_SHARE)
    return q / q.sum()


def scheme_matrix() -> np.ndarray:
    """P(scheme | org type): rows ORG_SHARES order, columns SCHEME_ORDER."""
    return np.array([SCHEME_GIVEN_ORG[t] for t in ORG_SHARES])


def champion_dependency_fr(wave: int) -> float:
    """E2: falls across waves; extra waves continue the line (floor 0.1, cap 0.9)."""
    known = {2024: 0.55, 2025: 0.42, 2026: 0.30}
    if wave in known:
        return known[wave]
    if wave > 2026:
        return max(0.10, 0.30 - 0.125 * (wave - 2026))
    return min(0.90, 0.55 + 0.125 * (2024 - wave))


Prob = Callable[[np.ndarray, np.ndarray, str, int], np.ndarray]


@dataclass(frozen=True)
class Effect:
    id: str
    description: str
    dimension: str
    code: str
    prob: Prob  # (org codes, scheme codes, country, wave) -> P(selected), broadcast


def _capacity(org: np.ndarray, scheme: np.ndarray, country: str, wave: int) -> np.ndarray:
    by_org = {"association": 0.70, "citizen_collective": 0.70, "company": 0.25}
    lookup = np.vectorize(lambda t: by_org.get(t, 0.50), otypes=[float])
    return np.broadcast_to(lookup(org), np.broadcast_shapes(org.shape, scheme.shape))


def _full(value: Callable[[str, int], float]) -> Prob:
    def prob(org: np.ndarray, scheme: np.ndarray, country: str, wave: int) -> np.ndarray:
        return np.full(np.broadcast_shapes(org.shape, scheme.shape), value(country, wave))

    return prob


EFFECTS = (
    Effect(
        "E1",
        "Multi-actor complexity is a barrier far more often in territory-led schemes "
        "(0.65) than in the others (0.30), in every country and wave.",
        "barrier",
        "multi_actor_complexity",
        lambda org, scheme, c, w: np.where(scheme == "territory_led", 0.65, 0.30),
    ),
    Effect(
        "E2",
        "In France, dependency on individual champions falls across waves "
        "(0.55, 0.42, 0.30 in 2024-2026); 0.35 in the other countries.",
        "barrier",
        "champion_dependency",
        _full(lambda c, w: champion_dependency_fr(w) if c == "FR" else 0.35),
    ),
    Effect(
        "E3",
        "Dedicated coordination resources are a lever more often in company-led "
        "schemes (0.60) than in the others (0.35).",
        "lever",
        "dedicated_coordination",
        lambda org, scheme, c, w: np.where(scheme == "company_led", 0.60, 0.35),
    ),
    Effect(
        "E4",
        "Limited time and human resources depend on the organisation type only "
        "(associations and citizen collectives 0.70, companies 0.25, others 0.50): "
        "weighted and unweighted shares differ.",
        "barrier",
        "limited_capacity",
        _capacity,
    ),
)


def base_probabilities(seed: int, dimension: str, size: int) -> np.ndarray:
    return rng_for(seed, "base", dimension).uniform(*BASE_RANGE, size)


def option_probabilities(
    seed: int,
    dimension: str,
    options: list[str],
    org: np.ndarray,
    scheme: np.ndarray,
    country: str,
    wave: int,
) -> np.ndarray:
    """P(option selected) per row (n x k): base probabilities, planted effects on top."""
    probs = np.tile(base_probabilities(seed, dimension, len(options)), (len(org), 1))
    for effect in EFFECTS:
        if effect.dimension == dimension:
            probs[:, options.index(effect.code)] = effect.prob(org, scheme, country, wave)
    return probs
