"""The synthetic sample generator: files, formats, determinism, planted truth."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pyreadstat
import pytest

from observatory.codebook import load_codebook, normalise_label
from observatory.config import load_countries
from observatory.generate import generate_sample
from observatory.generate.model import SMALL_DELIVERIES

WAVES = (2024, 2025, 2026)
SMALL = (40, 60)
BOOK = load_codebook()
COUNTRIES = load_countries()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sample")
    truth = generate_sample(out, seed=7, waves=WAVES, responses=SMALL)
    return out, json.loads(truth.read_text(encoding="utf-8"))


def read_table(path: Path, country: str) -> tuple[list[str], list[list[object]]]:
    """Header and records as the file holds them (SAV: variable labels, raw codes)."""
    export = COUNTRIES[country].export
    if export.format == "csv":
        text = path.read_bytes().decode(export.encoding or "utf-8")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=export.delimiter or ","))
        return rows[0], rows[1:]
    if export.format == "xlsx":
        values = list(openpyxl.load_workbook(path, read_only=True).worksheets[0].values)
        return list(values[0]), [list(v) for v in values[1:]]
    frame, meta = pyreadstat.read_sav(str(path))
    header = [meta.column_names_to_labels[c] for c in frame.columns]
    records = frame.astype(object).where(frame.notna(), None).values.tolist()
    return header, records


def expected_header(wave: int, country: str) -> list[str]:
    c = COUNTRIES[country]
    ms, lang = c.export.multi_select, c.language
    out = []
    for q in BOOK.questions_for(wave):
        header = BOOK.header(wave, q.id, lang)
        if q.kind == "multi" and ms.layout == "columns":
            out += [
                ms.column.format(question=header, option=BOOK.label(q.dimension, code, lang))
                for code in BOOK.dimensions[q.dimension].codes
            ]
        else:
            out.append(header)
    return out


def test_one_file_per_country_and_wave_in_its_format(sample: tuple[Path, dict]) -> None:
    out, truth = sample
    assert {(f["wave"], f["country"]) for f in truth["files"]} == {
        (w, c) for w in WAVES for c in COUNTRIES
    }
    for f in truth["files"]:
        path = out / f["path"]
        export = COUNTRIES[f["country"]].export
        assert path.parent == out / "surveys" / str(f["wave"]) / f["country"]
        assert path.suffix == f".{export.format}"
        raw = path.read_bytes()
        if export.encoding == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
        elif export.encoding:  # a legacy code page: not UTF-8, decodes with the code page
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            first = raw.decode(export.encoding).splitlines()[0]
            assert (
                first.count(export.delimiter) == len(expected_header(f["wave"], f["country"])) - 1
            )
        header, records = read_table(path, f["country"])
        small = SMALL_DELIVERIES.get((f["wave"], f["country"]))
        assert len(records) == f["rows"]
        assert f["rows"] == small if small else SMALL[0] <= f["rows"] <= SMALL[1]
    frame, meta = pyreadstat.read_sav(str(out / "surveys/2025/IT/survey_it_2025.sav"))
    assert all(re.fullmatch(r"v\d+", c) for c in frame.columns)
    labels = meta.variable_value_labels[frame.columns[4]]  # scheme type
    assert labels == {
        1.0: "Guidato dall'impresa",
        2.0: "Guidato dal territorio",
        3.0: "Interno all'organizzazione",
    }


def test_headers_follow_the_codebook_wave_and_language(sample: tuple[Path, dict]) -> None:
    out, truth = sample
    for f in truth["files"]:
        header, _ = read_table(out / f["path"], f["country"])
        assert header == expected_header(f["wave"], f["country"]), f["path"]
    fr = {w: read_table(out / f"surveys/{w}/FR/survey_fr_{w}.csv", "FR")[0] for w in WAVES}
    assert "Risques du partenariat" not in fr[2024] and "Risques du partenariat" in fr[2025]
    assert "Satisfaction à l'égard de la coopération (1-5)" in fr[2025]
    assert "Niveau de satisfaction (de 1 à 5)" in fr[2026]
    assert "Niveau de satisfaction (de 1 à 5)" not in fr[2024]


def _bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_files_other_seed_different(
    sample: tuple[Path, dict], tmp_path: Path
) -> None:
    out, _ = sample
    generate_sample(tmp_path / "again", seed=7, waves=WAVES, responses=SMALL)
    generate_sample(tmp_path / "other", seed=8, waves=WAVES, responses=SMALL)
    first, again, other = _bytes(out), _bytes(tmp_path / "again"), _bytes(tmp_path / "other")
    assert first == again  # CSV, XLSX, SAV, frames, cases, truth: byte for byte
    for path in ("surveys/2024/IT/survey_it_2024.sav", "surveys/2024/AT/survey_at_2024.xlsx"):
        assert read_table(out / path, path.split("/")[2]) == read_table(
            tmp_path / "again" / path, path.split("/")[2]
        )
    changed = [p for p in first if p.startswith("surveys/") and first[p] != other[p]]
    assert len(changed) == len(WAVES) * len(COUNTRIES)


def test_a_file_depends_only_on_seed_country_and_wave(
    sample: tuple[Path, dict], tmp_path: Path
) -> None:
    out, _ = sample
    generate_sample(tmp_path, seed=7, waves=[2025], responses=SMALL, countries=["FR", "EL"])
    for path in ("surveys/2025/FR/survey_fr_2025.csv", "surveys/2025/GR/survey_gr_2025.csv"):
        assert (tmp_path / path).read_bytes() == (out / path).read_bytes()
    assert not (tmp_path / "surveys/2025/IT").exists()


def test_truth_lists_effects_and_bad_rows(sample: tuple[Path, dict]) -> None:
    _, truth = sample
    assert truth["seed"] == 7 and truth["synthetic"] is True
    assert truth["pii_columns"] == ["org_name", "contact_email", "comment"]
    cells = {(e["id"], e["domain_type"], e["domain"], e["wave"]) for e in truth["effects"]}
    for w in WAVES:
        assert {
            ("E1", "scheme_type", "territory_led", w),
            ("E1", "scheme_type", "company_led", w),
            ("E2", "country", "FR", w),
            ("E3", "scheme_type", "company_led", w),
            ("E3", "scheme_type", "internal", w),
        } <= cells
        assert {("E4", "country", c, w) for c in COUNTRIES} <= cells
    for e in truth["effects"]:
        assert 0 < e["population_share"] < 1 and 0 < e["sample_share_unweighted"] < 1
    planted = {
        ("E1", "territory_led"): 0.65,
        ("E1", "company_led"): 0.30,
        ("E2", "FR"): None,
        ("E3", "company_led"): 0.60,
        ("E3", "internal"): 0.35,
    }
    for e in truth["effects"]:
        if planted.get((e["id"], e["domain"])) is not None:
            assert e["population_share"] == pytest.approx(planted[(e["id"], e["domain"])])
    e2 = [e["population_share"] for e in truth["effects"] if e["id"] == "E2"]
    assert e2 == [0.55, 0.42, 0.30]
    e4 = [e for e in truth["effects"] if e["id"] == "E4"]
    assert all(e["population_share"] - e["sample_share_unweighted"] > 0.05 for e in e4)
    per_file = Counter(b["path"] for b in truth["bad_rows"])
    assert set(per_file) == {f["path"] for f in truth["files"]}
    assert all(3 <= n <= 6 for n in per_file.values())
    kinds = Counter(b["kind"] for b in truth["bad_rows"])
    assert set(kinds) == {
        "likert_out_of_range",
        "unknown_label",
        "duplicate_respondent",
        "non_numeric",
    }
    assert kinds["duplicate_respondent"] == 2 * len(truth["files"])


def _number(value: object, decimal: str) -> float | None:
    if value is None or value == "":
        return None
    return float(value) if not isinstance(value, str) else float(value.replace(decimal, "."))


def test_bad_rows_are_bad_and_the_others_clean(sample: tuple[Path, dict]) -> None:
    out, truth = sample
    bad = {(b["path"], b["row"]): b for b in truth["bad_rows"]}
    assert len(truth["files"]) == 15 and len(bad) >= 15  # not vacuous
    for f in truth["files"]:
        country = COUNTRIES[f["country"]]
        header, records = read_table(out / f["path"], f["country"])
        first = 1 if country.export.format == "sav" else 2
        col = {
            q: header.index(BOOK.header(f["wave"], q, country.language))
            for q in (
                "respondent_id",
                "scheme_type",
                "ci_stage",
                "satisfaction",
                "coordination_fte",
            )
        }
        ids = Counter(r[col["respondent_id"]] for r in records)
        for i, record in enumerate(records):
            problems = []
            if ids[record[col["respondent_id"]]] > 1:
                problems.append(("respondent_id", "duplicate_respondent"))
            for q in ("scheme_type", "ci_stage"):
                value = record[col[q]]
                dim = BOOK.dimensions[BOOK.questions[q].dimension]
                if country.export.format == "sav":
                    known = value is None or 1 <= value <= len(dim.codes)
                else:
                    known = value in (None, "") or normalise_label(value) in dim.lookup(
                        country.language
                    )
                if not known:
                    problems.append((q, "unknown_label"))
            try:
                fte = _number(record[col["coordination_fte"]], country.export.decimal)
                assert fte is None or 0 <= fte <= 5
            except ValueError:
                problems.append(("coordination_fte", "non_numeric"))
            sat = _number(record[col["satisfaction"]], ".")
            if sat is not None and sat not in (1, 2, 3, 4, 5):
                problems.append(("satisfaction", "likert_out_of_range"))
            entry = bad.pop((f["path"], i + first), None)
            expected = [] if entry is None else [(entry["column"], entry["kind"])]
            assert problems == expected, (f["path"], i + first, record)
    assert not bad  # every listed bad row was found


def _frame(out: Path, wave: int) -> dict[tuple[str, str], int]:
    with (out / f"frames/frame_{wave}.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["country"], r["org_type"]): int(r["population"]) for r in csv.DictReader(handle)}


def test_frames_and_cases(sample: tuple[Path, dict]) -> None:
    out, _ = sample
    frames = {w: _frame(out, w) for w in WAVES}
    org_types = list(BOOK.dimensions["org_type"].codes)
    assert set(frames[2024]) == {(c, t) for c in COUNTRIES for t in org_types}
    for key, n in frames[2024].items():
        assert 200 <= n <= 100_000 and n <= frames[2025][key] <= frames[2026][key] <= n * 1.07
    with (out / "cases/case_studies.csv").open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    assert list(cases[0]) == [
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
    ]
    assert all(4 <= n <= 6 for n in Counter(c["country"] for c in cases).values())
    multi = {
        "sim_roles": "sim_role",
        "levers": "lever",
        "barriers": "barrier",
        "transferable_elements": "transferability",
    }
    for case in cases:
        assert BOOK.dimensions["subtheme"].codes[case["subtheme"]].parent == case["theme"]
        assert case["scheme_type"] in BOOK.dimensions["scheme_type"].codes
        assert case["outcome"] in BOOK.dimensions["outcome"].codes
        for column, dim in multi.items():
            assert set(case[column].split("|")) <= set(BOOK.dimensions[dim].codes)
    readme = " ".join((out / "README.md").read_text(encoding="utf-8").split())
    assert "synthetic" in readme and "observatory generate-sample --seed 7" in readme


def test_personal_data_looks_real_but_is_fake(sample: tuple[Path, dict]) -> None:
    out, _ = sample
    header, records = read_table(out / "surveys/2024/FR/survey_fr_2024.csv", "FR")
    emails = [r[header.index("E-mail de contact")] for r in records]
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+@example\.(com|org|net)", e) for e in emails if e)
    assert any(not e for e in emails)
    comments = [r[header.index("Commentaire libre")] for r in records]
    assert any(not c for c in comments) and len({c for c in comments if c}) >= 5


def test_wave_outside_the_codebook_reuses_the_latest_earlier_instrument(tmp_path: Path) -> None:
    truth = json.loads(
        generate_sample(tmp_path, waves=[2028], responses=SMALL, countries=["FR"]).read_text(
            encoding="utf-8"
        )
    )
    assert truth["files"][0]["instrument_wave"] == 2026
    header, _ = read_table(tmp_path / "surveys/2028/FR/survey_fr_2028.csv", "FR")
    assert header == expected_header(2026, "FR")
    e2 = next(e for e in truth["effects"] if e["id"] == "E2")
    assert e2["population_share"] < 0.30


def test_planted_effects_are_recovered_from_a_large_sample(tmp_path: Path) -> None:
    truth = json.loads(
        generate_sample(
            tmp_path,
            seed=11,
            waves=[2024],
            responses=(5000, 5000),
            bad_rows=False,
            countries=["FR"],
        ).read_text("utf-8")
    )
    header, records = read_table(tmp_path / "surveys/2024/FR/survey_fr_2024.csv", "FR")
    col = {
        q: header.index(BOOK.header(2024, q, "fr"))
        for q in ("org_type", "scheme_type", "theme", "subtheme", "barriers")
    }
    code = {
        q: BOOK.dimensions[q].lookup("fr") for q in ("org_type", "scheme_type", "theme", "subtheme")
    }
    rows = [
        {q: code[q][normalise_label(r[col[q]])] for q in code}
        | {
            "barriers": {
                BOOK.dimensions["barrier"].lookup("fr")[normalise_label(b)]
                for b in r[col["barriers"]].split("|")
                if b
            }
        }
        for r in records
    ]
    assert all(BOOK.dimensions["subtheme"].codes[r["subtheme"]].parent == r["theme"] for r in rows)
    effects = {(e["id"], e["domain"]): e for e in truth["effects"]}
    for scheme, generating in (("territory_led", 0.65), ("company_led", 0.30)):
        chosen = [r for r in rows if r["scheme_type"] == scheme]
        share = sum("multi_actor_complexity" in r["barriers"] for r in chosen) / len(chosen)
        assert abs(share - generating) < 0.03, scheme
    # E4: post-stratified to the frame, the share recovers the population value, the
    # unweighted share the (biased) sample value.
    frame = {t: n for (c, t), n in _frame(tmp_path, 2024).items() if c == "FR"}
    counts = Counter(r["org_type"] for r in rows)
    hits = Counter(r["org_type"] for r in rows if "limited_capacity" in r["barriers"])
    weighted = sum(frame[t] * hits[t] / counts[t] for t in counts) / sum(frame.values())
    unweighted = sum(hits.values()) / len(rows)
    e4 = effects[("E4", "FR")]
    assert abs(weighted - e4["population_share"]) < 0.03
    assert abs(unweighted - e4["sample_share_unweighted"]) < 0.03
    assert counts["company"] / len(rows) > 2 * frame["company"] / sum(frame.values())


def test_numbers_are_numbers_in_xlsx_and_sav(sample: tuple[Path, dict]) -> None:
    out, _ = sample
    header, records = read_table(out / "surveys/2026/AT/survey_at_2026.xlsx", "AT")
    sat = [r[header.index(BOOK.header(2026, "satisfaction", "de"))] for r in records]
    fte = [r[header.index(BOOK.header(2026, "coordination_fte", "de"))] for r in records]
    assert all(isinstance(v, int) for v in sat if v is not None)
    assert all(isinstance(v, int | float) for v in fte if v is not None)
    assert any(isinstance(v, float) and v != int(v) for v in fte)
    frame, meta = pyreadstat.read_sav(str(out / "surveys/2026/IT/survey_it_2026.sav"))
    by_label = {label: name for name, label in meta.column_names_to_labels.items()}
    assert meta.readstat_variable_types[by_label["ID rispondente"]] == "string"
    assert meta.readstat_variable_types[by_label["Commenti"]] == "string"
    assert meta.readstat_variable_types[by_label["Tempo di coordinamento (ETP)"]] == "double"
    option = by_label["Ostacoli alla cooperazione: Tempo e risorse umane limitati"]
    assert set(frame[option].unique()) == {0.0, 1.0}


def test_fake_data_fits_every_code_page() -> None:
    from observatory.generate import badrows
    from observatory.generate.fakes import pools

    for country in COUNTRIES.values():
        lang, encoding = country.language, country.export.encoding or "utf-8"
        pool = pools()[lang]
        texts = [
            *pool.comments,
            *pool.words,
            *pool.places,
            pool.phone_note,
            pool.phone,
            *(p for patterns in pool.org.values() for p in patterns),
            badrows.NON_NUMERIC[lang],
            *(t[lang] for t in badrows.UNKNOWN_LABELS.values()),
        ]
        assert len(pool.comments) >= 5 and len(pool.words) >= 5 and pool.phone  # not vacuous
        for text in texts:
            text.encode(encoding)  # raises UnicodeEncodeError if the code page lacks a letter
