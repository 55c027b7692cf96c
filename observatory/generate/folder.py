"""The synthetic sample's folder: `generate_sample` writes under `out_dir`:

    surveys/<wave>/<CC>/survey_<cc>_<wave>.<ext>   one export per country and wave
    instruments/<wave>/<CC>/instrument_<cc>_<wave>.<ext>  the questionnaire in the tool's format
    frames/frame_<wave>.csv                         organisations per country x org type
    cases/case_studies.csv                          structured case studies
    planted_truth.json, README.md                   what was planted, for tests and people

A wave missing from the codebook reuses the questionnaire of the latest earlier
codebook wave (of the earliest one for a wave before them all).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from observatory.codebook import Codebook, load_codebook
from observatory.config import canonical_country, load_countries
from observatory.generate import badrows, frames, instruments, model, spss, truth, writers, xlsx
from observatory.generate.sample import Sample, draw_sample

TRUTH_FILE = "planted_truth.json"
PII_KINDS = ("pii",)


def generate_sample(
    out_dir: Path,
    seed: int = 2026,
    waves: Sequence[int] = (2024, 2025, 2026),
    responses: tuple[int, int] = (300, 800),
    bad_rows: bool = True,
    countries: Sequence[str] | None = None,
    small_deliveries: Mapping[tuple[int, str], int] = model.SMALL_DELIVERIES,
) -> Path:
    """Write the synthetic sample under `out_dir` and return the path of the truth file.

    `responses` is the (min, max) number of responses per country and wave (drawn
    uniformly); `countries` restricts the sample to some configured countries (default:
    all); `small_deliveries` gives the rows of some (wave, country) exports instead (the
    shipped sample's planted small cells, model.SMALL_DELIVERIES; {} for none). Each file
    depends only on (seed, country, wave) and its size, never on the other arguments.
    """
    lo, hi = responses
    if not 10 <= lo <= hi:
        raise ValueError(f"responses must be (min, max) with 10 <= min <= max, got {responses}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    book, config = load_codebook(), load_countries()
    chosen = list(config) if countries is None else [canonical_country(c) for c in countries]
    waves = [int(w) for w in waves]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, object]] = []
    planted: list[dict[str, object]] = []
    sizes: dict[int, dict[str, int]] = {}
    for wave in waves:
        frames.write_frame(out_dir / "frames" / f"frame_{wave}.csv", seed, chosen, wave)
        sizes[wave] = {}
        for code in chosen:
            small = small_deliveries.get((wave, code))
            sample = draw_sample(
                seed, config[code], wave, book, (small, small) if small else (lo, hi)
            )
            relative = writers.export_path(sample)
            overrides: writers.Overrides = {}
            if bad_rows:
                rng = model.rng_for(seed, "bad_rows", code, wave)
                found, overrides = badrows.plant(sample, book, rng, relative.as_posix())
                planted += [b.as_dict() for b in found]
            _write(out_dir / relative, sample, book, overrides)
            sizes[wave][code] = sample.n
            files.append(
                {
                    "wave": wave,
                    "country": code,
                    "path": relative.as_posix(),
                    "rows": sample.n,
                    "format": config[code].export.format,
                    "instrument_wave": sample.instrument,
                }
            )
    instruments.write_instruments(out_dir, book, [config[c] for c in chosen], waves)
    n_cases = frames.write_cases(out_dir / "cases" / "case_studies.csv", seed, book, chosen)
    questionnaires = {w: model.instrument_wave(book, w) for w in waves}
    small_files = [
        {"wave": w, "country": c, "rows": n}
        for (w, c), n in small_deliveries.items()
        if w in waves and c in chosen
    ]
    result = {
        "seed": seed,
        "synthetic": True,
        "generator": {
            "waves": waves,
            "responses": [lo, hi],
            "bad_rows": bad_rows,
            "countries": chosen,
            "instrument_waves": questionnaires,
            "case_studies": n_cases,
            "small_deliveries": small_files,
        },
        "effects": truth.effects_truth(seed, chosen, waves, sizes),
        "files": files,
        "bad_rows": planted,
        "pii_columns": [q.id for q in book.questions.values() if q.kind in PII_KINDS],
    }
    path = out_dir / TRUTH_FILE
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out_dir / "README.md").write_text(
        truth.readme(
            seed,
            waves,
            (lo, hi),
            bad_rows,
            questionnaires,
            files,
            small_files,
        ),
        encoding="utf-8",
    )
    return path


def _write(path: Path, sample: Sample, book: Codebook, overrides: writers.Overrides) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    export = sample.country.export
    if export.format == "csv":
        columns = writers.render(sample, book, overrides, numeric=False)
        writers.write_csv(path, columns, export.encoding or "utf-8", export.delimiter or ",")
    elif export.format == "xlsx":
        xlsx.write_xlsx(path, writers.render(sample, book, overrides, numeric=True))
    elif export.format == "sav":
        spss.write_sav(path, sample, book, overrides)
    else:
        raise ValueError(f"{sample.country.code}: unknown export format {export.format!r}")
