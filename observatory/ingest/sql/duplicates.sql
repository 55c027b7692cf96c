-- The copies of every respondent id found more than once in a partition (ingest_ids:
-- every record with an id and the number of its file, as written by
-- observatory.ingest.load; $files, $waves, $countries: the files of the partitions
-- staged and the partition of each, a file's number its position from 0): one row per
-- copy, all of them quarantined, with a reason naming the rows of the copies in its
-- file (the first ten, then how many) and the partition's other files holding the id.
CREATE OR REPLACE TEMP TABLE ingest_duplicates AS
WITH files AS (
    SELECT unnest(range(len($files))) AS file_no, unnest($files) AS file,
           unnest($waves) AS wave, unnest($countries) AS country
),
copies AS (
    SELECT * EXCLUDE (file_no)
    FROM ingest_ids JOIN files USING (file_no)
    QUALIFY count(*) OVER (PARTITION BY wave, country, respondent_key) > 1
),
per_file AS (
    SELECT wave, country, respondent_key, file, list("row" ORDER BY "row") AS copy_rows
    FROM copies GROUP BY ALL
),
reasons AS (
    SELECT p.wave, p.country, p.respondent_key, p.file,
           'duplicate respondent id in rows ' || array_to_string(p.copy_rows[1:10], ', ')
           || CASE WHEN len(p.copy_rows) > 10
                   THEN format(', … ({:,} rows)', len(p.copy_rows)) ELSE '' END
           || coalesce('; also in ' || string_agg(o.file, ', ' ORDER BY o.file), '') AS reason
    FROM per_file p
    LEFT JOIN per_file o ON o.wave = p.wave AND o.country = p.country
        AND o.respondent_key = p.respondent_key AND o.file <> p.file
    GROUP BY p.wave, p.country, p.respondent_key, p.file, p.copy_rows
)
SELECT c.wave, c.country, c.file, c."row", c."column", c.respondent_key, c.loaded, r.reason
FROM copies c JOIN reasons r USING (wave, country, respondent_key, file);
