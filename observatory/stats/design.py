"""A sampling design and its Taylor-linearisation variance, as R's survey package.

`Design.from_frame(frame, weight=..., strata=..., cluster=..., fpc=...)` is R's
`svydesign(ids = ~cluster, strata = ~strata, weights = ~weight, fpc = ~fpc,
nest = TRUE)`: a with-replacement (or, with fpc, without-replacement) first stage of
PSUs inside strata; later stages are not modelled (R's ultimate-cluster variance).
Clusters are nested in strata: the same cluster id in two strata is two PSUs.

The variance of a linearised total sum_i z_i is R's `svyrecvar`:
    sum_h f_h n_h / (n_h - 1) * sum_c (z_hc - zbar_h)^2,
with z_hc the PSU totals, n_h the PSUs sampled in stratum h over the WHOLE design
(so a domain's z is zero outside it, as svyby) and f_h = (N_h - n_h) / N_h when the
population size N_h of the stratum (in PSUs) is given, else 1.

Lonely PSUs: a stratum with a single PSU has no variance estimate of its own. As R's
`options(survey.lonely.psu = ...)` (survey 4.x `onestrat`), `lonely_psu=` is one of
- "fail" (R's default): raise an error naming the strata (merge each with a neighbour);
- "certainty" and "remove": the stratum contributes zero (identical in R unless
  survey.adjust.domain.lonely is set, which is not modelled here);
- "adjust": the stratum's PSU total is centred at zero instead of at the stratum mean
  (the grand mean of a linearised mean or proportion, whose z sum to zero), so it
  contributes f_h * z_hc^2 — the warehouse's rule for strata with one respondent;
- "average": the lonely strata are left out and the variance of the others is scaled
  up by (strata present) / (strata with two or more PSUs), the strata present being
  those of the domain's units (all of the sample for a calibrated design), as R.
A census stratum (N_h = n_h) contributes zero, as in R.

Calibrated weights (`poststratify`, `rake`): give the cells or margins the weights
were calibrated to, and z is first replaced by its calibration residuals, as R's
svyrecvar does for a `postStratify()`d or `rake()`d design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import sparse

Columns = str | Sequence[str]
LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
LONELY_PSU_OPTIONS: tuple[str, ...] = get_args(LonelyPSU)
RAKING_SWEEPS = 10  # R's svyrecvar iterates its raking residuals ten times


def as_list(columns: Columns | None) -> list[str]:
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


def check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise one clear error listing every missing column or column with gaps."""
    problems = [f"column {c!r} is not in the frame" for c in columns if c not in frame]
    for c in columns:
        if c in frame and (gaps := int(frame[c].isna().sum())):
            rows = list(frame.index[frame[c].isna()][:5])
            problems.append(f"column {c!r} has {gaps} missing values (rows {rows})")
    if problems:
        raise ValueError("; ".join(problems))


def group_codes(frame: pd.DataFrame, columns: Columns | None) -> np.ndarray:
    """0-based code of each row's combination of `columns` (one group if None)."""
    cols = as_list(columns)
    if not cols:
        return np.zeros(len(frame), dtype=np.intp)
    return frame.groupby(cols, sort=True).ngroup().to_numpy()


