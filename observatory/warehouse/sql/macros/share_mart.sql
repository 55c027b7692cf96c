-- share_mart(domain_kind, dim): the rows of marts.shares of one domain type (country,
-- scheme_type) and one dimension, without those two columns: the body of every named
-- view of marts.shares (marts/share_views.yaml).
CREATE OR REPLACE TEMP MACRO share_mart(domain_kind, dim) AS TABLE
    SELECT wave, domain, base, code, label_en, label_fr, n, n_selected, share, se, ci_low,
           ci_high, n_eff, df, suppressed, calibrated, unreliable
    FROM marts.shares WHERE domain_type = domain_kind AND dimension = dim
    ORDER BY wave, domain, base, code;
