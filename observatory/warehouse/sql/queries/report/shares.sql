/* The shares the report shows: base ?, by country for the dimensions ?, by scheme type
   for the dimensions ?, waves up to ?. */
SELECT wave, domain_type, domain, dimension, code, label_en, label_fr, n,
    n_selected, share, se, ci_low, ci_high, n_eff, df, suppressed, calibrated, unreliable
    FROM marts.shares
    WHERE base = ? AND (domain_type = 'country' AND list_contains(?, dimension)
           OR domain_type = 'scheme_type' AND list_contains(?, dimension))
      AND wave <= ? ORDER BY ALL