def group_sums(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes and the column sums of `values` (n x k) for each of them."""
    keys, inverse = np.unique(codes, return_inverse=True)
    indicator = sparse.csr_matrix(
        (np.ones(len(codes)), (inverse, np.arange(len(codes)))), shape=(len(keys), len(codes))
    )
    return keys, np.asarray(indicator @ values)


@dataclass(frozen=True)
class Calibration:
    """Cells (post-stratification) or margins (raking) the weights were calibrated to,
    as 0-based codes per row, one array per margin."""

    margins: tuple[np.ndarray, ...]
    raked: bool

    def residuals(self, z: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """R's svyrecvar: post-stratification subtracts w times the weighted cell mean
        of z / w; raking sweeps ten times over its margins subtracting w times the
        unweighted margin mean of z / w."""
        if not self.raked:
            (cells,) = self.margins
            _, totals = group_sums(cells, z)
            _, weight = group_sums(cells, weights[:, None])
            return z - weights[:, None] * (totals / weight)[cells]
        u = z / weights[:, None]
        for _ in range(RAKING_SWEEPS):
            for margin in self.margins:
                _, totals = group_sums(margin, u)
                u = u - (totals / np.bincount(margin)[:, None])[margin]
        return u * weights[:, None]


@dataclass(frozen=True)
class Design:
    """Weights, strata and PSUs of a sample (see the module docstring)."""

    weights: np.ndarray  # (n,) sampling weights
    psu: np.ndarray  # (n,) PSU code, unique across strata
    psu_stratum: np.ndarray  # (number of PSUs,) stratum code of each PSU
    n_psu: np.ndarray  # (strata,) PSUs sampled in each stratum
    scale: np.ndarray  # (strata,) f_h n_h / (n_h - 1), or f_h for a lonely PSU
    lonely: np.ndarray  # (strata,) True for a non-census stratum with one PSU
    lonely_psu: LonelyPSU = "fail"
    calibration: Calibration | None = None

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        weight: str,
        strata: Columns | None = None,
        cluster: Columns | None = None,
        fpc: str | None = None,
        calibration: Calibration | None = None,
        lonely_psu: LonelyPSU = "fail",
    ) -> Design:
        """R: svydesign(ids = ~cluster, strata = ~strata, weights = ~weight,
        fpc = ~fpc, nest = TRUE); `fpc` holds the population size of each stratum
        (in PSUs), constant within it."""
        check_columns(frame, [weight, *as_list(strata), *as_list(cluster), *as_list(fpc)])
        weights = frame[weight].to_numpy(dtype=float)
        if not (np.isfinite(weights) & (weights > 0)).all():
            raise ValueError(f"column {weight!r}: weights must be positive and finite")
        stratum = group_codes(frame, strata)
        psu = (
            group_codes(frame, as_list(strata) + as_list(cluster))
            if cluster is not None
            else np.arange(len(frame))
        )
        psu_stratum = np.zeros(psu.max() + 1, dtype=np.intp)
        psu_stratum[psu] = stratum
        n_psu = np.bincount(psu_stratum)
        f = np.ones(len(n_psu)) if fpc is None else _fpc_factor(frame, fpc, stratum, n_psu)
        lonely = (n_psu == 1) & (f >= 1e-7)
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(
                f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}, not {lonely_psu!r}"
            )
        if lonely.any() and lonely_psu == "fail":
            where = frame.loc[np.isin(stratum, np.flatnonzero(lonely)), as_list(strata)]
            raise ValueError(
                f"strata with a single PSU {where.drop_duplicates().to_dict('records')}: their "
                "variance cannot be estimated (R: lonely.psu = 'fail'); merge each with a "
                "neighbouring stratum, or pass lonely_psu='adjust' (or another R option)"
            )
        scale = f * np.where(n_psu > 1, n_psu / np.maximum(n_psu - 1, 1), 1.0)
        return cls(
            weights,
            psu,
            psu_stratum,
            n_psu,
            np.where(f < 1e-7, 0.0, scale),
            lonely,
            lonely_psu,
            calibration,
        )

    @property
    def rows(self) -> int:
        return len(self.weights)

    def variance(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Variance of each column total of z (len(rows) x k), the linearised values of
        the sampled units `rows`; every other unit contributes zero."""
        if self.calibration is not None:
            full = np.zeros((self.rows, z.shape[1]))
            full[rows] = z
            z, rows = self.calibration.residuals(full, self.weights), np.arange(self.rows)
        psus, totals = group_sums(self.psu[rows], z)
        strata, sums = group_sums(self.psu_stratum[psus], np.hstack([totals, totals**2]))
        s1, s2 = np.hsplit(sums, 2)
        lonely = self.lonely[strata, None]
        # a lonely stratum's spread about its own mean is 0; "adjust" centres it at 0
        spread = np.where(
            lonely & (self.lonely_psu == "adjust"), s2, s2 - s1**2 / self.n_psu[strata, None]
        )
        parts = self.scale[strata, None] * spread
        if self.lonely_psu != "average":
            return parts.sum(axis=0)
        kept = ~lonely[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):  # no stratum left: NaN, as R
            return parts[kept].sum(axis=0) * len(strata) / kept.sum()

    def degf(self, rows: np.ndarray) -> int:
        """R's degf(): PSUs minus strata among the units `rows`."""
        psus = np.unique(self.psu[rows])
        return len(psus) - len(np.unique(self.psu_stratum[psus]))


def _fpc_factor(
    frame: pd.DataFrame, fpc: str, stratum: np.ndarray, n_psu: np.ndarray
) -> np.ndarray:
    """1 - n_h / N_h per stratum from the population sizes in column `fpc`."""
    sizes = pd.Series(frame[fpc].to_numpy(dtype=float)).groupby(stratum)
    if (sizes.nunique() > 1).any():
        raise ValueError(f"column {fpc!r}: the population size varies within a stratum")
    population = sizes.first().to_numpy()
    if (population < n_psu).any():
        raise ValueError(
            f"column {fpc!r} must hold each stratum's population size (R's "
            "fpc = ~N): some are smaller than the PSUs sampled in the stratum"
        )
    return (population - n_psu) / population
