"""The report's data folder, reusable without the report: every table behind a chart or a
table of the page as ``<name>.csv``, with ``<name>.metadata.json`` beside it (title,
definition, unit, base, n rule, interval method, suppression rule, source tables and
query, snapshot version, licence, and the CSV's columns and row count), a ``README.md``
for the folder, the quality record, and a zip of the whole folder for the page to link.

The descriptions are in English (the ``data`` message catalog); chart titles are given in
every report language.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from observatory.config import load_settings
from observatory.exports import neutralise
from observatory.report.publication import Edition, citation, licence_record
from observatory.report.text import REFERENCE, fmt_int, fmt_pct, t, t_data

METADATA_SUFFIX = ".metadata.json"
QUALITY_NAME = "quality.json"
KINDS = {  # kind -> data catalog keys of unit, base, n rule, interval, suppression rule
    "share": ("m_unit_share", "m_base", "m_n_rule", "m_interval", "m_suppression"),
    "change": ("m_unit_change", "m_base", "m_n_rule", "m_interval_changes", "m_suppression"),
    "cases": (
        "m_unit_count",
        "m_base_cases",
        "m_n_rule_counts",
        "not_applicable",
        "not_applicable",
    ),
    "rows": ("m_unit_rows", "m_base_rows", "m_n_rule_counts", "not_applicable", "not_applicable"),
    "checks": (
        "m_unit_checks",
        "not_applicable",
        "not_applicable",
        "not_applicable",
        "not_applicable",
    ),
}


@dataclass(frozen=True)
class DataTable:
    name: str
    frame: pd.DataFrame
    titles: dict[str, str]  # language -> title
    definition: str
    kind: str  # a key of KINDS
    sources: tuple[str, ...]  # warehouse tables
    query: str  # the SQL the report ran
    parameters: tuple[object, ...]
    selection: str = ""  # what the report kept of the query's result


def zip_name(year: int) -> str:
    return f"data_{year}.zip"


def _rules(kind: str) -> dict[str, str]:
    settings = load_settings()
    values = {
        "level": fmt_pct(settings.confidence_level, REFERENCE),
        **{
            k: fmt_int(v, REFERENCE)
            for k, v in (
                ("n_min", settings.suppress_below_n),
                ("n_eff", settings.unreliable_below_n_eff),
                ("df", settings.unreliable_below_df),
            )
        },
    }
    keys = KINDS[kind]
    return dict(
        zip(
            ("unit", "base", "n_rule", "interval_method", "suppression_rule"),
            (t_data(k, **values) for k in keys),
            strict=True,
        )
    )


def sidecar(table: DataTable, edition: Edition) -> dict[str, object]:
    """The description of one CSV."""
    frame = table.frame
    return {
        "file": f"{table.name}.csv",
        "title": table.titles,
        "definition": table.definition,
        **_rules(table.kind),
        "source": {
            "tables": list(table.sources),
            "query": " ".join(table.query.split()),
            "parameters": list(table.parameters),
            "selection": table.selection,
            "processing": t_data("m_processing")
            if table.kind in ("share", "change")
            else t_data("not_applicable"),
        },
        "snapshot": {"version": edition.version, "file": edition.snapshot},
        "licence": licence_record(),
        "citation": citation(edition, REFERENCE),
        "columns": [str(c) for c in frame.columns],
        "rows": len(frame),
    }


def readme(tables: list[DataTable], edition: Edition) -> str:
    licence = licence_record()
    lines = [
        f"# {t_data('readme_title', year=edition.year)}",
        "",
        t_data("readme_intro"),
        "",
        f"- {t_data('m_cite')}: {citation(edition, REFERENCE)}",
        f"- {t_data('m_licence')}: {licence['title']} ({licence['id']}), {licence['url']}",
        f"- {t_data('m_version')}: {edition.version}",
        "",
        f"| {t_data('m_file')} | {t_data('m_title')} | {t_data('m_rows')} |",
        "|---|---|---:|",
    ]
    lines += [f"| {x.name}.csv | {x.titles[REFERENCE]} | {len(x.frame)} |" for x in tables]
    lines.append(f"| {QUALITY_NAME} | {t(REFERENCE, 'quality_record_link')} | |")
    return "\n".join(lines) + "\n"


def write_data(tables: list[DataTable], folder: Path, edition: Edition, quality_json: str) -> None:
    """The CSVs, their sidecars, the README and the quality record, in ``folder``."""
    folder.mkdir(parents=True)
    for table in tables:
        neutralise(table.frame).to_csv(
            folder / f"{table.name}.csv", index=False, float_format="%.6f", lineterminator="\n"
        )
        (folder / f"{table.name}{METADATA_SUFFIX}").write_text(
            json.dumps(sidecar(table, edition), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
    (folder / "README.md").write_text(readme(tables, edition), encoding="utf-8")
    (folder / QUALITY_NAME).write_text(quality_json, encoding="utf-8")


def zip_folder(folder: Path, target: Path, edition: Edition) -> int:
    """Zip ``folder`` as ``<folder name>/...`` (entries dated by the edition, so a rebuild
    gives the same bytes); return the zip's size."""
    stamp = edition.released.timetuple()[:6]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder)}", stamp)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target.stat().st_size
