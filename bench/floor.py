"""The floor: a hand-written DuckDB script computing the same lever, barrier and
scheme-type weighted shares by country and wave from the same raw files, with Python
only where DuckDB cannot read the format (legacy code pages, XLSX, SPSS). No
quarantine, validation, provenance, privacy or standard errors: the least work there is.

    .venv/bin/python bench/floor.py RAW_DIR   # prints the number of share rows
"""

import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import load_countries
from observatory.ingest.discover import survey_files
from observatory.warehouse.inputs import read_frames

DIMENSIONS = {"levers": "lever", "barriers": "barrier", "scheme_type": "scheme_type"}


def load(con: duckdb.DuckDBPyConnection, path: Path, country: str, tmp: Path) -> str:
    """A relation of the export with its original headers, all text."""
    export = load_countries()[country].export
    if export.format == "csv":
        if export.encoding not in (None, "utf-8", "utf-8-sig"):  # DuckDB reads UTF-8 only
            utf8 = tmp / f"{path.stem}.csv"
            utf8.write_text(path.read_text(encoding=export.encoding), encoding="utf-8")
            path = utf8
        return (f"read_csv({lit(str(path))}, delim={lit(export.delimiter)}, header=true, "
                "all_varchar=true, quote='\"')")
    if export.format == "xlsx":
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(str(path)) as book:
            rows = book.get_sheet_by_index(0).to_python()
        frame = pd.DataFrame(rows[1:], columns=rows[0]).astype(str) \
            .replace(r"^(-?\d+)\.0$", r"\1", regex=True)  # calamine reads numbers as floats
    else:
        import pyreadstat

        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
        frame.columns = [meta.column_names_to_labels[c] for c in frame.columns]
        frame = frame.astype(str)
    name = f"t_{path.stem}"
    con.register(name, frame)
    return name


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def answers_sql(source: str, wave: int, country: str) -> str:
    """SELECT respondent, org_type label and one row per chosen label of each dimension."""
    book, spec = load_codebook(), load_countries()[country]
    lang, multi = spec.language, spec.export.multi_select

    def col(qid: str) -> str:
        return ident(book.header(wave, qid, lang))

    base = f"{col('respondent_id')} AS id, {col('org_type')} AS org_label, {wave} AS wave, " \
           f"'{country}' AS country"
    parts = [f"SELECT {base}, 'scheme_type' AS dimension, {col('scheme_type')} AS label "
             f"FROM {source}"]
    for qid in ("levers", "barriers"):
        dim = DIMENSIONS[qid]
        if multi.layout == "cell":
            parts.append(f"SELECT {base}, '{dim}', trim(unnest(string_split({col(qid)}, "
                         f"{lit(multi.separator)}))) FROM {source}")
            continue
        header = book.header(wave, qid, lang)
        for code in book.dimensions[dim].codes.values():
            name = multi.column.format(question=header, option=code.labels[lang])
            chosen = ", ".join(lit(s) for s in multi.selected)
            parts.append(f"SELECT {base}, '{dim}', {lit(code.labels[lang])} FROM {source} "
                         f"WHERE {ident(name)} IN ({chosen})")
    return "\nUNION ALL\n".join(parts)


def labels() -> pd.DataFrame:
    book, rows = load_codebook(), []
    for dim in ("org_type", *DIMENSIONS.values()):
        for code in book.dimensions[dim].codes.values():
            rows += [{"dimension": dim, "label": code.labels[c.language], "code": code.code,
                      "country": c.code} for c in load_countries().values()]
    return pd.DataFrame(rows)


SHARES = """
WITH resp AS (
    SELECT DISTINCT a.wave, a.country, a.id, l.code AS org_type
    FROM answers a JOIN labels l ON l.dimension = 'org_type' AND l.country = a.country
                                 AND l.label = a.org_label
),
weights AS (
    SELECT r.*, f.population / count(*) OVER (PARTITION BY r.wave, r.country, r.org_type) AS w
    FROM resp r JOIN frames f USING (wave, country, org_type)
),
chosen AS (
    SELECT DISTINCT a.wave, a.country, a.id, l.dimension, l.code
    FROM answers a JOIN labels l ON l.dimension = a.dimension AND l.country = a.country
                                 AND l.label = a.label
)
SELECT c.wave, c.country, c.dimension, c.code,
       sum(w.w) / any_value(t.total) AS share
FROM chosen c JOIN weights w USING (wave, country, id)
JOIN (SELECT wave, country, sum(w) AS total FROM weights GROUP BY ALL) t USING (wave, country)
GROUP BY ALL ORDER BY ALL
"""


def floor(raw_dir: Path) -> pd.DataFrame:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    with tempfile.TemporaryDirectory() as tmp:
        queries = [answers_sql(load(con, f.path, f.country, Path(tmp)), f.wave, f.country)
                   for f in survey_files(raw_dir)]
        con.execute("CREATE TABLE answers AS " + "\nUNION ALL\n".join(queries))
    con.register("labels", labels())
    con.register("frames", read_frames(raw_dir))
    return con.execute(SHARES).df()


if __name__ == "__main__":
    print(len(floor(Path(sys.argv[1]))))
