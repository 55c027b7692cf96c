-- Retention of audit.validation_results (keep_validation_runs in settings.yaml): keep the
-- latest $keep runs, and the latest run of every suite x target x partition.
DELETE FROM audit.validation_results v
WHERE v.run_id NOT IN (SELECT run_id FROM audit.validation_results GROUP BY run_id
                       ORDER BY max(checked_at) DESC LIMIT getvariable('keep_validation_runs'))
  AND v.run_id IS DISTINCT FROM (
      SELECT arg_max(l.run_id, l.checked_at) FROM audit.validation_results l
      WHERE l.suite = v.suite AND l.target = v.target
        AND l.partition IS NOT DISTINCT FROM v.partition);
