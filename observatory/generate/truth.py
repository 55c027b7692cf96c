"""The planted truth: expected shares of each effect, computed analytically from the
generating probabilities and the frames (not from the drawn data)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np

from observatory.generate import model as m

ORG = np.array(list(m.ORG_SHARES))[:, None]  # org type x scheme grid
SCHEME = np.array(m.SCHEME_ORDER)[None, :]
# Cells written per effect: (domain_type, domains); None = every generated country.
CELLS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "E1": ("scheme_type", ("territory_led", "company_led")),
    "E2": ("country", ("FR",)),
    "E3": ("scheme_type", ("company_led", "internal")),
    "E4": ("country", None),
}


def _share(weights: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Sum of w x p over sum of w, over (w, p) grids of org type x scheme."""
    num = sum(float((w * p).sum()) for w, p in weights)
    den = sum(float(w.sum()) for w, _ in weights)
    return num / den


def expected_shares(
    effect: m.Effect,
    domain_type: str,
    domain: str,
    wave: int,
    seed: int,
    countries: Sequence[str],
    sizes: dict[str, int],
) -> tuple[float, float]:
    """(population share, expected unweighted sample share) of a domain.

    Population weight of a cell: N_ct P(s|t); sample weight: n_c q_ct P(s|t), where q is
    the sampling distribution of org types. A country domain keeps its own cells; a
    scheme-type domain pools the cells of that scheme over every generated country."""
    pop, smp = [], []
    in_domain = [domain] if domain_type == "country" else list(countries)
    for country in in_domain:
        population = m.frame_population(seed, country, wave).astype(float)
        grid = m.scheme_matrix()
        if domain_type == "scheme_type":
            grid = grid * np.equal(SCHEME, domain)
        p = effect.prob(ORG, SCHEME, country, wave)
        pop.append((population[:, None] * grid, p))
        q = m.sampling_shares(population) * sizes.get(country, 1)
        smp.append((q[:, None] * grid, p))
    return _share(pop), _share(smp)


def effects_truth(
    seed: int, countries: Sequence[str], waves: Sequence[int], sizes: dict[int, dict[str, int]]
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for effect in m.EFFECTS:
        domain_type, domains = CELLS[effect.id]
        wanted = countries if domains is None else domains
        for wave in waves:
            for domain in wanted:
                if domain_type == "country" and domain not in countries:
                    continue
                population, sample = expected_shares(
                    effect, domain_type, domain, wave, seed, countries, sizes[wave]
                )
                out.append(
                    {
                        "id": effect.id,
                        "description": effect.description,
                        "dimension": effect.dimension,
                        "code": effect.code,
                        "domain_type": domain_type,
                        "domain": domain,
                        "wave": wave,
                        "population_share": round(population, 6),
                        "sample_share_unweighted": round(sample, 6),
                    }
                )
    return out


def _para(text: str, indent: str = "") -> str:
    return textwrap.fill(
        " ".join(text.split()), width=88, initial_indent=indent, subsequent_indent=" " * len(indent)
    )


def readme(
    seed: int,
    waves: Sequence[int],
    responses: tuple[int, int],
    bad_rows: bool,
    instruments: dict[int, int],
    files: list[dict[str, object]],
    small: list[dict[str, object]],
) -> str:
    reused = [f"{w} uses the {i} questionnaire" for w, i in instruments.items() if w != i]
    out = [
        "# Synthetic sample data — not real survey responses",
        "",
        _para(
            f"""Every file here is **synthetic**, made by the project's deterministic generator
        (`observatory.generate.generate_sample`, command line `observatory generate-sample
        --seed {seed} --out DIR`) with seed {seed}, waves {", ".join(map(str, waves))} and
        {responses[0]}-{responses[1]} responses per country and wave. The same seed always
        gives the same files. Organisation names, e-mails (example.com/.org/.net only), phone
        numbers and comments are invented, but they are personal data in form: the columns
        `org_name`, `contact_email` and `comment` must never reach the warehouse."""
        ),
        "",
    ]
    out += [
        _para(line, "- ")
        for line in (
            """`surveys/<wave>/<CC>/` one export per country and wave, in the country's language
        and survey-tool habits (observatory/config/countries.yaml): CSV with its code page,
        delimiter and decimal comma, XLSX, SPSS .sav; multi-select in one cell or one column
        per option. Some answers are legitimately empty (collective-impact stage, satisfaction,
        coordination time, personal data).""",
            """`instruments/<wave>/<CC>/` the questionnaire as the country's survey tool defines it
        (XLSForm for KoboToolbox, LimeSurvey .lss, an SPSS .sav without cases), written from
        the codebook; `observatory instrument import` reads them back into it.""",
            "`frames/frame_<wave>.csv` organisations per country x org_type (the weighting frame).",
            "`cases/case_studies.csv` structured case studies, canonical codes, `|` between codes.",
            """`planted_truth.json` the planted effects with their expected population shares
        (computed from the generating probabilities and the frames, not from the drawn
        data), the bad rows, and the files with their row counts.""",
        )
    ]
    out += ["", "## Planted effects", ""]
    out += [_para(f"**{e.id}** `{e.dimension}.{e.code}`: {e.description}", "- ") for e in m.EFFECTS]
    out += [
        "",
        _para(f"""The sample over-represents companies (about 3x) and under-represents
        citizen collectives, so unweighted shares are biased: post-stratify to the frames
        (country x org_type). Multi-select options without an effect are ticked independently
        with a base probability between {m.BASE_RANGE[0]} and {m.BASE_RANGE[1]}."""),
        "",
        "## Small cells",
        "",
    ]
    if small:
        out += [
            _para(f"""Some exports are small on purpose, so that the warehouse and the report
            show what readers see of cells too small to publish: {
                "; ".join(f"{d['country']} {d['wave']}, {d['rows']} rows" for d in small)
            }. Once their bad
            rows are quarantined, the first loads fewer than 10 respondents (every cell of that
            wave x country is suppressed) and the second fewer than 30 (every cell is flagged
            unreliable); some of their organisation types have one respondent or none.""")
        ]
    else:
        out.append("None: every export has the same range of rows.")
    out += ["", "## Bad rows", ""]
    if bad_rows:
        out += [
            _para("""Each export holds 3-6 bad rows, each with exactly one problem, all
            listed in `planted_truth.json` (`row` counts the header as row 1 in CSV and XLSX
            files, and is the case number in SPSS files):"""),
            "",
        ]
        out += [
            _para(line, "- ")
            for line in (
                "`likert_out_of_range`: satisfaction 0, 6 or 7;",
                """`unknown_label`: a scheme type or collective-impact stage in no codebook
            language (in the SPSS file, the numeric code 9, which has no value label);""",
                """`duplicate_respondent`: a later row reuses an earlier row's id; both rows are
            listed, since both copies are quarantined;""",
                "`non_numeric`: coordination time in words (CSV exports only).",
            )
        ]
    else:
        out.append("None: this sample was generated without bad rows.")
    if reused:
        out += [
            "",
            _para(f"""Waves missing from the codebook reuse the questionnaire of the
            latest earlier codebook wave (the earliest one for a wave before them all):
            {"; ".join(reused)}."""),
        ]
    out += ["", "## Files", "", "| wave | country | rows | path |", "|---|---|---|---|"]
    out += [f"| {f['wave']} | {f['country']} | {f['rows']} | `{f['path']}` |" for f in files]
    return "\n".join(out) + "\n"
