"""One export's staged rows from its harmonised chunks, with the duplicated respondent ids
of the whole file: every copy of an id is quarantined, naming the rows of all copies."""

from __future__ import annotations

import pandas as pd

from observatory.ingest.harmonise import QUARANTINE_COLUMNS, Staged

LISTED = 10  # rows of the copies of an id named in the reason


def _rows(rows: pd.Series) -> str:
    listed = ", ".join(map(str, rows.iloc[:LISTED]))
    return listed + (f", … ({len(rows):,} rows)" if len(rows) > LISTED else "")


def _duplicates(dup: pd.DataFrame, wave: int, country: str, file: str) -> pd.DataFrame:
    listing = dup.groupby("respondent_key")["row"].transform(_rows).astype(str)
    return pd.DataFrame(
        {
            "wave": wave,
            "country": country,
            "file": file,
            "row": dup["row"].astype("int64").values,
            "column": dup["column"].values,
            "value": [key.decode() for key in dup["respondent_key"]],
            "reason": ("duplicate respondent id in rows " + listing).values,
        },
        columns=QUARANTINE_COLUMNS,
    )


def combine(parts: list[Staged], wave: int, country: str, file: str) -> Staged:
    """The staged rows of a file read in chunks (in the order of the file)."""
    ids = pd.concat([p.ids for p in parts], ignore_index=True)
    dup = ids[ids["respondent_key"].duplicated(keep=False)]
    quarantine = pd.concat(
        [
            *(p.quarantine for p in parts if len(p.quarantine)),
            _duplicates(dup, wave, country, file),
        ],
        ignore_index=True,
    )
    bad = {key.decode() for key in dup["respondent_key"]}
    respondents = pd.concat([p.respondents for p in parts], ignore_index=True)
    answers = pd.concat([p.answers for p in parts], ignore_index=True)
    if bad and "respondent_key" in respondents:
        respondents = respondents[~respondents["respondent_key"].isin(bad)]
        answers = answers[~answers["respondent_key"].isin(bad)]
    elif bad:  # slim parts: the count of rows that load
        respondents = respondents.iloc[: len(respondents) - int(dup["loaded"].sum())]
    return Staged(
        respondents.reset_index(drop=True),
        answers.reset_index(drop=True),
        quarantine.sort_values(["row", "column"], kind="stable", ignore_index=True),
        sum(p.rows_read for p in parts),
        parts[0].ignored,
        ids.iloc[:0],
    )
