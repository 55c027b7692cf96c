/* The countries' names the warehouse holds. */
SELECT country, name_en, name_fr FROM core.countries ORDER BY country
