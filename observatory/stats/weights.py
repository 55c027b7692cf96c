"""Calibration of weights to known population counts: post-stratification and raking,
as R's survey::postStratify and survey::rake. Both return the new weights (a Series
aligned on the frame); pass the same cells (`poststrata=`) or margins
(`rake_margins=`) to the estimators for SEs that account for the calibration.

A population is either a Series of counts indexed by the cell values (a MultiIndex
named after the columns for several columns) or a DataFrame holding the columns and
exactly one more column of counts (R's data frame with `Freq`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TypeAlias

import pandas as pd

from observatory.stats.design import Columns, as_list, check_columns

Population: TypeAlias = pd.Series | pd.DataFrame


def poststratify(
    frame: pd.DataFrame, *, weight: str, by: Columns, population: Population
) -> pd.Series:
    """Weights scaled in each cell of `by` so that they sum to the cell's population
    count (R: weights(postStratify(design, ~by, population))). Every sampled cell
    needs a positive population count, and every populated cell a respondent."""
    check_columns(frame, [weight, *as_list(by)])
    return _poststratified(frame, frame[weight].astype(float), as_list(by), population)


def rake(
    frame: pd.DataFrame,
    *,
    weight: str,
    margins: Mapping[Columns, Population],
    max_iter: int = 10,
    epsilon: float = 1.0,
) -> pd.Series:
    """Iterative proportional fitting of the weights to each margin in turn
    (R: weights(rake(design, sample.margins, population.margins,
    control = list(maxit = max_iter, epsilon = epsilon)))). Like R it stops when no
    cell of the cross-table of all margin columns moved by `epsilon` or more during a
    pass (an absolute weighted count when epsilon >= 1, else a fraction of the total
    weight), and warns when `max_iter` passes did not get there."""
    by = {key: as_list(key) for key in margins}
    columns = list(dict.fromkeys(c for cols in by.values() for c in cols))
    check_columns(frame, [weight, *columns])
    weights = frame[weight].astype(float)
    threshold = epsilon if epsilon >= 1 else epsilon * weights.sum()
    table = weights.groupby([frame[c] for c in columns]).sum()
    for _ in range(max_iter):
        for key, population in margins.items():
            weights = _poststratified(frame, weights, by[key], population)
        new = weights.groupby([frame[c] for c in columns]).sum()
        if (new - table).abs().max() < threshold:
            return weights
        table = new
    warnings.warn(f"raking did not converge after {max_iter} iterations", stacklevel=2)
    return weights


def _poststratified(
    frame: pd.DataFrame, weights: pd.Series, by: list[str], population: Population
) -> pd.Series:
    counts = _population_counts(population, by)
    sample = weights.groupby([frame[c] for c in by]).sum()
    both = pd.concat({"sample": sample, "population": counts}, axis=1).fillna(0)
    unknown = both[(both["sample"] > 0) & (both["population"] <= 0)]
    empty = both[(both["sample"] <= 0) & (both["population"] > 0)]
    problems = [
        f"cells {what}: {list(cells.index)[:10]}"
        for what, cells in (
            ("sampled but not in the population", unknown),
            ("in the population but not sampled", empty),
        )
        if len(cells)
    ]
    if problems:
        raise ValueError(f"cannot post-stratify on {by}: " + "; ".join(problems))
    factor = (both["population"] / both["sample"]).rename("factor")
    cells = pd.MultiIndex.from_frame(frame[by]) if len(by) > 1 else pd.Index(frame[by[0]])
    return weights * factor.reindex(cells).to_numpy()


def _population_counts(population: Population, by: list[str]) -> pd.Series:
    """The population counts as a Series indexed by the `by` values."""
    if isinstance(population, pd.DataFrame):
        counts = [c for c in population.columns if c not in by]
        missing = [c for c in by if c not in population.columns]
        if missing or len(counts) != 1:
            raise ValueError(
                f"the population must have the columns {by} and one column "
                f"of counts; it has {list(population.columns)}"
            )
        return population.set_index(by)[counts[0]].astype(float)
    if list(population.index.names) != by:
        raise ValueError(
            f"the population's index must be named {by}, not {list(population.index.names)}"
        )
    return population.astype(float)
