/* The latest validation results: every result of the latest run of each Great
   Expectations suite x target x partition (runs accumulate in audit.validation_results;
   retention keeps these). Included by the queries that read them. */
SELECT * FROM audit.validation_results
QUALIFY run_id = arg_max(run_id, checked_at) OVER (PARTITION BY suite, target, partition)
