"""Population frames (organisations by country x type, per wave) and case studies."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from observatory.codebook import Codebook
from observatory.generate import model as m

CASE_COLUMNS = (
    "case_id",
    "country",
    "year",
    "scheme_type",
    "theme",
    "subtheme",
    "sim_roles",
    "levers",
    "barriers",
    "transferable_elements",
    "outcome",
)
CASE_YEARS = (2019, 2025)  # cases were documented before and during the survey waves
OUTCOME_WEIGHTS = {"sustained": 0.35, "scaled": 0.15, "ongoing": 0.35, "discontinued": 0.15}


def write_frame(path: Path, seed: int, countries: Sequence[str], wave: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["country", "org_type", "population"])
        for country in countries:
            population = m.frame_population(seed, country, wave)
            writer.writerows(
                (country, t, int(p)) for t, p in zip(m.ORG_SHARES, population, strict=True)
            )


def _some(rng: np.random.Generator, codes: list[str], most: int = 3) -> str:
    """1..most distinct codes, in codebook order, joined by |."""
    k = int(rng.integers(1, min(most, len(codes)) + 1))
    picked = set(rng.choice(len(codes), k, replace=False).tolist())
    return "|".join(c for i, c in enumerate(codes) if i in picked)


def case_rows(seed: int, book: Codebook, country: str) -> list[list[object]]:
    rng = m.rng_for(seed, "cases", country)
    codes = {name: list(dim.codes) for name, dim in book.dimensions.items()}
    outcomes = codes["outcome"]
    weights = np.array([OUTCOME_WEIGHTS.get(o, 0.1) for o in outcomes])
    rows = []
    for j in range(int(rng.integers(4, 7))):
        theme = codes["theme"][int(rng.integers(0, len(codes["theme"])))]
        children = [c for c, s in book.dimensions["subtheme"].codes.items() if s.parent == theme]
        rows.append(
            [
                f"{country}-C{j + 1:02d}",
                country,
                int(rng.integers(CASE_YEARS[0], CASE_YEARS[1] + 1)),
                m.SCHEME_ORDER[int(rng.integers(0, len(m.SCHEME_ORDER)))],
                theme,
                children[int(rng.integers(0, len(children)))],
                _some(rng, codes["sim_role"]),
                _some(rng, codes["lever"]),
                _some(rng, codes["barrier"]),
                _some(rng, codes["transferability"]),
                outcomes[int(rng.choice(len(outcomes), p=weights / weights.sum()))],
            ]
        )
    return rows


def write_cases(path: Path, seed: int, book: Codebook, countries: Sequence[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [row for country in countries for row in case_rows(seed, book, country)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CASE_COLUMNS)
        writer.writerows(rows)
    return len(rows)
