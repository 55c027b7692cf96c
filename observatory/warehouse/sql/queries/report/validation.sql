/* The latest validation results for the waves up to ?, summarised per suite x target. */
WITH latest AS (
{% include "latest_validation_results.sql" %}
)
SELECT suite, target, count(*)::INTEGER AS checks,
       count(*) FILTER (WHERE success)::INTEGER AS passed,
       count(*) FILTER (WHERE NOT success)::INTEGER AS failed,
       count(*) FILTER (WHERE NOT success AND blocking)::INTEGER AS blocking_failed,
       coalesce(sum(unexpected_count), 0)::BIGINT AS unexpected
FROM latest
WHERE partition IS NULL OR TRY_CAST(split_part(partition, '|', 2) AS INTEGER) <= ?
GROUP BY ALL ORDER BY ALL
