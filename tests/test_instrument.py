"""`observatory instrument`: the sample's instruments give the codebook back (round trip),
and hand-made 2027 instruments show their drift before anything changes."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from observatory.cli import main
from observatory.codebook import HERE, build_codebook, load_codebook
from observatory.codebook.drift import Imported, resolve
from observatory.codebook.instrument import Item, Option, read_instrument
from observatory.codebook.proposal import propose
from observatory.codebook.store import merge, read_codebook
from observatory.config import load_countries
from observatory.generate import generate_sample
from observatory.generate.instruments import KINDS, from_codebook, write, write_instruments
from tests.instrument_cases import RENAMED, SPLIT, write_cases

REPO = Path(__file__).resolve().parent.parent
INSTRUMENTS = REPO / "data" / "raw" / "instruments"
BOOK = load_codebook()
COUNTRIES = load_countries()
FILES = sorted(p for p in INSTRUMENTS.rglob("instrument_*") if p.is_file())


def imported(path: Path) -> Imported:
    country = COUNTRIES[path.parent.name]
    return Imported(country.code, country.language, path.name, "", read_instrument(path, country))


def test_the_sample_has_one_instrument_per_tool_country_and_wave() -> None:
    assert [p.relative_to(INSTRUMENTS).as_posix() for p in FILES] == sorted(
        f"{w}/{cc}/instrument_{cc.lower()}_{w}.{ext}"
        for w in (2024, 2025, 2026)
        for cc, ext in (("HR", "lss"), ("GR", "xlsx"), ("IT", "sav"))
    )
    assert sum(p.stat().st_size for p in FILES) < 400_000


def test_the_committed_instruments_are_the_generator_s(tmp_path: Path) -> None:
    write_instruments(tmp_path, BOOK, list(COUNTRIES.values()), (2024, 2025, 2026))
    for path in FILES:
        assert (
            tmp_path / "instruments" / path.relative_to(INSTRUMENTS)
        ).read_bytes() == path.read_bytes(), path


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_importing_the_sample_s_instruments_reproduces_the_codebook(path: Path) -> None:
    wave, lang = int(path.parent.parent.name), COUNTRIES[path.parent.name].language
    questions = resolve(BOOK, max(wave - 1, 2024), imported(path)).questions
    assert [qid for qid, _ in questions] == list(BOOK.wave(wave).question_ids)
    for qid, m in questions:
        q = BOOK.questions[qid]
        assert KINDS[q.kind] == m.item.kind
        assert m.item.labels[lang] == BOOK.header(wave, qid, lang)
        if q.dimension:
            assert m.dimension == q.dimension and list(m.codes) == list(
                BOOK.options(wave, q.dimension)
            )
        if path.suffix != ".sav" and q.kind in ("likert", "number"):  # SPSS stores no range
            assert (m.item.min, m.item.max) == (q.min, q.max)


@pytest.mark.parametrize(
    "wave, change", [(2025, "+ question risks"), (2026, "~ question satisfaction renamed")]
)
def test_the_sample_s_drift_is_the_codebook_s(wave: int, change: str) -> None:
    paths = [p for p in FILES if p.parent.parent.name == str(wave)]
    proposal = propose(BOOK, wave, [imported(p) for p in paths])
    assert proposal.problems == [] and proposal.dimensions == {} and proposal.questions == {}
    assert len(proposal.changes) == 3 and all(change in line for line in proposal.changes)
    taxonomy, questionnaire = read_codebook(HERE)
    del questionnaire["waves"][wave]
    rebuilt = build_codebook(*merge(taxonomy, questionnaire, {"waves": proposal.waves}))
    assert rebuilt.wave(wave).question_ids == BOOK.wave(wave).question_ids
    for qid in BOOK.wave(wave).question_ids:
        for lang in ("hr", "el", "it"):  # the languages of the three tools' countries
            assert rebuilt.header(wave, qid, lang) == BOOK.header(wave, qid, lang)


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, list[str]]:
    code = main(["instrument", *map(str, args)])
    return code, capsys.readouterr().out.splitlines()


def test_a_split_a_renamed_question_and_a_label_in_no_language(
    codebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cases = write_cases(tmp_path)
    hr, hr_mapping = cases["HR"]
    code, out = run(capsys, "import", hr, "--wave", 2027, "--country", "HR")
    assert code == 1 and out[0] == (
        f"{hr}: question barriers: label 'Ograničeno vrijeme' maps "
        "to no code of barrier; closest: limited_capacity"
    )
    assert (
        run(capsys, "import", hr, "--wave", 2027, "--country", "HR", "--mapping", hr_mapping)[0]
        == 0
    )
    assert run(capsys, "import", cases["GR"][0], "--wave", 2027, "--country", "GR")[0] == 0
    it = cases["IT"][0]
    assert run(capsys, "import", it, "--wave", 2027, "--country", "IT")[0] == 1
    code, out = run(capsys, "diff", "--wave", 2027)
    assert code == 1
    assert out[:4] == [
        "wave 2027 against 2026:",
        "  GR: ~ question satisfaction renamed: 'Βαθμός ικανοποίησης (1 έως 5)' -> "
        f"{RENAMED['el']!r}",
        "  HR: < option barrier.limited_capacity split into limited_time, limited_staff",
        f"{it}: question v4: label 'Cooperativa di comunità' maps to no code of org_type; "
        "closest: citizen_collective",
    ]
    code, out = run(capsys, "accept", "--wave", 2027)
    assert code == 1 and out[-1].endswith("1 blocking problem(s): nothing accepted")
    assert not (codebook / "changes").exists() and 2027 not in load_codebook().waves

    mapping = tmp_path / "mapping_it.yaml"
    mapping.write_text(
        "options:\n  org_type:\n    Cooperativa di comunità: citizen_collective\n", encoding="utf-8"
    )
    assert (
        run(capsys, "import", it, "--wave", 2027, "--country", "IT", "--mapping", mapping)[0] == 0
    )
    code, out = run(capsys, "diff", "--wave", 2027)
    assert code == 0 and out[3] == (
        "  IT: ~ option org_type.citizen_collective relabelled (it): "
        "'Collettivo di cittadini' -> 'Cooperativa di comunità'"
    )
    proposal = yaml.safe_load((codebook / "pending/2027/proposal.yaml").read_text("utf-8"))
    assert proposal["waves"][2027]["headers"]["satisfaction"]["fr"] == RENAMED["fr"]
    assert proposal["dimensions"]["barrier"]["codes"]["limited_time"]["replaces"] == [
        "limited_capacity"
    ]
    before = {p.name: p.read_bytes() for p in codebook.glob("*.yaml")}
    code, out = run(capsys, "accept", "--wave", 2027)
    assert code == 0 and "wave 2027 accepted by " in out[0]
    assert {p.name: p.read_bytes() for p in codebook.glob("*.yaml")} == before
    record = yaml.safe_load((codebook / "changes/001_wave_2027.yaml").read_text("utf-8"))
    assert record["accepted_by"] and record["accepted_at"].startswith("20")
    book = load_codebook()
    assert (
        book.dimensions["barrier"].codes["limited_staff"].labels["fr"]
        == SPLIT["Nedovoljno ljudskih resursa"]["fr"]
    )
    assert "limited_time" in book.options(2027, "barrier")
    assert (
        book.dimensions["org_type"].lookup("it")["cooperativa di comunita"] == "citizen_collective"
    )
    assert book.header(2027, "satisfaction", "el") == RENAMED["el"]
    assert not (HERE / "changes").exists() and not (HERE / "pending").exists()

    # then the 2027 exports load: one column per option the wave offers
    generate_sample(
        tmp_path / "raw", waves=[2027], responses=(20, 20), bad_rows=False, countries=["HR"]
    )
    export = tmp_path / "raw/surveys/2027/HR/survey_hr_2027.csv"
    assert "Prepreke suradnji [Ograničeno vrijeme]" in export.read_text("cp1250").split("\n")[0]
    assert main(["check", str(export)]) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith("check: 1 file(s): 1 would load cleanly, 0 with data problems")
    )


def test_without_lineage_a_split_is_an_option_removed_and_two_added(
    codebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    hr, mapping = write_cases(tmp_path, replaces=False)["HR"]
    run(capsys, "import", hr, "--wave", 2027, "--country", "HR", "--mapping", mapping)
    code, out = run(capsys, "diff", "--wave", 2027)
    assert code == 0 and out[1:4] == [
        "  HR: + option barrier.limited_time 'Ograničeno vrijeme' (new)",
        "  HR: + option barrier.limited_staff 'Nedovoljno ljudskih resursa' (new)",
        "  HR: - option barrier.limited_capacity 'Ograničeno vrijeme i ljudski resursi'",
    ]


def test_accept_needs_a_fresh_proposal(
    codebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert run(capsys, "accept", "--wave", 2027)[0] == 1
    gr = write_cases(tmp_path)["GR"][0]
    run(capsys, "import", gr, "--wave", 2027, "--country", "GR")
    run(capsys, "diff", "--wave", 2027)
    proposal = (codebook / "pending/2027/proposal.yaml").read_bytes()
    code, out = run(
        capsys,
        "import",
        gr,
        "--wave",
        2027,
        "--country",
        "GR",
        "--mapping",
        codebook / "nothing.yaml",
    )
    assert code == 1 and out == [
        f"{codebook / 'nothing.yaml'}: not a mapping file "
        "(FileNotFoundError: [Errno 2] No such file or directory: "
        f"'{codebook / 'nothing.yaml'}')"
    ]
    assert (codebook / "pending/2027/proposal.yaml").read_bytes() == proposal
    shutil.copy(gr, tmp_path / "again.xlsx")
    run(capsys, "import", tmp_path / "again.xlsx", "--wave", 2027, "--country", "GR")
    code, out = run(capsys, "accept", "--wave", 2027)
    assert code == 1 and "changed since this proposal" in out[-1]


def test_a_question_added_one_removed_and_two_options_merged(
    codebook: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    website = Item(
        "website",
        "text",
        {
            "hr": "Mrežna stranica",
            "fr": "Site web",
            "de": "Webseite",
            "el": "Ιστότοπος",
            "it": "Sito web",
        },
    )
    merged = {
        "code": "shared_ownership",
        "replaces": ["clear_ownership", "early_alignment"],
        "en": "Shared ownership",
        "fr": "Responsabilité partagée",
        "hr": "Zajednička odgovornost",
        "de": "Geteilte Verantwortung",
        "el": "Κοινή ευθύνη",
        "it": "Responsabilità condivisa",
    }
    gr = from_codebook(BOOK, 2026, COUNTRIES["GR"])
    items = []
    for item in gr.items:
        if item.name == "levers":
            item = dataclasses.replace(
                item, options=(Option("shared", {"el": merged["el"]}), *item.options[2:])
            )
        if item.name != "comment":
            items.append(item)
    path = tmp_path / "form.xlsx"
    write(path, dataclasses.replace(gr, items=(*items, website)), COUNTRIES["GR"])
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        yaml.safe_dump({"options": {"lever": {merged["el"]: merged}}}, allow_unicode=True),
        encoding="utf-8",
    )
    assert (
        run(capsys, "import", path, "--wave", 2027, "--country", "GR", "--mapping", mapping)[0] == 0
    )
    code, out = run(capsys, "diff", "--wave", 2027)
    assert code == 0 and out[1:4] == [
        "  GR: + question website 'Ιστότοπος' (text, new)",
        "  GR: - question comment 'Σχόλια'",
        "  GR: > options lever.clear_ownership + lever.early_alignment merged into "
        "shared_ownership",
    ]
    assert run(capsys, "accept", "--wave", 2027)[0] == 0
    book = load_codebook()
    assert book.questions["website"].kind == "pii"  # free text is personal data until said
    assert book.questions["website"].header["fr"] == "Site web"
    assert book.wave(2027).question_ids[-1] == "website"
    assert "comment" not in book.wave(2027).question_ids
    assert book.options(2027, "lever") == (
        "shared_ownership",
        "dedicated_coordination",
        "process_integration",
    )
    assert book.dimensions["lever"].codes["shared_ownership"].replaces == (
        "clear_ownership",
        "early_alignment",
    )


def test_two_questions_of_one_id_and_a_changed_type_are_blocking() -> None:
    gr = from_codebook(BOOK, 2026, COUNTRIES["GR"])
    theme = next(i for i in gr.items if i.name == "theme")
    twice = dataclasses.replace(theme, name="theme_again")
    multiple = dataclasses.replace(
        next(i for i in gr.items if i.name == "ci_stage"), kind="multiple"
    )
    items = tuple(multiple if i.name == "ci_stage" else i for i in gr.items)
    instrument = dataclasses.replace(gr, items=(*items, twice))
    problems = propose(BOOK, 2027, [Imported("GR", "el", "form.xlsx", "", instrument)]).problems
    assert problems == [
        "form.xlsx: question ci_stage: a multiple question, but ci_stage is single in the "
        "codebook (give it a new id in the mapping file)",
        "form.xlsx: question theme_again: maps to theme, as another question does (name it in "
        "the mapping file)",
    ]


def test_a_header_too_new_to_pair_is_named_in_the_mapping_file() -> None:
    it = from_codebook(BOOK, 2026, COUNTRIES["IT"])
    items = tuple(
        dataclasses.replace(i, name="v50", labels={"it": "Giudizio complessivo"})
        if i.name == "satisfaction"
        else i
        for i in it.items
    )
    instrument = dataclasses.replace(it, items=items)

    def changes(mapping: dict) -> list[str]:
        imported = Imported("IT", "it", "it.sav", "", instrument, mapping)
        return propose(BOOK, 2027, [imported]).changes

    assert changes({}) == [
        "IT: + question v50 'Giudizio complessivo' (scale, new)",
        "IT: - question satisfaction 'Livello di soddisfazione (da 1 a 5)'",
    ]
    assert changes({"questions": {"Giudizio complessivo": "satisfaction"}}) == [
        "IT: ~ question satisfaction renamed: 'Livello di soddisfazione (da 1 a 5)' -> "
        "'Giudizio complessivo'"
    ]
