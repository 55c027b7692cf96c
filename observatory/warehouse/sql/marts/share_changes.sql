-- Wave-over-wave change of every share in marts.shares, with a z-test. Waves are
-- independent cross-sections (respondents are drawn afresh each year), so the
-- variance of a change is the sum of the two variances.
CREATE OR REPLACE TABLE marts.share_changes AS
WITH paired AS (
    SELECT wave, domain_type, domain, dimension, code, label_en, label_fr, share, se,
           suppressed,
           lag(wave) OVER w AS previous_wave,
           lag(share) OVER w AS previous_share,
           lag(se) OVER w AS previous_se,
           lag(suppressed) OVER w AS previous_suppressed
    FROM marts.shares
    WINDOW w AS (PARTITION BY domain_type, domain, dimension, code ORDER BY wave)
),
tested AS (
    SELECT *, share - previous_share AS change,
           sqrt(se ^ 2 + previous_se ^ 2) AS se_change,
           suppressed OR previous_suppressed AS any_suppressed
    FROM paired WHERE previous_wave IS NOT NULL
)
SELECT wave, previous_wave, domain_type, domain, dimension, code, label_en, label_fr,
       share, previous_share, change, se_change,
       CASE WHEN se_change > 0 THEN change / se_change END AS z,
       CASE WHEN se_change > 0 THEN two_sided_p(change / se_change) END AS p_value,
       coalesce(NOT any_suppressed AND se_change > 0
                AND two_sided_p(change / se_change) < 0.05, false) AS significant,
       any_suppressed AS suppressed
FROM tested
ORDER BY wave, domain_type, domain, dimension, code;

COMMENT ON TABLE marts.share_changes IS 'Change of each share of marts.shares since the previous wave that asked the question, by domain, with a two-sided z-test (waves are independent samples: Var(change) = SE^2 + previous SE^2). significant = p < 0.05 and neither cell suppressed.';
COMMENT ON COLUMN marts.share_changes.previous_wave IS 'The previous wave that asked the question.';
COMMENT ON COLUMN marts.share_changes.previous_share IS 'Weighted share in the previous wave (NULL when suppressed).';
COMMENT ON COLUMN marts.share_changes.change IS 'share - previous_share, in proportion points.';
COMMENT ON COLUMN marts.share_changes.se_change IS 'Standard error of the change, sqrt(SE^2 + previous SE^2).';
COMMENT ON COLUMN marts.share_changes.z IS 'Test statistic change / se_change.';
COMMENT ON COLUMN marts.share_changes.p_value IS 'Two-sided p-value of the z-test (normal approximation).';
COMMENT ON COLUMN marts.share_changes.significant IS 'True when p_value < 0.05 and neither wave is suppressed.';
COMMENT ON COLUMN marts.share_changes.suppressed IS 'True when either wave''s cell is suppressed: shares and change are then NULL.';
