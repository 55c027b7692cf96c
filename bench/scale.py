"""Scale inputs for the benchmark: the project's own generator, 5 countries x 10 waves
(2017-2026), and a codebook overlay declaring the extra waves 2017-2023 (and 2027 for
the incremental step) with the instrument the generator used for them (2024's before,
2026's after), so that the real codebook is untouched.
Inputs are cached under bench/scale/ (git-ignored) by size."""

import shutil
from pathlib import Path

import yaml

from observatory.codebook import HERE as CODEBOOK_DIR
from observatory.codebook import load_codebook
from observatory.generate import generate_sample
from observatory.generate.model import instrument_wave

ROOT = Path(__file__).resolve().parent / "scale"
WAVES = tuple(range(2017, 2027))
NEW_WAVE = 2027
SEED = 2026


def codebook_overlay() -> Path:
    folder = ROOT / "codebook"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(CODEBOOK_DIR / "taxonomy.yaml", folder / "taxonomy.yaml")
    book = yaml.safe_load((CODEBOOK_DIR / "questionnaire.yaml").read_text(encoding="utf-8"))
    real = load_codebook()
    for wave in (*WAVES, NEW_WAVE):
        source = instrument_wave(real, wave)  # the generator's rule for unknown waves
        book["waves"].setdefault(
            wave,
            {
                **book["waves"][source],
                "version": f"bench-{wave}",
                "note": f"benchmark only: the {source} instrument",
            },
        )
    (folder / "questionnaire.yaml").write_text(
        yaml.safe_dump(book, allow_unicode=True), encoding="utf-8"
    )
    return folder


def scale_input(per_file: int) -> Path:
    """data/raw-like folder with 5 x 10 files of `per_file` responses each."""
    raw = ROOT / f"raw-{per_file}"
    if not (raw / "planted_truth.json").exists():
        shutil.rmtree(raw, ignore_errors=True)
        generate_sample(
            raw, seed=SEED, waves=WAVES, responses=(per_file, per_file), small_deliveries={}
        )
    return raw


def new_export(per_file: int, country: str = "FR") -> Path:
    """One more wave x country (wave 2027), generated apart, to drop into a raw folder:
    its survey folder (the path returned) and, beside it, its population frame."""
    extra = ROOT / f"extra-{per_file}"
    if not (extra / "planted_truth.json").exists():
        shutil.rmtree(extra, ignore_errors=True)
        generate_sample(
            extra,
            seed=SEED,
            waves=(NEW_WAVE,),
            responses=(per_file, per_file),
            countries=(country,),
        )
    return extra / "surveys" / str(NEW_WAVE) / country


NEW_PARTITION = ("--wave", str(NEW_WAVE), "--country", "FR")  # the refresh's arguments


def grow(per_file: int, root: Path, full: Path) -> tuple[Path, Path]:
    """The incremental step's inputs: the raw folder of `per_file` plus FR 2027 (with its
    population frame), and a work folder holding a copy of the warehouse that a full
    refresh wrote into `full`. Returns (raw folder, work folder)."""
    raw, grown = scale_input(per_file), root / "raw-grown"
    shutil.rmtree(grown, ignore_errors=True)
    shutil.copytree(raw, grown)
    export = new_export(per_file)
    shutil.copytree(export, grown / "surveys" / str(NEW_WAVE) / "FR")
    frame = f"frame_{NEW_WAVE}.csv"
    shutil.copy(export.parents[2] / "frames" / frame, grown / "frames" / frame)
    work = root / "grown"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(full / "warehouse", work / "warehouse", symlinks=True)
    return grown, work
