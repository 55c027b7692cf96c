"""Partitioned steps that take one partition or many in a run (a single-run backfill
hands the step a key range): each partition is done on its own, so one bad export
fails only its partition.

A run over many partitions goes on past a bad one: the others are written (several in
a transaction) and recorded as materialised, then the step fails naming the bad
partitions, so nothing downstream runs on incomplete data. Re-run the bad partition
alone once its export is fixed."""

from collections.abc import Callable

import dagster as dg

from assets.partitions import wave_country


def each_partition(
    context: dg.AssetExecutionContext,
    work: Callable[[int, str], dict],
    together: Callable[[list[str]], dict[str, dict]] = lambda done: {},
    between: Callable[[], None] = lambda: None,
) -> dict[str, dict]:
    """Call `work(wave, country)` for every partition of the run; it returns the
    partition's metadata or raises dg.Failure. `between()` runs after each partition's
    work, whatever became of it (writing what is waiting, once there is enough). Then
    `together(keys done)` does what is done once for all of them (writing what is still
    waiting, validating them) and returns more metadata of each. A dg.Failure from
    `between` or `together` fails the step, and no partition is recorded. Returns
    {partition key: metadata}."""
    done, problems = {}, []
    for key in context.partition_keys:
        wave, country = wave_country(key)
        try:
            done[key] = work(wave, country)
        except dg.Failure as exc:
            problems += [
                f"{wave} {country}: {line}" for line in (exc.description or "failed").splitlines()
            ]
        between()
    for key, metadata in together(list(done)).items():
        done[key].update(metadata)
    if problems:
        for key, metadata in done.items():
            context.log_event(
                dg.AssetMaterialization(
                    asset_key=context.asset_key, partition=key, metadata=metadata
                )
            )
        raise dg.Failure(description="\n".join(problems), allow_retries=False)
    for key, metadata in done.items():
        context.add_asset_metadata(metadata, partition_key=key)
    return done
