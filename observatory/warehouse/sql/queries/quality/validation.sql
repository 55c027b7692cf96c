/* The latest validation results, failures first. */
WITH latest AS (
{% include "latest_validation_results.sql" %}
)
SELECT suite, target, partition, expectation, "column", success, unexpected_count,
       blocking, run_id, checked_at
FROM latest
ORDER BY success, NOT blocking, target, partition, suite, expectation
