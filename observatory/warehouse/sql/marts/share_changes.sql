-- Change of every share in marts.shares between any two waves of the same cell (domain,
-- base, dimension, code), with a z-test and Benjamini-Hochberg multiplicity control.
-- Waves are independent cross-sections (respondents are drawn afresh each year), so
-- the variance of a change is the sum of the two variances. The family of a
-- Benjamini-Hochberg q-value is every tested change of the same wave pair (all
-- domains, bases, dimensions and codes): q_(i) = min over j >= i of m p_(j) / j, as
-- R's p.adjust(p, method = "BH"). A change is tested when both cells have a positive
-- SE: not when either is suppressed, calibrated, or a share of 0 or 1 (whose zero SE
-- says nothing about its sampling error, and would make the z-test overconfident).
CREATE OR REPLACE TABLE marts.share_changes AS
WITH paired AS (
    SELECT n.wave, o.wave AS previous_wave, n.domain_type, n.domain, n.base, n.dimension,
           n.code, n.label_en, n.label_fr, n.share, o.share AS previous_share,
           n.share - o.share AS change, sqrt(n.se ^ 2 + o.se ^ 2) AS se_change,
           n.suppressed OR o.suppressed AS suppressed, n.se > 0 AND o.se > 0 AS testable
    FROM marts.shares n JOIN marts.shares o
      ON o.wave < n.wave AND (o.domain_type, o.domain, o.base, o.dimension, o.code)
                           = (n.domain_type, n.domain, n.base, n.dimension, n.code)
),
tested AS (
    SELECT *, change / se_change AS z, two_sided_p(change / se_change) AS p_value
    FROM paired WHERE testable
),
ranked AS (
    SELECT *, count(*) OVER pair * p_value
              / row_number() OVER (pair ORDER BY p_value, domain_type, domain, base,
                                   dimension, code) AS bh
    FROM tested
    WINDOW pair AS (PARTITION BY wave, previous_wave)
),
adjusted AS (
    SELECT wave, previous_wave, domain_type, domain, base, dimension, code,
           least(1.0, min(bh) OVER (PARTITION BY wave, previous_wave
                                    ORDER BY p_value DESC, domain_type DESC, domain DESC,
                                             base DESC, dimension DESC, code DESC
                                    ROWS UNBOUNDED PRECEDING)) AS q_value
    FROM ranked
)
SELECT p.wave, p.previous_wave, p.domain_type, p.domain, p.base, p.dimension, p.code,
       p.label_en, p.label_fr, p.share, p.previous_share, p.change, p.se_change,
       t.z, t.p_value, a.q_value, coalesce(a.q_value < 0.05, false) AS significant,
       p.suppressed
FROM paired p
LEFT JOIN tested t USING (wave, previous_wave, domain_type, domain, base, dimension, code)
LEFT JOIN adjusted a USING (wave, previous_wave, domain_type, domain, base, dimension, code)
ORDER BY p.wave, p.previous_wave, p.domain_type, p.domain, p.base, p.dimension, p.code;

COMMENT ON TABLE marts.share_changes IS 'Change of each share of marts.shares between any two waves that asked the question (wave > previous_wave), by domain and base, with a two-sided z-test (independent samples: Var(change) = SE^2 + previous SE^2) and a Benjamini-Hochberg q-value within each wave pair; significant = q_value < 0.05. Example: SELECT * FROM marts.share_changes WHERE domain = ''GR'' AND dimension = ''lever'' AND previous_wave = 2024 AND wave = 2026 ORDER BY change DESC.';
COMMENT ON COLUMN marts.share_changes.wave IS 'The later wave of the comparison.';
COMMENT ON COLUMN marts.share_changes.previous_wave IS 'The earlier wave of the comparison (any earlier wave that asked the question).';
COMMENT ON COLUMN marts.share_changes.share IS 'Weighted share in wave (NULL when suppressed).';
COMMENT ON COLUMN marts.share_changes.previous_share IS 'Weighted share in previous_wave (NULL when suppressed).';
COMMENT ON COLUMN marts.share_changes.change IS 'share - previous_share, in proportion points.';
COMMENT ON COLUMN marts.share_changes.se_change IS 'Standard error of the change, sqrt(SE^2 + previous SE^2); NULL when either cell is suppressed or calibrated.';
COMMENT ON COLUMN marts.share_changes.z IS 'Test statistic change / se_change (NULL when not tested).';
COMMENT ON COLUMN marts.share_changes.p_value IS 'Two-sided p-value of the z-test (normal approximation); NULL when not tested.';
COMMENT ON COLUMN marts.share_changes.q_value IS 'Benjamini-Hochberg adjusted p-value among all tested changes of the same wave pair (R: p.adjust(p_value, "BH")); NULL when not tested.';
COMMENT ON COLUMN marts.share_changes.significant IS 'True when q_value < 0.05 (false when not tested).';
COMMENT ON COLUMN marts.share_changes.suppressed IS 'True when either wave''s cell is suppressed: its share and the change are then NULL.';
