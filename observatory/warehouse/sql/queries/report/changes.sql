/* Changes by country from one wave to the next: base ?, dimensions ?, waves up to ?. */
SELECT wave, previous_wave, domain AS country, dimension, code, share,
    previous_share, change, se_change, z, p_value, q_value, significant, suppressed
    FROM marts.share_changes c
    WHERE domain_type = 'country' AND base = ? AND list_contains(?, dimension) AND wave <= ?
      AND previous_wave = (SELECT max(s.wave) FROM marts.shares s  /* from one wave to the next */
                           WHERE s.wave < c.wave AND s.dimension = c.dimension)
    ORDER BY ALL
