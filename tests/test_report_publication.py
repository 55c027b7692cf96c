"""The report as a publication: every language built from its catalog, cited, licensed,
its data described beside each CSV, its quality stated from the warehouse (the session's
``publication``, six languages)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
import yaml

from observatory.codebook import load_codebook
from observatory.config import load_publication
from observatory.report import TranslationError, build_report
from observatory.report import text as report_text
from observatory.report.page import vega_bundle
from observatory.report.publication import citation, edition_of
from observatory.report.text import LANGUAGES, REFERENCE, catalog, fmt_date, fmt_int, t
from observatory.warehouse.publish import export_parquet
from tests.conftest import Publication
from tests.report_fixture import (
    LAST_ARRIVAL,
    NOT_IN_FIRST_WAVE,
    RESPONDENTS,
    WAVES,
    _row_accounting,
)

VERSION = "2026-11-01T06:00:00Z"  # tests.report_fixture.SNAPSHOT's timestamp
SIDECAR_FIELDS = (
    "title",
    "definition",
    "unit",
    "base",
    "n_rule",
    "interval_method",
    "suppression_rule",
    "source",
    "snapshot",
    "licence",
)


def visible_text(page: Path) -> str:
    html = page.read_text(encoding="utf-8").replace(vega_bundle(), "")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_language_has_its_page_words_and_labels(publication: Publication) -> None:
    book = load_codebook()
    for lang in LANGUAGES:
        page = publication.year_dir / lang / "index.html"
        html = page.read_text(encoding="utf-8")
        text = visible_text(page)
        assert f'<html lang="{lang}">' in html
        assert t(lang, "title", year=2026) in text and t(lang, "s_cite") in text
        # the dimensions' labels come from the codebook, in the page's language
        specs = json.loads(re.search(r'id="vega-specs">(.*?)</script>', html, re.S).group(1))
        facets = {r["facet"] for r in specs["levers_by_country"]["data"]["values"]}
        assert facets == {c.labels[lang] for c in book.dimensions["lever"].codes.values()}
        assert not re.search(r"\{[a-z_]+\}", text), "a placeholder left unfilled"
        assert '"formatLocale":{"currency"' in html  # Babel's d3 locale, not a hand-made one


@pytest.mark.parametrize(
    ("lang", "total"), [("en", "1,757"), ("fr", "1\u202f757"), ("de", "1.757"), ("el", "1.757")]
)
def test_numbers_are_formatted_for_the_locale(
    publication: Publication, lang: str, total: str
) -> None:
    assert fmt_int(_row_accounting()["rows_read"].sum(), lang) == total
    html = (publication.year_dir / lang / "index.html").read_text(encoding="utf-8")
    assert f'<td class="num">{total}</td>' in html


def test_drafts_are_marked_until_reviewed(publication: Publication) -> None:
    reviewed = load_publication().reviewed_languages
    assert set(reviewed) == {"en", "fr"}
    for lang in LANGUAGES:
        html = (publication.year_dir / lang / "index.html").read_text(encoding="utf-8")
        assert ('class="draft"' in html) == (lang not in reviewed), lang
        if lang not in reviewed:
            assert t(lang, "draft_note") in visible_text(publication.year_dir / lang / "index.html")


def test_no_message_is_left_untranslated() -> None:
    english = catalog(REFERENCE)
    for lang in LANGUAGES:
        messages = catalog(lang)  # complete, same placeholders: else TranslationError
        assert set(messages) == set(english)
        if lang != REFERENCE:  # a long message equal to its English source is untranslated
            same = [
                k
                for k, v in messages.items()
                if len(re.sub(r"\{\w+\}", "", v)) > 24 and v == english[k]
            ]
            assert not same, (lang, same)


def test_default_languages_are_all_unless_the_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(report_text.LANGUAGES_ENV, raising=False)
    assert (
        report_text.default_languages() == list(LANGUAGES) == ["en", "fr", "hr", "de", "el", "it"]
    )
    monkeypatch.setenv(report_text.LANGUAGES_ENV, " de, it ")
    assert report_text.default_languages() == ["de", "it"]


def test_a_missing_translation_fails_the_build_naming_it(
    publication: Publication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(report_text.LOCALES, locales)
    po = locales / "it" / "LC_MESSAGES" / "report.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(re.sub(r'(msgid "k_cases"\nmsgstr )"[^"]*"', r'\1""', text), encoding="utf-8")
    monkeypatch.setattr(report_text, "LOCALES", locales)
    with pytest.raises(TranslationError, match=r"report\.po: message 'k_cases' is not "):
        build_report(publication.warehouse, tmp_path / "reports", languages=["en", "it"])
    assert not (tmp_path / "reports").exists()  # failed before writing anything
    po.write_text(text.replace("{n_countries}", "{countries}"), encoding="utf-8")
    with pytest.raises(TranslationError, match="'lead' has placeholders"):
        catalog("it")


def test_citation_and_licence_in_every_language(publication: Publication) -> None:
    year = publication.year_dir
    edition = edition_of(publication.warehouse, _data(publication))
    licence = load_publication().licence
    assert edition.version == VERSION
    for lang in LANGUAGES:
        text = visible_text(year / lang / "index.html")
        assert citation(edition, lang) in text and VERSION in text
        assert licence.name in text and licence.url in text
    cff = yaml.safe_load((year / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["version"] == VERSION
    assert cff["license"] == licence.id == "CC-BY-4.0" and cff["date-released"] == "2026-11-01"
    record = json.loads((year / "datacite.json").read_text(encoding="utf-8"))["data"]
    attributes = record["attributes"]
    assert attributes["version"] == VERSION and attributes["publicationYear"] == 2026
    assert [x["lang"] for x in attributes["titles"]] == list(LANGUAGES)
    assert attributes["rightsList"][0]["rightsIdentifier"] == "cc-by-4.0"
    assert attributes["types"]["resourceTypeGeneral"] == "Dataset"


def _data(publication: Publication):
    from observatory.report.data import load_report_data

    con = duckdb.connect(str(publication.warehouse), read_only=True)
    try:
        return load_report_data(con)
    finally:
        con.close()


def test_sidecars_match_their_csvs(publication: Publication) -> None:
    folder = publication.year_dir / "data"
    csvs = sorted(folder.glob("*.csv"))
    assert len(csvs) == 18
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for path in csvs:
        with open(path, encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        meta = json.loads(path.with_suffix(".metadata.json").read_text(encoding="utf-8"))
        assert meta["file"] == path.name and meta["columns"] == header
        assert meta["rows"] == len(rows) and f"| {path.name} |" in readme
        assert all(meta[k] for k in SIDECAR_FIELDS), path.name
        assert set(meta["title"]) >= {REFERENCE}
        assert meta["snapshot"]["version"] == VERSION
        assert meta["licence"]["id"] == load_publication().licence.id
        assert meta["source"]["tables"] and "SELECT" in meta["source"]["query"]
    shares = json.loads((folder / "levers_by_country.metadata.json").read_text("utf-8"))
    assert (
        set(shares["title"]) == set(LANGUAGES)
        and "Korn–Graubard" in shares["interval_method"]
        and "fewer than 10" in shares["suppression_rule"]
    )
    with zipfile.ZipFile(publication.year_dir / "data_2026.zip") as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    assert zipped == {f"data/{p.name}": p.read_bytes() for p in folder.iterdir()}


def test_quality_record_comes_from_the_warehouse(publication: Publication) -> None:
    record = json.loads((publication.year_dir / "data" / "quality.json").read_text("utf-8"))
    assert [c["sims"] for c in record["concepts"]] == [
        "S.13",
        "S.14",
        "S.15.2",
        "S.15.4",
        "S.17.1",
        "S.8.1",
    ]
    facts, accounting = record["facts"], _row_accounting()
    now = accounting[accounting["wave"] == 2026]
    assert facts["rows_read"] == now["rows_read"].sum()
    assert facts["rows_quarantined"] == facts["problems"] == now["rows_quarantined"].sum()
    assert facts["files"] == facts["files_balanced"] == len(RESPONDENTS) * len(WAVES)
    assert facts["waves_matching"] == facts["waves"] == len(WAVES)
    assert (facts["checks"], facts["checks_passed"]) == (32, 31)
    assert facts["last_arrival"] == LAST_ARRIVAL
    assert facts["versions"] == {str(w): f"{w}.1" for w in WAVES}
    assert facts["not_every_wave"] == [NOT_IN_FIRST_WAVE]
    assert facts["suppressed"] == 1 and 0 < facts["se_median"] <= facts["se_max"] < 15
    assert record["report"] == {
        "wave": 2026,
        "version": VERSION,
        "release_date": "2026-11-01",
        "snapshot": "observatory-20261101T060000000000Z.duckdb",
    }
    for lang in LANGUAGES:  # the same facts, stated in each page
        text = visible_text(publication.year_dir / lang / "index.html")
        assert t(lang, "q_timeliness") in text
        for day in (dt.date.fromisoformat(LAST_ARRIVAL), dt.date(2026, 11, 1)):
            assert fmt_date(day, lang) in text
        assert fmt_int(facts["rows_read"], lang) in text


def test_parquet_export_states_its_licence(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.shares AS SELECT 1 AS n")
    target = tmp_path / "observatory-20261101T060000000000Z-parquet"
    export_parquet(con, target)
    readme = (target / "README.md").read_text(encoding="utf-8")
    licence = load_publication().licence
    assert licence.id in readme and licence.url in readme and "marts/shares.parquet" in readme


def test_asset_description_names_the_report_path() -> None:
    from assets.defs.published.assets import annual_report

    (description,) = annual_report.descriptions_by_key.values()
    assert "`reports/{wave}/{lang}/index.html`" in description
    assert not re.search(r"<\w+>", description)  # markdown would swallow it as a tag
