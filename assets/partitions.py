"""Survey partitions: wave (the codebook's waves) x country (the configuration's)."""


import dagster as dg

from observatory.codebook import load_codebook
from observatory.config import load_countries

survey_partitions = dg.MultiPartitionsDefinition({
    "wave": dg.StaticPartitionsDefinition([str(w) for w in sorted(load_codebook().waves)]),
    "country": dg.StaticPartitionsDefinition(list(load_countries())),
})


def wave_country(context: dg.AssetExecutionContext) -> tuple[int, str]:
    keys = context.partition_key.keys_by_dimension
    return int(keys["wave"]), keys["country"]


def partition_key(wave: int, country: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"wave": str(wave), "country": country})
