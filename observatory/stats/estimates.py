"""Design-based means, totals and proportions of any pandas DataFrame, overall or by
domain, with the definitions of R's survey package.

    survey_mean(frame, "y", weight="w", strata="h", cluster="psu", fpc="N", by="region")

is R's `svyby(~y, ~region, svydesign(ids = ~psu, strata = ~h, weights = ~w,
fpc = ~N, nest = TRUE), svymean)` (svymean itself without `by`). Domains are
estimated as svyby does: units outside the domain contribute zero and the strata
keep the PSU counts of the whole sample. `n` is the domain's unweighted number of
rows. Weights calibrated by `poststratify` or `rake` are fixed design weights unless
their cells (`poststrata`) or margins (`rake_margins`) are given, in which case the
SEs are those of R's svymean on the postStratify()d / rake()d design. A stratum with a
single PSU raises an error (R's lonely.psu = "fail") unless `lonely_psu=` names another
of R's options: "remove", "certainty", "adjust" or "average" (observatory.stats.design).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from observatory.stats.design import (
    Calibration,
    Columns,
    Design,
    LonelyPSU,
    as_list,
    check_columns,
    group_codes,
)
from observatory.stats.distributions import normal_quantile
from observatory.stats.intervals import (
    _effective_n,
    beta_interval,
    df_adjusted_n,
    logit_interval,
    wilson_interval,
)

Method = Literal["korn-graubard", "wilson", "logit"]
# (rows of the domain) -> (estimate, variance) for each column of the outcome matrix
Estimator = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def survey_mean(
    frame: pd.DataFrame,
    column: str,
    *,
    weight: str,
    strata: Columns | None = None,
    cluster: Columns | None = None,
    fpc: str | None = None,
    by: Columns | None = None,
    poststrata: Columns | None = None,
    rake_margins: Sequence[Columns] | None = None,
    lonely_psu: LonelyPSU = "fail",
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted mean of `column` with its linearised SE (R: svymean / svyby(svymean)).
    Columns: the `by` columns, estimate, se, ci_low, ci_high (normal quantile, as R's
    confint of a svystat), n."""
    design, y = _setup(
        frame, column, weight, strata, cluster, fpc, by, poststrata, rake_margins, lonely_psu
    )
    return _wald_table(frame, by, _ratio(design, y), level)


