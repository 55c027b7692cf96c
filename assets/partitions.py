"""Survey partitions: wave x country.

Countries come from the configuration (a static dimension). Waves are dynamic: a wave
becomes a partition when its first export is found under data/raw/surveys/<wave>/ and
the codebook knows its instrument (the sensor, the schedules and `observatory refresh`
add it). A folder of an unknown wave is reported, never a partition (see
`observatory.ingest.discover.unreadable`).

Multi-partition keys read "<country>|<wave>" (dimensions sorted by name), and a key
range is a rectangle: countries start..end (configuration order) x waves start..end."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from observatory.config import load_countries
from observatory.ingest.discover import SurveyFile, files_for, survey_files

WAVES = "wave"
wave_partitions = dg.DynamicPartitionsDefinition(name=WAVES)
survey_partitions = dg.MultiPartitionsDefinition(
    {
        "wave": wave_partitions,
        "country": dg.StaticPartitionsDefinition(list(load_countries())),
    }
)


def wave_country(key: str | dg.MultiPartitionKey) -> tuple[int, str]:
    keys = survey_partitions.get_partition_key_from_str(str(key)).keys_by_dimension
    return int(keys["wave"]), keys["country"]


def partition_key(wave: int, country: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"wave": str(wave), "country": country})


def exports(raw_dir: Path, wave: int, country: str) -> list[SurveyFile]:
    """The partition's export file(s); a partition without any fails its step."""
    if surveys := files_for(Path(raw_dir), wave, country):
        return surveys
    raise dg.Failure(
        f"no export under {Path(raw_dir) / 'surveys' / str(wave) / country}", allow_retries=False
    )


def delivered(
    raw_dir: Path, waves: list[int] | None = None, countries: list[str] | None = None
) -> list[tuple[int, str]]:
    """(wave, country) of every readable export, optionally only some waves / countries."""
    return sorted(
        {
            (f.wave, f.country)
            for f in survey_files(Path(raw_dir))
            if (not waves or f.wave in waves) and (not countries or f.country in countries)
        }
    )


def new_waves(instance: dg.DagsterInstance, pairs: list[tuple[int, str]]) -> list[str]:
    """Delivered waves that are not yet partitions of this Dagster instance."""
    known = set(instance.get_dynamic_partitions(WAVES))
    return sorted({str(w) for w, _ in pairs} - known)


def register_waves(instance: dg.DagsterInstance, pairs: list[tuple[int, str]]) -> None:
    if missing := new_waves(instance, pairs):
        instance.add_dynamic_partitions(WAVES, missing)


def key_ranges(
    instance: dg.DagsterInstance, pairs: list[tuple[int, str]]
) -> list[dg.PartitionKeyRange]:
    """Few key ranges covering exactly these partitions: one per group of countries that
    delivered the same waves, split where a wave or country in between is missing (the
    whole sample is one range). The waves must be registered (`register_waves`)."""
    wave_order = [int(w) for w in instance.get_dynamic_partitions(WAVES)]
    waves_of: dict[str, list[int]] = {}
    for wave, country in pairs:
        waves_of.setdefault(country, []).append(wave)
    ranges = []
    for countries, waves in _rectangles(list(load_countries()), waves_of):
        for first, last in _runs(sorted(waves, key=wave_order.index), wave_order):
            ranges.append(
                dg.PartitionKeyRange(
                    str(partition_key(first, countries[0])), str(partition_key(last, countries[-1]))
                )
            )
    return ranges


def _rectangles(
    order: list[str], waves_of: dict[str, list[int]]
) -> Iterator[tuple[list[str], list[int]]]:
    """Adjacent countries (configuration order) with the same delivered waves."""
    group: list[str] = []
    for country in order + [""]:
        if group and sorted(waves_of.get(country, [])) != sorted(waves_of[group[0]]):
            yield group, waves_of[group[0]]
            group = []
        if country in waves_of:
            group.append(country)


def _runs(waves: list[int], order: list[int]) -> list[tuple[int, int]]:
    """Waves adjacent in the partition order as (first, last)."""
    runs: list[tuple[int, int]] = []
    for wave in waves:
        if runs and order.index(runs[-1][1]) == order.index(wave) - 1:
            runs[-1] = (runs[-1][0], wave)
        else:
            runs.append((wave, wave))
    return runs