def survey_total(
    frame: pd.DataFrame,
    column: str,
    *,
    weight: str,
    strata: Columns | None = None,
    cluster: Columns | None = None,
    fpc: str | None = None,
    by: Columns | None = None,
    poststrata: Columns | None = None,
    rake_margins: Sequence[Columns] | None = None,
    lonely_psu: LonelyPSU = "fail",
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted total of `column` with its linearised SE (R: svytotal /
    svyby(svytotal)); same columns as `survey_mean`."""
    design, y = _setup(
        frame, column, weight, strata, cluster, fpc, by, poststrata, rake_margins, lonely_psu
    )

    def total(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = design.weights[rows, None] * y[rows]
        return z.sum(axis=0), design.variance(z, rows)

    return _wald_table(frame, by, total, level)


def survey_proportion(
    frame: pd.DataFrame,
    column: str,
    *,
    weight: str,
    strata: Columns | None = None,
    cluster: Columns | None = None,
    fpc: str | None = None,
    by: Columns | None = None,
    method: Method = "korn-graubard",
    poststrata: Columns | None = None,
    rake_margins: Sequence[Columns] | None = None,
    lonely_psu: LonelyPSU = "fail",
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted share of each level of `column`, one row per domain and level (column
    `level`), with estimate, se, ci_low, ci_high, n (rows of the domain) and n_eff
    (p(1 - p) / Var(p), before any degrees-of-freedom adjustment).

    Intervals (see observatory.stats.intervals): "korn-graubard" is R's
    svyciprop(method = "beta"), "logit" is svyciprop(method = "logit"), "wilson" the
    score interval on the same adjusted effective n as "korn-graubard". As R, the
    degrees of freedom are the domain's PSUs minus its strata, and the adjustment uses
    the domain's rows (all rows of the sample for a calibrated design, whose domains R
    keeps at full size)."""
    if method not in ("korn-graubard", "wilson", "logit"):
        raise ValueError(f"method must be korn-graubard, wilson or logit, not {method!r}")
    check_columns(frame, [column])
    levels = np.sort(frame[column].unique())
    indicators = pd.DataFrame(
        {f"level_{i}": frame[column] == value for i, value in enumerate(levels)}, index=frame.index
    )
    design, y = _setup(
        frame.assign(**indicators),
        list(indicators),
        weight,
        strata,
        cluster,
        fpc,
        by,
        poststrata,
        rake_margins,
        lonely_psu,
    )
    estimate = _ratio(design, y)
    keys, domains = _domains(frame, by)
    out = []
    for key, rows in zip(keys.to_dict("records"), domains, strict=True):
        p, var = estimate(rows)
        se = np.sqrt(var)
        n_eff = _effective_n(p, var, len(rows))
        sampled = design.rows if design.calibration is not None else len(rows)
        df = design.degf(rows)
        if method == "logit":
            low, high = logit_interval(p, se, df, level)
        else:
            adjusted = df_adjusted_n(n_eff, sampled, df, level)
            interval = beta_interval if method == "korn-graubard" else wilson_interval
            low, high = interval(p, adjusted, level)
        out.append(
            pd.DataFrame(
                {
                    **key,
                    "level": levels,
                    "estimate": p,
                    "se": se,
                    "ci_low": low,
                    "ci_high": high,
                    "n": len(rows),
                    "n_eff": n_eff,
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def _setup(
    frame: pd.DataFrame,
    columns: str | list[str],
    weight: str,
    strata: Columns | None,
    cluster: Columns | None,
    fpc: str | None,
    by: Columns | None,
    poststrata: Columns | None,
    rake_margins: Sequence[Columns] | None,
    lonely_psu: LonelyPSU,
) -> tuple[Design, np.ndarray]:
    """The design and the outcome matrix (n x k) of an estimate."""
    if poststrata is not None and rake_margins is not None:
        raise ValueError("give poststrata or rake_margins, not both")
    outcomes = as_list(columns)
    margins = [poststrata] if poststrata is not None else list(rake_margins or [])
    check_columns(frame, outcomes + as_list(by) + [c for m in margins for c in as_list(m)])
    calibration = (
        Calibration(tuple(group_codes(frame, m) for m in margins), raked=rake_margins is not None)
        if margins
        else None
    )
    design = Design.from_frame(
        frame,
        weight=weight,
        strata=strata,
        cluster=cluster,
        fpc=fpc,
        calibration=calibration,
        lonely_psu=lonely_psu,
    )
    return design, frame[outcomes].to_numpy(dtype=float)


def _ratio(design: Design, y: np.ndarray) -> Estimator:
    """Weighted mean over a domain and its variance: z = w (y - mean) / sum(w)."""

    def estimate(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w, yd = design.weights[rows, None], y[rows]
        total = w.sum()
        mean = (w * yd).sum(axis=0) / total
        return mean, design.variance(w * (yd - mean) / total, rows)

    return estimate


def _domains(frame: pd.DataFrame, by: Columns | None) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """The domains' `by` values (sorted, as svyby) and the row positions of each."""
    cols = as_list(by)
    if not cols:
        return pd.DataFrame(index=[0]), [np.arange(len(frame))]
    codes = group_codes(frame, cols)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.diff(codes[order], prepend=-1))
    keys = frame[cols].iloc[order[starts]].reset_index(drop=True)
    return keys, np.split(order, starts[1:])


def _wald_table(
    frame: pd.DataFrame, by: Columns | None, estimate: Estimator, level: float
) -> pd.DataFrame:
    keys, domains = _domains(frame, by)
    results = [estimate(rows) for rows in domains]
    value = np.array([e[0] for e, _ in results])
    se = np.sqrt([v[0] for _, v in results])
    q = normal_quantile(1 - (1 - level) / 2)
    return keys.assign(
        estimate=value,
        se=se,
        ci_low=value - q * se,
        ci_high=value + q * se,
        n=[len(rows) for rows in domains],
    )
